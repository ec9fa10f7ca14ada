"""The object permissions in the database follow the role table of ``students.permissions``.

``permissions_sync`` creates the Permission rows of every registered codename on the School
and Group content types, and brings the grants (the direct foreign-key tables of
django-guardian) of every user in line with the roles they hold:

* at a group: a teacher (in the teacher role) with a ``GroupTeacher`` row whose access has not
  ended holds the teacher's group codenames on that group;
* at a school: a role is held where the user's grants show it. A role is held at a school when
  one of the user's codenames there is given, of all the user's roles, by that role alone;
  codenames left over are explained by the role that gives most of them (the smallest role
  on a tie), so a director who is administration elsewhere never gains the director's
  codenames at the other school;
* a privacy officer, held at one school of a board, is held at every school of the board.

Every codename the role table gives there and the user lacks is granted; every grant on a
School or Group that none of the user's roles gives there is withdrawn. Running it again
changes nothing.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import Group as RoleGroup
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import translation

from accounts.models import User

from ..models import (
    Group,
    GroupTeacher,
    GroupUserObjectPermission,
    School,
    SchoolUserObjectPermission,
)
from ..permissions import BOARD, GROUP, ROLE_SCOPES, SCHOOL, registered, role_codenames

# The models the sync reads and writes; it runs only when their tables are as in the code.
_MODELS = (School, Group, GroupTeacher, SchoolUserObjectPermission, GroupUserObjectPermission)


def permission_rows_sync(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Create the missing Permission rows of the registered codenames (and put right a name
    that changed). Returns how many rows were created or renamed."""
    types = ContentType.objects.db_manager(using).get_for_models(School, Group)
    content_types = {SCHOOL: types[School], GROUP: types[Group]}
    existing = {
        (p.content_type_id, p.codename): p
        for p in Permission.objects.using(using).filter(content_type__in=content_types.values())
    }
    changed = 0
    # Like Django's own permissions: the names are stored untranslated.
    with translation.override(None):
        for permission in registered():
            content_type = content_types[permission.on]
            name = str(permission.name)
            row = existing.get((content_type.pk, permission.codename))
            if row is None:
                Permission.objects.using(using).create(
                    content_type=content_type, codename=permission.codename, name=name
                )
                changed += 1
            elif row.name != name:
                row.name = name
                row.save(using=using, update_fields=["name"])
                changed += 1
    return changed


def _roles_shown(held: set[str], granted: set[str]) -> set[str]:
    """Which of the user's school roles (``held``) the codenames granted at one school show."""
    codes = {role: frozenset(role_codenames(role, SCHOOL)) for role in held}
    shown = {
        role
        for role in held
        if granted & codes[role].difference(*(codes[other] for other in held if other != role))
    }
    # Codenames no role of the user gives show nothing (they are withdrawn).
    left = (granted & frozenset().union(*codes.values())).difference(
        *(codes[role] for role in shown)
    )
    while left:
        role = min(
            held - shown, key=lambda role: (-len(left & codes[role]), len(codes[role]), role)
        )
        shown.add(role)
        left -= codes[role]
    return shown


