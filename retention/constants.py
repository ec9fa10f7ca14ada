from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from students import erasure


class Category(models.TextChoices):
    """What a rule keeps for how long (docs/domain.md, retention)."""

    PUPIL_FILE = erasure.PUPIL_FILE, _("Pupil file: progress, guidance and care data")
    PUPIL_FILE_SPECIAL = (
        "pupil_file_special_education",
        _("Pupil file of a pupil who left for special education"),
    )
    ENROLMENT = (
        erasure.ENROLMENT,
        _("Enrolment and withdrawal data (name, address, BSN, guardians)"),
    )
    CONSENT_EVIDENCE = (
        erasure.CONSENT_EVIDENCE,
        _("Consent evidence (decisions of former pupils)"),
    )
    AUDIT_EVENTS = "audit_events", _("Record of who looked at the data (access events)")
    # Not a pupil's data: an application that never led to a pupil (refused, or withdrawn by
    # the parents). Counted from the decision, not from leaving.
    APPLICATIONS = (
        "applications",
        _("Applications that did not lead to enrolment (refused or withdrawn)"),
    )


class RuleAction(models.TextChoices):
    DELETE = erasure.DELETE, _("Delete")
    ANONYMISE = erasure.ANONYMISE, _("Anonymise and keep restricted")


# The board's log policy: how long access events of every school of the board are kept, when
# the board's privacy officer has not set it (DOMAIN: default 5 years). Within BOUNDS below.
ACCESS_EVENT_DEFAULT_MONTHS = 60

# Per category: the seeded period (months) and action, and the actions it allows. Care data
# and religion in a pupil file are always deleted; the action decides about grade lists.
DEFAULTS: dict[str, tuple[int, str]] = {
    Category.PUPIL_FILE: (24, RuleAction.ANONYMISE),
    Category.PUPIL_FILE_SPECIAL: (36, RuleAction.ANONYMISE),
    Category.ENROLMENT: (60, RuleAction.ANONYMISE),
    Category.CONSENT_EVIDENCE: (24, RuleAction.DELETE),
    Category.AUDIT_EVENTS: (ACCESS_EVENT_DEFAULT_MONTHS, RuleAction.DELETE),
    Category.APPLICATIONS: (12, RuleAction.DELETE),
}
ALLOWED_ACTIONS: dict[str, tuple[str, ...]] = {
    Category.PUPIL_FILE: (RuleAction.DELETE, RuleAction.ANONYMISE),
    Category.PUPIL_FILE_SPECIAL: (RuleAction.DELETE, RuleAction.ANONYMISE),
    # A pupil row is never deleted (DESIGN rule 4): it becomes an anonymous tombstone.
    Category.ENROLMENT: (RuleAction.ANONYMISE,),
    Category.CONSENT_EVIDENCE: (RuleAction.DELETE,),
    Category.AUDIT_EVENTS: (RuleAction.DELETE,),
    # No pupil came of it: nothing to keep without the person, so the application goes whole.
    Category.APPLICATIONS: (RuleAction.DELETE,),
}
PUPIL_CATEGORIES = (
    Category.PUPIL_FILE,
    Category.PUPIL_FILE_SPECIAL,
    Category.ENROLMENT,
    Category.CONSENT_EVIDENCE,
)


@dataclass(frozen=True)
class Bounds:
    """The shortest and the longest period (months) a category may be kept, each with its
    reason in words, shown when a period outside them is refused."""

    noun: Promise  # the data, as the subject of the error sentence
    floor: int
    ceiling: int
    floor_reason: Promise
    ceiling_reason: Promise


