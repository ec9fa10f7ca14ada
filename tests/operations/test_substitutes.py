"""A substitute's access follows the dates of the period: the selectors honour them at once,
the daily job records the start and withdraws the permissions after the last day."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from accounts.constants import Role
from audit.constants import Action
from audit.models import AccessEvent
from students.exceptions import PlacementError
from students.models import GroupTeacher, GroupUserObjectPermission
from students.permissions import GROUP, role_codenames
from students.selectors import progress_write_reach, students_visible_to
from students.services import teacher_assign_to_group, teacher_periods_sync
from students.services.reads import care_records_open_for

from ..students.factories import UserFactory

FIRST_DAY = datetime.date(2026, 3, 9)
LAST_DAY = datetime.date(2026, 3, 13)


@pytest.fixture
def substitute(term_world):
    """A substitute for Groep 5 from Monday 9 to Friday 13 March, arranged on 2 March."""
    world = term_world
    user = UserFactory.create(email="invaller@t.example")
    assignment = teacher_assign_to_group(
        teacher=user,
        group=world.group5,
        actor=world.users["director"],
        starts_on=FIRST_DAY,
        ends_on=LAST_DAY,
        substitute=True,
    )
    return user, assignment


def _access(user, world) -> dict:
    """What the substitute reaches of Groep 5's pupil: the list, the care records marked for
    teachers, and writing progress."""
    pupil = world.pupil5
    try:
        _student, care, _reach = care_records_open_for(user=user, student_id=pupil.pk)
        care_ids = {record.pk for record in care}
    except Http404:
        care_ids = None
    try:
        writes = progress_write_reach(user=user, student_id=pupil.pk) == pupil
    except Http404:
        writes = False
    return {
        "pupils": set(students_visible_to(user).values_list("pk", flat=True)),
        "care": care_ids,
        "writes_progress": writes,
    }


def _no_access() -> dict:
    return {"pupils": set(), "care": None, "writes_progress": False}


def _period_events(assignment) -> list[tuple[str, str]]:
    return list(
        AccessEvent.objects.filter(
            object_type__in=("group_teacher_start", "group_teacher_end"),
            object_id=str(assignment.pk),
        )
        .order_by("created_at", "id")
        .values_list("object_type", "action")
    )


def test_substitute_has_access_only_within_the_period_when_days_pass(
    term_world, term_clock, substitute
):
    world = term_world
    user, _assignment = substitute
    during = {
        "pupils": {world.pupil5.pk},
        # Only the record marked for teachers, not the one for the care team.
        "care": {world.care["pupil5"].pk},
        "writes_progress": True,
    }

    term_clock.at(FIRST_DAY - datetime.timedelta(days=1), hour=23, minute=59)
    before = _access(user, world)
    term_clock.at(FIRST_DAY, hour=0, minute=1)
    first_day = _access(user, world)
    term_clock.at(LAST_DAY, hour=23, minute=59)
    last_day = _access(user, world)
    term_clock.at(LAST_DAY + datetime.timedelta(days=1), hour=0, minute=1)
    day_after = _access(user, world)

    assert before == _no_access()
    assert first_day == during
    assert last_day == during
    # The daily job has not run: the permissions are still there, the dates already count.
    assert GroupUserObjectPermission.objects.filter(user=user, content_object=world.group5)
    assert day_after == _no_access()


def test_daily_job_records_the_period_and_withdraws_permissions_once_when_run_twice(
    term_world, term_clock, substitute
):
    world = term_world
    user, assignment = substitute

    term_clock.at(FIRST_DAY, hour=0, minute=15)
    on_first_day = teacher_periods_sync()
    term_clock.at(LAST_DAY, hour=0, minute=15)
    on_last_day = teacher_periods_sync()
    still_held = set(
        GroupUserObjectPermission.objects.filter(
            user=user, content_object=world.group5
        ).values_list("permission__codename", flat=True)
    )
    term_clock.at(LAST_DAY + datetime.timedelta(days=1), hour=0, minute=15)
    after = teacher_periods_sync()
    events = _period_events(assignment)
    again = teacher_periods_sync()

    assert on_first_day == {"started": 1, "ended": 0}
    assert on_last_day == {"started": 0, "ended": 0}
    assert still_held == set(role_codenames(Role.TEACHER, GROUP))
    assert after == {"started": 0, "ended": 1}
    assert not GroupUserObjectPermission.objects.filter(user=user, content_object=world.group5)
    assert events == [
        ("group_teacher_start", Action.CREATE),
        ("group_teacher_end", Action.DELETE),
    ]
    assignment.refresh_from_db()
    assert assignment.access_started_at is not None
    assert assignment.access_ended_at is not None
    # Running it again changes nothing.
    assert again == {"started": 0, "ended": 0}
    assert _period_events(assignment) == events
    assert _access(user, world) == _no_access()
    # The group's own teacher is untouched by the substitute's period.
    assert set(students_visible_to(world.users["teacher"]).values_list("pk", flat=True)) == {
        world.pupil3.pk
    }


def test_assignment_is_refused_when_the_last_day_is_before_the_first_day(term_world):
    world = term_world
    user = UserFactory.create(email="invaller@t.example")

    with pytest.raises(PlacementError):
        teacher_assign_to_group(
            teacher=user,
            group=world.group5,
            starts_on=LAST_DAY,
            ends_on=FIRST_DAY,
            substitute=True,
        )

    assert not GroupTeacher.objects.filter(teacher=user).exists()
    assert not GroupUserObjectPermission.objects.filter(user=user).exists()


def test_assignment_is_refused_when_the_last_day_is_in_the_past(term_world, term_clock):
    world = term_world
    user = UserFactory.create(email="invaller@t.example")
    yesterday = datetime.date(2026, 3, 1)

    with pytest.raises(PlacementError):
        teacher_assign_to_group(
            teacher=user,
            group=world.group5,
            starts_on=yesterday - datetime.timedelta(days=4),
            ends_on=yesterday,
            substitute=True,
        )
    today = teacher_assign_to_group(
        teacher=user,
        group=world.group5,
        starts_on=yesterday - datetime.timedelta(days=4),
        ends_on=yesterday + datetime.timedelta(days=1),
        substitute=True,
    )

    assert today.ends_on == datetime.date(2026, 3, 2)
    assert set(students_visible_to(user).values_list("pk", flat=True)) == {world.pupil5.pk}