@transaction.atomic
def permissions_sync(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Permission rows and grants as the role table says (see the module). Idempotent."""
    rows = permission_rows_sync(using=using)
    permission_ids = {
        (model, codename): pk
        for pk, model, codename in Permission.objects.using(using)
        .filter(content_type__app_label=School._meta.app_label)
        .values_list("pk", "content_type__model", "codename")
    }
    school_model, group_model = School._meta.model_name, Group._meta.model_name
    if school_model is None or group_model is None:  # only a model not yet prepared has none
        raise RuntimeError("the school and group models have no model_name")

    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, name in (
        User.groups.through.objects.using(using)
        .filter(group__name__in=ROLE_SCOPES)
        .values_list("user_id", "group__name")
    ):
        roles[user_id].add(name)

    school_grants: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for pk, user_id, school_id, codename in SchoolUserObjectPermission.objects.using(
        using
    ).values_list("pk", "user_id", "content_object_id", "permission__codename"):
        school_grants[user_id, school_id][codename] = pk
    group_grants: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for pk, user_id, group_id, codename in GroupUserObjectPermission.objects.using(
        using
    ).values_list("pk", "user_id", "content_object_id", "permission__codename"):
        group_grants[user_id, group_id][codename] = pk

    # What each user should hold: on schools from the roles their grants show, on groups
    # from the groups they teach.
    school_target: dict[tuple[int, int], set[str]] = defaultdict(set)
    board_of = dict(School.objects.using(using).values_list("pk", "board_id"))
    schools_of_board: dict[int, list[int]] = defaultdict(list)
    for school_id, board_id in board_of.items():
        schools_of_board[board_id].append(school_id)
    for (user_id, school_id), shown_by in school_grants.items():
        held = {role for role in roles[user_id] if ROLE_SCOPES[role] in (SCHOOL, BOARD)}
        for role in _roles_shown(held, set(shown_by)):
            places = (
                schools_of_board[board_of[school_id]] if ROLE_SCOPES[role] == BOARD else [school_id]
            )
            for place in places:
                school_target[user_id, place].update(role_codenames(role, SCHOOL))
    group_target: dict[tuple[int, int], set[str]] = defaultdict(set)
    teachers = [role for role, scope in ROLE_SCOPES.items() if scope == GROUP]
    for user_id, group_id in (
        GroupTeacher.objects.using(using)
        .filter(access_ended_at__isnull=True)
        .values_list("teacher_id", "group_id")
    ):
        for role in roles[user_id].intersection(teachers):
            group_target[user_id, group_id].update(role_codenames(role, GROUP))

    granted = revoked = 0
    for table, model, grants, target in (
        (SchoolUserObjectPermission, school_model, school_grants, school_target),
        (GroupUserObjectPermission, group_model, group_grants, group_target),
    ):
        missing = [
            table(
                user_id=user_id,
                content_object_id=object_id,
                permission_id=permission_ids[model, codename],
            )
            for (user_id, object_id), codenames in target.items()
            for codename in sorted(codenames - grants.get((user_id, object_id), {}).keys())
        ]
        extra = [
            pk
            for key, held in grants.items()
            for codename, pk in held.items()
            if codename not in target.get(key, ())
        ]
        # mypy checks the union of the two tables against either row type; each list is
        # built from its own table.
        table.objects.using(using).bulk_create(missing, batch_size=500, ignore_conflicts=True)  # type: ignore[arg-type]
        for start in range(0, len(extra), 500):  # within every database's parameter limit
            table.objects.using(using).filter(pk__in=extra[start : start + 500]).delete()
        granted += len(missing)
        revoked += len(extra)
    return {"permissions": rows, "granted": granted, "revoked": revoked}


def _tables_current(apps) -> bool:
    """Whether the migrated state has the columns the sync reads (not after a migrate to an
    older migration)."""
    for model in (*_MODELS, User, RoleGroup, Permission, ContentType):
        try:
            state = apps.get_model(model._meta.label)
        except LookupError:
            return False
        columns = {field.column for field in state._meta.concrete_fields}
        if not {field.column for field in model._meta.concrete_fields} <= columns:
            return False
    return True


def permissions_sync_after_migrate(*, using=DEFAULT_DB_ALIAS, apps=None, verbosity=1, **kwargs):
    """``post_migrate`` receiver of the students app: sync once its tables are current."""
    if apps is not None and not _tables_current(apps):
        return
    result = permissions_sync(using=using)
    if verbosity >= 2 and any(result.values()):
        print(  # noqa: T201 - as Django's own post_migrate handlers report
            "Object permissions: {permissions} rows, {granted} granted, {revoked} withdrawn".format(
                **result
            )
        )
