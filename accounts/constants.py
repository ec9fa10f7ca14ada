from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django auth groups of these names; a person may hold several."""

    DIRECTOR = "director", _("Director")
    ADMINISTRATION = "administration", _("Administration")
    CARE_COORDINATOR = "care_coordinator", _("Care coordinator")
    TEACHER = "teacher", _("Teacher")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    GUARDIAN = "guardian", _("Guardian")


STAFF_ROLES = frozenset(
    {Role.DIRECTOR, Role.ADMINISTRATION, Role.CARE_COORDINATOR, Role.TEACHER, Role.PRIVACY_OFFICER}
)


class Function(models.TextChoices):
    """What a role may do at all (403 without it). Scope (404) is decided by the selectors."""

    VIEW_PUPILS = "view_pupils", _("View pupils")
    VIEW_BSN = "view_bsn", _("View BSN / education number")
    MANAGE_PUPILS = "manage_pupils", _("Enrol, move and withdraw pupils")
    VIEW_AUDIT = "view_audit", _("View audit events")
    VIEW_OWN_CHILDREN = "view_own_children", _("View own children")


ROLE_FUNCTIONS: dict[str, frozenset[str]] = {
    Role.DIRECTOR: frozenset(
        {Function.VIEW_PUPILS, Function.VIEW_BSN, Function.MANAGE_PUPILS, Function.VIEW_AUDIT}
    ),
    Role.ADMINISTRATION: frozenset(
        {Function.VIEW_PUPILS, Function.VIEW_BSN, Function.MANAGE_PUPILS}
    ),
    Role.CARE_COORDINATOR: frozenset({Function.VIEW_PUPILS}),
    Role.TEACHER: frozenset({Function.VIEW_PUPILS}),
    Role.PRIVACY_OFFICER: frozenset({Function.VIEW_AUDIT}),
    Role.GUARDIAN: frozenset({Function.VIEW_OWN_CHILDREN}),
}

# Object permissions (django-guardian) granted on School objects per role; the scope half of
# the permission matrix. Teachers get GROUP_TEACHER_PERMISSIONS on their groups instead.
SCHOOL_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.DIRECTOR: (
        "view_school_pupils",
        "view_school_bsn",
        "manage_school_pupils",
        "view_school_audit",
    ),
    Role.ADMINISTRATION: ("view_school_pupils", "view_school_bsn", "manage_school_pupils"),
    Role.CARE_COORDINATOR: ("view_school_pupils",),
    Role.PRIVACY_OFFICER: ("view_school_audit",),
}
GROUP_TEACHER_PERMISSIONS: tuple[str, ...] = ("view_group_pupils",)
