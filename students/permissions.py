"""The object permissions of the portal and the role table derived from them: the one source.

Scope is a django-guardian object permission on a School or a Group, held in the direct
foreign-key tables of ``students.models`` and checked by codename (``students.<codename>``).
Every app registers the codenames it checks, with the roles that hold them::

    from accounts.constants import Role
    from students.permissions import SCHOOL, register

    register(
        "view_school_retention",
        _("See the school's retention rules and runs"),
        on=SCHOOL,
        roles=(Role.DIRECTOR, Role.PRIVACY_OFFICER),
    )

The core registers its own codenames below; a capability does so in a ``permissions.py``
module that its ``AppConfig.ready()`` imports. Whichever app registers a codename, its
Permission row lives on the School or Group content type of this app, so the checks and the
existing grants stay as they are.

Adding a capability, a codename, or a codename to a role touches no migration of students
(nor of any other app): ``students.services.permissions_sync``, run after every ``migrate``
(and flush) and by the ``permissions_sync`` command, creates the missing Permission rows and
brings the grants of everyone who holds a role at a school or a group in line with the role
table. The services that give a role (``staff_assign_to_school``, ``teacher_assign_to_group``,
``privacy_officer_assign_to_board``) read the same table.

Where a role is held (``ROLE_SCOPES``): at a school (director, administration, care
coordinator), at every school of a board (privacy officer), or at a group (teacher, through
its ``GroupTeacher`` row). School codenames go to roles held at a school or board, group
codenames to roles held at a group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role

SCHOOL = "school"
GROUP = "group"
BOARD = "board"

# Where each role is held; a role not listed (the guardian) holds no object permissions.
ROLE_SCOPES: dict[str, str] = {
    Role.DIRECTOR: SCHOOL,
    Role.ADMINISTRATION: SCHOOL,
    Role.CARE_COORDINATOR: SCHOOL,
    Role.PRIVACY_OFFICER: BOARD,
    Role.TEACHER: GROUP,
}
# The content type (School or Group) on which the roles of each scope hold their codenames.
_PERMISSION_ON = {SCHOOL: SCHOOL, BOARD: SCHOOL, GROUP: GROUP}


@dataclass(frozen=True)
class ObjectPermission:
    codename: str
    name: str | Promise
    on: str  # SCHOOL or GROUP: the model whose objects the permission is granted on
    roles: frozenset[str]


_registry: dict[str, ObjectPermission] = {}


def register(codename: str, name: str | Promise, *, on: str, roles: Iterable[str]) -> None:
    """Declare an object permission and the roles that hold it. Registering the same
    permission again is harmless; registering a codename differently is an error."""
    roles = frozenset(str(role) for role in roles)
    if on not in (SCHOOL, GROUP):
        raise ImproperlyConfigured(f"{codename}: a permission is on {SCHOOL!r} or {GROUP!r}")
    for role in roles:
        if role not in ROLE_SCOPES:
            raise ImproperlyConfigured(f"{codename}: {role!r} holds no object permissions")
        if _PERMISSION_ON[ROLE_SCOPES[role]] != on:
            raise ImproperlyConfigured(
                f"{codename}: {role!r} is held at a {ROLE_SCOPES[role]}, not on a {on}"
            )
    permission = ObjectPermission(codename=codename, name=name, on=on, roles=roles)
    known = _registry.get(codename)
    if known is not None and known != permission:
        raise ImproperlyConfigured(f"{codename} is already registered differently")
    _registry[codename] = permission


def registered(on: str | None = None) -> tuple[ObjectPermission, ...]:
    """The registered permissions, in the order of registration (of one model if ``on``)."""
    return tuple(p for p in _registry.values() if on is None or p.on == on)


def role_codenames(role: str, on: str) -> tuple[str, ...]:
    """The role table: the codenames a role holds on a School or on a Group."""
    return tuple(p.codename for p in _registry.values() if p.on == on and role in p.roles)


def role_table() -> dict[str, dict[str, tuple[str, ...]]]:
    """The whole role table: for School and Group, each role and the codenames it holds."""
    return {
        on: {role: codenames for role in ROLE_SCOPES if (codenames := role_codenames(role, on))}
        for on in (SCHOOL, GROUP)
    }


# --- The core's own permissions -----------------------------------------------------------

_ALL_SCHOOL_STAFF = (Role.DIRECTOR, Role.ADMINISTRATION, Role.CARE_COORDINATOR)

register(
    "view_school_pupils",
    _("View the pupils of the school"),
    on=SCHOOL,
    roles=_ALL_SCHOOL_STAFF,
)
register(
    "view_school_bsn",
    _("View the BSN of the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "manage_school_pupils",
    _("Enrol, move and withdraw the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "view_school_audit",
    _("View the school's audit events"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.PRIVACY_OFFICER),
)
register(
    "view_school_progress",
    _("Read the progress of the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.CARE_COORDINATOR),
)
register(
    "view_school_care",
    _("Read the care data of the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.CARE_COORDINATOR),
)
register(
    "write_school_care",
    _("Record care data for the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.CARE_COORDINATOR),
)
register(
    "approve_school_withholding",
    _("Decide on withholding care records from guardians"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
register(
    "view_school_religion",
    _("Read the religion of the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "write_school_religion",
    _("Record the religion of the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "manage_school_staff",
    _("Manage the school's staff accounts and substitutes"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
register(
    "rollover_school",
    _("Prepare and apply the school's next school year"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
register(
    "view_group_pupils",
    _("View the pupils of the group"),
    on=GROUP,
    roles=(Role.TEACHER,),
)
register(
    "view_group_progress",
    _("Read the progress of the group's pupils"),
    on=GROUP,
    roles=(Role.TEACHER,),
)
register(
    "write_group_progress",
    _("Record progress for the group's pupils"),
    on=GROUP,
    roles=(Role.TEACHER,),
)
register(
    "view_group_care",
    _("Read care records marked for the group's teachers"),
    on=GROUP,
    roles=(Role.TEACHER,),
)

# The school's privacy statement (issue 24, part 4): its director writes and publishes it.
register(
    "manage_school_privacy_statement",
    _("Write and publish the school's privacy statement"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
