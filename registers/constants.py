from django.db import models
from django.utils.translation import gettext_lazy as _

DECISION_HOURS = 72
REMINDER_HOURS = (24, 48)


class Risk(models.TextChoices):
    UNLIKELY = "unlikely", _("Unlikely to result in a risk")
    RISK = "risk", _("A risk to the people concerned")
    HIGH = "high", _("A high risk to the people concerned")


class BreachStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the decision")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")


class PupilSource(models.TextChoices):
    DISCLOSURE = "disclosure", _("From a disclosure (export)")
    ACCOUNT_VIEWS = "account_views", _("Pupils an account viewed")
    MANUAL = "manual", _("Added by hand")


class ActorKind(models.TextChoices):
    """Who took a step on a breach's timeline, by kind, fixed when the step is taken: the
    school (its director), the board (its privacy officer) or the portal itself (a job)."""

    SCHOOL = "school", _("School")
    BOARD = "board", _("School board")
    SYSTEM = "system", _("System")


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in RegistersConfig.ready()."""
    from kernel.labels import register

    register("risk", Risk)
    register("breach_status", BreachStatus)
    register("pupil_source", PupilSource)
    register("breach_actor", ActorKind)
