import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other or not stated")


class WithdrawalDestination(models.TextChoices):
    PRIMARY_SCHOOL = "primary_school", _("Another primary school")
    SPECIAL_EDUCATION = "special_education", _("Special education")
    SECONDARY_SCHOOL = "secondary_school", _("Secondary school")
    ABROAD = "abroad", _("Abroad")
    OTHER = "other", _("Other")


YEAR_GROUPS = range(1, 9)
# The date of birth of a pupil imported without one (students/edexml/planning/pupils.py): the
# database requires a date, and this one can never be mistaken for a real one. The gate never
# sends it as a date of birth.
PLACEHOLDER_DATE_OF_BIRTH = datetime.date(1900, 1, 1)


class Subject(models.TextChoices):
    READING = "reading", _("Technical reading")
    COMPREHENSION = "comprehension", _("Reading comprehension")
    SPELLING = "spelling", _("Spelling")
    MATHS = "maths", _("Arithmetic and mathematics")
    LANGUAGE = "language", _("Language")
    WORLD = "world", _("World orientation")
    ENGLISH = "english", _("English")
    SOCIAL = "social", _("Social-emotional development")
    OTHER = "other", _("Other")


class CareKind(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("Diagnosis (such as dyslexia or ADHD)")
    ALLERGY = "allergy", _("Allergy")
    MEDICATION = "medication", _("Medication")
    SUPPORT_PLAN = "support_plan", _("Support plan")
    CHILD_PROTECTION = "child_protection", _("Child-protection signal (Meldcode)")
    OTHER = "other", _("Other")


class CareSource(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    SPECIALIST = "specialist", _("Specialist report")
    SCHOOL = "school", _("School")


class CareVisibility(models.TextChoices):
    CARE_TEAM = "care_team", _("Care team only")
    TEACHERS = "teachers", _("Also the group's teachers")


class WithholdStatus(models.TextChoices):
    """Withholding a care record from guardians (AVG art. 23, UAVG art. 41; the Meldcode).

    A requested withholding already hides the record from guardians (a signal must never
    reach a guardian while the director decides); a rejected one shows it again.
    """

    NONE = "none", _("Not withheld")
    REQUESTED = "requested", _("Withholding awaits the director")
    APPROVED = "approved", _("Withheld from guardians")
    REJECTED = "rejected", _("Withholding rejected")


WITHHELD_STATUSES = (WithholdStatus.REQUESTED, WithholdStatus.APPROVED)


class ReligionStatus(models.TextChoices):
    STATED = "stated", _("Stated by the guardian")
    DECLINED = "declined", _("The guardian chose not to state it")


class ReligionConsentDecision(models.TextChoices):
    """A parent's explicit consent to record the pupil's religion (AVG art. 9(2)(a))."""

    GRANTED = "granted", _("Consent given")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class ReligionConsentChannel(models.TextChoices):
    PORTAL = "portal", _("Parent portal")
    PAPER = "paper", _("Paper form, recorded by staff")
    # A consent that ends without a parent's statement (a withdrawal row on their behalf):
    REMOVED = "removed", _("Ended: the recorded religion was removed")
    AUTHORITY_ENDED = "authority", _("Ended: the parent's parental authority ended")


class LimitKind(models.TextChoices):
    """An accepted restriction (AVG art. 18) or objection (art. 21) on a pupil's data."""

    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection")


def labels_register() -> None:
    """The words for the core's codes (kernel/labels.py); called in StudentsConfig.ready()."""
    from kernel.labels import register

    from .attributes import CATALOGUE, DataCategory
    from .models import RolloverPlan, TeacherProposal

    register("attribute", [(code, attribute.label) for code, attribute in CATALOGUE.items()])
    register("data_category", DataCategory)
    register("sex", Sex)
    register("withdrawal_destination", WithdrawalDestination)
    register("subject", Subject)
    register("care_kind", CareKind)
    register("care_source", CareSource)
    register("care_visibility", CareVisibility)
    register("withhold_status", WithholdStatus)
    register("religion_status", ReligionStatus)
    register("limit_kind", LimitKind)
    register("rollover_status", RolloverPlan.Status)
    register("proposal_source", TeacherProposal.Source)
    register("proposal_decision", TeacherProposal.Decision)
