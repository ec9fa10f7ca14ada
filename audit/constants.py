from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("View")
    LIST = "list", _("List")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    EXPORT = "export", _("Export")
    DELETE = "delete", _("Delete")


class DataKind(models.TextChoices):
    """Which kind of pupil data an event concerns; care and religion are special category."""

    BASICS = "basics", _("Basic data")
    PROGRESS = "progress", _("Progress and grades")
    CARE = "care", _("Care data")
    RELIGION = "religion", _("Religion")
    CONSENT = "consent", _("Consent")
    GROUP = "group", _("Group")
    SCHOOL = "school", _("School")
    AUDIT = "audit", _("Audit trail")
    ACCOUNT = "account", _("Account")
    REQUEST = "request", _("Privacy request")


SPECIAL_CATEGORY_KINDS = frozenset({DataKind.CARE, DataKind.RELIGION})


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in AuditConfig.ready()."""
    from kernel.labels import register

    register("audit_action", Action)
    register("data_kind", DataKind)
    register("outcome", Outcome)
