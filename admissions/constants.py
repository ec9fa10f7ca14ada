"""The codes of admissions and their words (docs/domain.md, "Admissions")."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# The duty of care (Wet passend onderwijs): a decision within 6 weeks of a complete application,
# extendable once by 4 weeks with the reason told to the parents (DOMAIN, "Pupil administration").
DECISION_PERIOD = datetime.timedelta(weeks=6)
EXTENSION_PERIOD = datetime.timedelta(weeks=4)
# A child with a support need who has no decision 10 weeks after a complete application is
# entitled to a provisional place at the school of application (DOMAIN: as the regional
# partnerships explain it; unverified in the statute). Shown on the clock.
PROVISIONAL_PLACE_AFTER = datetime.timedelta(weeks=10)
# Funding registration with DUO (BRON): within 7 days of the enrolment or the leaving.
FUNDING_REGISTRATION_PERIOD = datetime.timedelta(days=7)
# An application whose e-mail address was not confirmed within this time never counted.
CONFIRMATION_HOURS = 48


class ApplicationStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Waiting for confirmation of the e-mail address")
    RECEIVED = "received", _("Received, awaiting a decision")
    EXTENDED = "extended", _("Decision period extended")
    ENROLLED = "enrolled", _("Enrolled")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the parents")


OPEN_STATUSES = (ApplicationStatus.RECEIVED, ApplicationStatus.EXTENDED)
DECIDED_STATUSES = (
    ApplicationStatus.ENROLLED,
    ApplicationStatus.REFUSED,
    ApplicationStatus.WITHDRAWN,
)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online application form")
    PAPER = "paper", _("Paper application, entered by the school")


class TimelineKind(models.TextChoices):
    SUBMITTED = "submitted", _("Application submitted")
    CONFIRMED = "confirmed", _("E-mail address confirmed: the application counts")
    EXTENDED = "extended", _("Decision period extended by 4 weeks")
    ENROLLED = "enrolled", _("Decision: enrolled")
    REFUSED = "refused", _("Decision: refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the parents")
    NOTE = "note", _("Note")


class RegistrationKind(models.TextChoices):
    ENROLMENT = "enrolment", _("Enrolment")
    LEAVING = "leaving", _("Leaving")


class LeavingReason(models.TextChoices):
    OTHER_SCHOOL = "other_school", _("Goes to another school")
    MOVE = "move", _("Moves house")
    SPECIAL_EDUCATION = "special_education", _("Goes to special education")
    SECONDARY_SCHOOL = "secondary_school", _("Goes to secondary school")
    ABROAD = "abroad", _("Moves abroad")
    EXEMPTION = "exemption", _("Exemption from compulsory education")
    UNKNOWN = "unknown", _("Destination unknown")


class ReportStatus(models.TextChoices):
    """The education report (OKR): prepared by the administration, sent once."""

    DRAFT = "draft", _("Being prepared")
    SENT = "sent", _("Sent to the new school")


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in AdmissionsConfig.ready()."""
    from kernel.labels import register

    register("application_status", ApplicationStatus)
    register("application_channel", Channel)
    register("application_timeline", TimelineKind)
    register("registration_kind", RegistrationKind)
    register("leaving_reason", LeavingReason)
    register("education_report_status", ReportStatus)
