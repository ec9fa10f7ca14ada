from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a rule keeps for how long (DOMAIN.md, retention)."""

    PUPIL_FILE = "pupil_file", _("Pupil file: progress, guidance and care data")
    PUPIL_FILE_SPECIAL = (
        "pupil_file_special_education",
        _("Pupil file of a pupil who left for special education"),
    )
    ENROLMENT = "enrolment", _("Enrolment and withdrawal data (name, address, BSN, guardians)")
    CONSENT_EVIDENCE = "consent_evidence", _("Consent evidence (decisions of former pupils)")
    AUDIT_EVENTS = "audit_events", _("Record of who looked at the data (access events)")


class RuleAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise and keep restricted")


# Per category: the seeded period (months) and action, and the actions it allows. Care data
# and religion in a pupil file are always deleted; the action decides about grade lists.
DEFAULTS: dict[str, tuple[int, str]] = {
    Category.PUPIL_FILE: (24, RuleAction.ANONYMISE),
    Category.PUPIL_FILE_SPECIAL: (36, RuleAction.ANONYMISE),
    Category.ENROLMENT: (60, RuleAction.ANONYMISE),
    Category.CONSENT_EVIDENCE: (24, RuleAction.DELETE),
    Category.AUDIT_EVENTS: (60, RuleAction.DELETE),
}
ALLOWED_ACTIONS: dict[str, tuple[str, ...]] = {
    Category.PUPIL_FILE: (RuleAction.DELETE, RuleAction.ANONYMISE),
    Category.PUPIL_FILE_SPECIAL: (RuleAction.DELETE, RuleAction.ANONYMISE),
    # A pupil row is never deleted (DESIGN rule 4): it becomes an anonymous tombstone.
    Category.ENROLMENT: (RuleAction.ANONYMISE,),
    Category.CONSENT_EVIDENCE: (RuleAction.DELETE,),
    Category.AUDIT_EVENTS: (RuleAction.DELETE,),
}
PUPIL_CATEGORIES = (
    Category.PUPIL_FILE,
    Category.PUPIL_FILE_SPECIAL,
    Category.ENROLMENT,
    Category.CONSENT_EVIDENCE,
)
MIN_PERIOD_MONTHS = 1
MAX_PERIOD_MONTHS = 240


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped with an error")


class Trigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly job")
    MANUAL = "manual", _("Run by hand")
    COMMAND = "command", _("Management command")
