from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ACCESS = "access", _("Access (inzage)")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the requester")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.WAITING)
CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Online, by a guardian logged in to the portal")
    PAPER = "paper", _("On paper, registered by the school")


class IdentityCheck(models.TextChoices):
    PORTAL_ACCOUNT = "portal_account", _("Logged in to a verified portal account")
    ID_DOCUMENT = "id_document", _("Identity document shown at the school")
    KNOWN_IN_PERSON = "known_in_person", _("Known to the school, handed in in person")
    EMAIL_CONFIRMED = "email_confirmed", _("Confirmed from the email address the school holds")


class Step(models.TextChoices):
    """What happened on a request's timeline."""

    RECEIVED = "received", _("Request received")
    STARTED = "started", _("Handling started")
    WAITING = "waiting", _("Asked the requester for more information")
    RESUMED = "resumed", _("Handling resumed")
    EXTENDED = "extended", _("Deadline extended")
    PACKAGE_STARTED = "package_started", _("Access package started")
    PACKAGE_BUILT = "package_built", _("Access package built")
    PACKAGE_FAILED = "package_failed", _("Access package failed")
    PACKAGE_RELEASED = "package_released", _("Access package released")
    PACKAGE_DOWNLOADED = "package_downloaded", _("Access package downloaded")
    CORRECTION_APPLIED = "correction_applied", _("Correction applied")
    ERASURE_ASSESSED = "erasure_assessed", _("Erasure assessed")
    ERASURE_DONE = "erasure_done", _("Data erased")
    LIMIT_STARTED = "limit_started", _("Restriction or objection in force")
    LIMIT_LIFTED = "limit_lifted", _("Restriction or objection lifted")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    NOTE = "note", _("Note")


class ActorKind(models.TextChoices):
    """Who took a step on a request's timeline, by kind, fixed when the step is taken: a
    parent or guardian (submitting online, downloading the package), the school (its staff)
    or the portal itself (a background job, a deadline)."""

    GUARDIAN = "guardian", _("Parent or guardian")
    SCHOOL = "school", _("School")
    SYSTEM = "system", _("System")


class PackageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    BUILT = "built", _("Built, awaiting release")
    RELEASED = "released", _("Released to the guardians")
    FAILED = "failed", _("Failed")


class CorrectableField(models.TextChoices):
    """Pupil data a guardian can ask to correct; the accepted value goes through the normal
    pupil service. Anything else is described as "other" and handled by hand."""

    GIVEN_NAME = "given_name", _("Name the pupil goes by")
    FIRST_NAMES = "first_names", _("First names")
    SURNAME_PREFIX = "surname_prefix", _("Surname prefix")
    SURNAME = "surname", _("Surname")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    SEX = "sex", _("Sex")
    STREET = "street", _("Street")
    HOUSE_NUMBER = "house_number", _("House number")
    POSTAL_CODE = "postal_code", _("Postal code")
    CITY = "city", _("City")
    OTHER = "other", _("Something else (describe it)")


class ErasureCategory(models.TextChoices):
    """What an erasure request can take away while the pupil is enrolled. Basic and enrolment
    data stay: the school must keep them (funding, DUO, leerplicht; docs/domain.md)."""

    RELIGION = "religion", _("Religion or belief")
    CARE = "care", _("Care records")
    PROGRESS = "progress", _("Progress and grades")
    PUBLICATIONS = "publications", _("Appearances in photos and video")
    CONTACT = "contact", _("Address")


class LimitKind(models.TextChoices):
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection")


# Legal periods (docs/domain.md): one month, extendable by at most two more.
DEADLINE_MONTHS = 1
MAX_EXTENSION_MONTHS = 2
DUE_SOON_DAYS = 7
PACKAGE_DOWNLOAD_DAYS = 14


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in
    PrivacyRequestsConfig.ready()."""
    from kernel.labels import register

    register("request_kind", Kind)
    register("request_status", Status)
    register("request_channel", Channel)
    register("identity_check", IdentityCheck)
    register("request_step", Step)
    register("request_actor", ActorKind)
    register("package_status", PackageStatus)
    register("correctable_field", CorrectableField)
    register("erasure_category", ErasureCategory)
    register("limit_kind", LimitKind)
