"""Reads for the registers. Breaches: the director those of their school, the board's privacy
officer every breach of the board (board-wide ones included). The processing register: the
schools the caller may see it for. Evidence lookups (who was in a disclosure, whom an account
viewed) return exactly what the portal recorded."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from accounts.constants import Function
from accounts.models import User
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from students.models import School, Student
from students.selectors import function_require, school_ids_with, scoped_get
from suppliers.models import DisclosedPupil, Disclosure

from .models import Breach


def breach_schools_for(user) -> QuerySet[School]:
    return School.objects.filter(pk__in=school_ids_with(user, "manage_school_breaches")).order_by(
        "name"
    )


def board_ids_for_breaches(user) -> list[int]:
    """Boards on which the user holds the breach permission on every school (the privacy
    officer); only they see board-wide breaches."""
    from accounts.constants import Role

    if not user.has_role(Role.PRIVACY_OFFICER):
        return []
    return list(breach_schools_for(user).values_list("board_id", flat=True).distinct())


def breaches_visible_to(user) -> QuerySet[Breach]:
    function_require(
        user=user, function=Function.MANAGE_BREACHES, object_type="breach", data_kind=DataKind.AUDIT
    )
    return (
        Breach.objects.filter(
            Q(school_id__in=school_ids_with(user, "manage_school_breaches"))
            | Q(school__isnull=True, board_id__in=board_ids_for_breaches(user))
        )
        .select_related("school", "board", "created_by", "decided_by")
        .order_by("status", "-aware_at", "-id")
    )


def breach_get_for(*, user, breach_id) -> Breach:
    return scoped_get(
        user=user,
        queryset=breaches_visible_to(user),
        raw_id=breach_id,
        object_type="breach",
        data_kind=DataKind.AUDIT,
    )


def disclosure_for_breach(*, user, breach: Breach, disclosure_id) -> Disclosure:
    """A disclosure of the breach's school (or board) to take the pupils from."""
    schools = (
        [breach.school_id]
        if breach.school_id
        else School.objects.filter(board_id=breach.board_id).values("pk")
    )
    return scoped_get(
        user=user,
        queryset=Disclosure.objects.filter(school_id__in=schools),
        raw_id=disclosure_id,
        object_type="disclosure",
        data_kind=DataKind.BASICS,
    )


def pupils_of_disclosure(disclosure: Disclosure) -> list[int]:
    """Exactly the pupils the disclosure record says were sent."""
    return list(
        DisclosedPupil.objects.filter(disclosure=disclosure)
        .order_by("student_id")
        .values_list("student_id", flat=True)
    )


def pupils_viewed_by(
    *, breach: Breach, actor_id: int, since: datetime.datetime, until: datetime.datetime
) -> list[int]:
    """Exactly the pupils of the breach's school (or board) whose data this account opened
    in the period, from the audit trail (allowed reads only)."""
    return _pupils_viewed(breach=breach, actors=[actor_id], since=since, until=until)


def pupils_viewed_by_email(
    *, breach: Breach, email: str, since: datetime.datetime, until: datetime.datetime
) -> list[int]:
    """The same for the account with this email address. The account is looked up inside
    the one query, so an address without an account costs the same work and gives the same
    answer (no pupils) as an account that opened nothing: the page never tells whether an
    address has an account."""
    actors = User.objects.filter(email=email.strip().lower()).values("pk")
    return _pupils_viewed(breach=breach, actors=actors, since=since, until=until)


def _pupils_viewed(*, breach: Breach, actors, since, until) -> list[int]:
    schools = (
        [breach.school_id]
        if breach.school_id
        else list(School.objects.filter(board_id=breach.board_id).values_list("pk", flat=True))
    )
    ids = (
        AccessEvent.objects.filter(
            actor_id__in=actors,
            outcome=Outcome.ALLOWED,
            action__in=[Action.VIEW, Action.EXPORT],
            created_at__gte=since,
            created_at__lt=until,
            student_id__isnull=False,
            school_id__in=schools,
        )
        .values_list("student_id", flat=True)
        .distinct()
    )
    return sorted(set(ids))


def pupils_of(breach: Breach) -> QuerySet[Student]:
    return Student.objects.filter(pk__in=breach.pupil_links.values("student_id")).select_related(
        "school", "group"
    )


def register_schools_for(user) -> QuerySet[School]:
    function_require(
        user=user,
        function=Function.VIEW_PROCESSING_REGISTER,
        object_type="processing_register",
        data_kind=DataKind.SCHOOL,
    )
    return (
        School.objects.filter(pk__in=school_ids_with(user, "view_school_register"))
        .select_related("board")
        .order_by("name")
    )