# docs/domain.md's retention table. Where it names only one bound, the other is the portal's choice;
# the comment says why. The service, the form, the API and a database constraint all apply
# these, so a period outside them is refused everywhere and no stored rule holds one.
BOUNDS: dict[str, Bounds] = {
    # Ceiling 24: "at most 2 years after the pupil leaves" (PO-Raad). Floor 12 (our choice): in
    # the school year after leaving a pupil may come back, and the next school and the parents
    # still ask about the handover report; a shorter period would lose what they ask about.
    Category.PUPIL_FILE: Bounds(
        noun=_("Pupil files"),
        floor=12,
        ceiling=24,
        floor_reason=_(
            "in the year after leaving a pupil may come back, and the next school and the "
            "parents may still ask about the handover"
        ),
        ceiling_reason=_("the law allows keeping a pupil file at most 2 years after leaving"),
    ),
    # Ceiling 36: the 3 years of DOMAIN are the pupil file's ceiling extended for a pupil who
    # left for special education ("uiterlijk drie jaar"). Floor 12: as for any pupil file.
    Category.PUPIL_FILE_SPECIAL: Bounds(
        noun=_("Pupil files of pupils who left for special education"),
        floor=12,
        ceiling=36,
        floor_reason=_(
            "in the year after leaving a pupil may come back, and the next school and the "
            "parents may still ask about the handover"
        ),
        ceiling_reason=_(
            "the law allows keeping this pupil file at most 3 years after the pupil left for "
            "special education"
        ),
    ),
    # Floor 60: funding audits need 5 years after withdrawal (DOMAIN). Ceiling 84 (our choice):
    # 7 years, the longest period DOMAIN names for any record (funding and financial records);
    # past it enrolment data serve no purpose the portal knows of.
    Category.ENROLMENT: Bounds(
        noun=_("Enrolment and withdrawal data"),
        floor=60,
        ceiling=84,
        floor_reason=_("funding audits need them for 5 years after the pupil left"),
        ceiling_reason=_(
            "7 years is the longest any funding record must be kept; after that they serve "
            "no purpose"
        ),
    ),
    # Not in DOMAIN's table (both bounds our choice). Floor 12: in the year after leaving the
    # parents may still ask about a publication, and the school must then show their choice.
    # Ceiling 60: no longer than the 5 years the enrolment data it belongs to must be kept.
    Category.CONSENT_EVIDENCE: Bounds(
        noun=_("Consent decisions"),
        floor=12,
        ceiling=60,
        floor_reason=_(
            "in the year after leaving the parents may still ask about a publication, and the "
            "school must then show their choice"
        ),
        ceiling_reason=_(
            "they are kept no longer than the 5 years of the enrolment data they belong to"
        ),
    ),
    # Floor 12: guardians are shown who looked at their child's data in the last 12 months
    # (Normenkader IBP SM.04). Ceiling 120 (our choice): twice the board's default of 5 years;
    # the log is personal data of the staff too and needs an end.
    Category.AUDIT_EVENTS: Bounds(
        noun=_("Access events"),
        floor=12,
        ceiling=120,
        floor_reason=_("parents are shown who looked at their child's data in the last 12 months"),
        ceiling_reason=_(
            "the record of who looked is personal data of the staff too; 10 years is twice "
            "the usual period"
        ),
    ),
    # Not in DOMAIN's table (both bounds the portal's policy). Floor 6: a refusal can be
    # objected to within 6 weeks (Awb) and the objection's handling takes months; the school
    # must be able to show the application and its decision until that is over. Ceiling 12:
    # the portal's policy deletes applications that did not lead to enrolment one year after
    # the decision; longer serves no purpose.
    Category.APPLICATIONS: Bounds(
        noun=_("Applications that did not lead to enrolment"),
        floor=6,
        ceiling=12,
        floor_reason=_(
            "the parents may object to the decision, and the school must be able to show the "
            "application until the objection has been handled"
        ),
        ceiling_reason=_(
            "the portal's policy deletes them one year after the decision; after that they "
            "serve no purpose"
        ),
    ),
}


def period_error(category: str, months: int) -> str | None:
    """Why ``months`` is not a period this category may be kept, in words; None if it may."""
    bounds = BOUNDS[category]
    if months < bounds.floor:
        return _("%(data)s must be kept at least %(months)s months: %(reason)s.") % {
            "data": bounds.noun,
            "months": bounds.floor,
            "reason": bounds.floor_reason,
        }
    if months > bounds.ceiling:
        return _("%(data)s may be kept at most %(months)s months: %(reason)s.") % {
            "data": bounds.noun,
            "months": bounds.ceiling,
            "reason": bounds.ceiling_reason,
        }
    return None


def board_period_refusal(months: int) -> str:
    """Why a director cannot set the period of access events."""
    return _(
        "Access events are kept for the board's log period of %(months)s months; only the "
        "board's privacy officer can change it."
    ) % {"months": months}


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped with an error")


class Trigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly job")
    MANUAL = "manual", _("Run by hand")
    COMMAND = "command", _("Management command")


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in RetentionConfig.ready()."""
    from kernel.labels import register

    register("retention_category", Category)
    register("rule_action", RuleAction)
    register("run_status", RunStatus)
    register("trigger", Trigger)
