"""The school year turns: the preview is what is applied, in one transaction and once; a
plan scheduled in July is applied by the daily job on 1 August and moves teachers' scope."""

from __future__ import annotations

import datetime

import pytest

from audit.models import AccessEvent
from students.constants import WithdrawalDestination
from students.models import (
    Group,
    GroupTeacher,
    GroupUserObjectPermission,
    Placement,
    RolloverPlan,
    Student,
)
from students.rollover.services import (
    RolloverError,
    plan_save,
    preview_data,
    rollover_apply,
    rollover_preview,
    rollover_schedule,
    rollover_scheduled_apply,
)
from students.selectors import students_visible_to
from students.services import teacher_periods_sync

from .conftest import YEAR

NEXT = YEAR + 1
APPLY_DAY = datetime.date(2027, 7, 20)  # applied by hand: it takes effect that day
FIRST_AUGUST = datetime.date(2027, 8, 1)


def _plan(world) -> RolloverPlan:
    """Eva stays in Groep 4; Kim goes to special education; the teacher of Groep 3 moves up
    with the class to Groep 4, a new teacher takes Groep 3, the teacher of Groep 4 leaves."""
    teachers = world.teachers
    return plan_save(
        user=world.director,
        school=world.school,
        kept_back=[world.pupils["kept_back"].pk],
        destinations={world.pupils["leaver_special"].pk: WithdrawalDestination.SPECIAL_EDUCATION},
        teachers={
            "Groep 3": [teachers["new"].pk],
            "Groep 4": [teachers["Groep 3"].pk],
        },
    )


def _counts(school) -> dict[str, int]:
    return {
        "groups": Group.objects.filter(school=school).count(),
        "placements": Placement.objects.filter(student__school=school).count(),
        "open_placements": Placement.objects.filter(
            student__school=school, ended_on__isnull=True
        ).count(),
        "group_teachers": GroupTeacher.objects.filter(group__school=school).count(),
        "events": AccessEvent.objects.count(),
    }


def _state(school) -> dict:
    """Every pupil's group, year group and withdrawal, and every teacher's period."""
    return {
        "pupils": {
            s.pk: (
                s.group_id,
                s.year_group,
                s.withdrawn_on,
                s.withdrawal_destination,
            )
            for s in Student.objects.filter(school=school)
        },
        "teachers": sorted(
            GroupTeacher.objects.filter(group__school=school).values_list(
                "group_id", "teacher_id", "starts_on", "ends_on"
            )
        ),
        "plan": list(RolloverPlan.objects.filter(school=school).values_list("status", flat=True)),
    }


def test_applied_result_equals_the_preview_when_applied_by_hand(end_of_year, clock):
    world = end_of_year
    _plan(world)
    preview = preview_data(rollover_preview(school=world.school))
    assert preview["school_year"] == NEXT
    assert preview["status"] == RolloverPlan.Status.DRAFT
    clock.at(APPLY_DAY)

    plan, done = rollover_apply(user=world.director, school=world.school)

    assert done is True
    assert plan.status == RolloverPlan.Status.APPLIED
    the_day_before = APPLY_DAY - datetime.timedelta(days=1)
    new_groups = {g.name: g for g in Group.objects.filter(school=world.school, school_year=NEXT)}
    # Every group of the preview exists for the next school year with the previewed range,
    # teachers and pupils; nothing more.
    assert sorted(new_groups) == sorted(g["name"] for g in preview["groups"])
    for item in preview["groups"]:
        group = new_groups[item["name"]]
        assert (group.year_group_low, group.year_group_high) == (
            item["year_group_low"],
            item["year_group_high"],
        )
        assignments = GroupTeacher.objects.filter(group=group)
        assert sorted(a.teacher_id for a in assignments) == sorted(item["teachers"])
        assert all(a.starts_on == APPLY_DAY and a.ends_on is None for a in assignments)
        assert group.students.count() == item["pupils"]
    # Every pupil is where the preview said, with the previous placement closed the day
    # before and the new one opened that day; leavers withdrawn the day before.
    assert len(preview["moves"]) == len(world.pupils)
    for move in preview["moves"]:
        pupil = Student.objects.get(pk=move["student"])
        old = Placement.objects.get(student=pupil, school_year=YEAR)
        assert old.group.name == move["from_group"]
        assert old.ended_on == the_day_before
        if move["action"] == "leave":
            assert pupil.group is None
            assert pupil.withdrawn_on == the_day_before
            assert pupil.withdrawal_destination == move["destination"]
            assert not Placement.objects.filter(student=pupil, school_year=NEXT).exists()
        else:
            assert pupil.withdrawn_on is None
            assert pupil.group == new_groups[move["to_group"]]
            assert pupil.year_group == move["year_to"]
            new = Placement.objects.get(student=pupil, school_year=NEXT)
            assert (new.group, new.started_on, new.ended_on) == (pupil.group, APPLY_DAY, None)
    # The preview said what a reader of the plan expects.
    moves = {m["student"]: m for m in preview["moves"]}
    pupils = world.pupils
    assert moves[pupils["year1"].pk]["to_group"] == "Groep 1/2"  # a combination keeps its young
    assert moves[pupils["year2"].pk]["to_group"] == "Groep 3"
    assert moves[pupils["kept_back"].pk]["action"] == "keep_back"
    assert moves[pupils["kept_back"].pk]["year_to"] == 4
    assert moves[pupils["year4"].pk]["to_group"] == "Groep 5/6"
    assert moves[pupils["leaver"].pk]["destination"] == WithdrawalDestination.SECONDARY_SCHOOL
    assert (
        moves[pupils["leaver_special"].pk]["destination"] == WithdrawalDestination.SPECIAL_EDUCATION
    )
    # Last year's teachers end the day before; the pupil withdrawn earlier is untouched.
    old_assignments = GroupTeacher.objects.filter(group__school_year=YEAR)
    assert {a.ends_on for a in old_assignments} == {the_day_before}
    world.former.refresh_from_db()
    assert world.former.withdrawn_on == datetime.date(2025, 3, 1)
    assert world.former.withdrawal_destination == WithdrawalDestination.ABROAD
    # After the turn the preview shows what was applied.
    after = preview_data(rollover_preview(school=world.school))
    assert after["status"] == RolloverPlan.Status.APPLIED
    assert {k: v for k, v in after.items() if k != "status"} == {
        k: v for k, v in preview.items() if k != "status"
    }


def test_nothing_changes_twice_when_rollover_applied_again(end_of_year, clock):
    world = end_of_year
    _plan(world)
    clock.at(APPLY_DAY)
    rollover_apply(user=world.director, school=world.school)
    counts, state = _counts(world.school), _state(world.school)

    plan, done = rollover_apply(user=world.director, school=world.school)
    clock.at(FIRST_AUGUST, hour=0, minute=5)
    applied_by_job = rollover_scheduled_apply()

    assert done is False
    assert plan.status == RolloverPlan.Status.APPLIED
    assert applied_by_job == 0
    assert _counts(world.school) == counts
    assert _state(world.school) == state


def test_nothing_is_created_when_a_next_year_group_cannot_take_its_pupils(end_of_year, clock):
    world = end_of_year
    _plan(world)
    # Someone prepared next year's Groep 3 for other year groups: Bram (year 3 next year)
    # cannot go in it. Groep 1/2 comes first, so the apply has begun when it is refused.
    Group.objects.create(
        school=world.school, name="Groep 3", school_year=NEXT, year_group_low=5, year_group_high=5
    )
    counts, state = _counts(world.school), _state(world.school)
    clock.at(APPLY_DAY)

    with pytest.raises(RolloverError):
        rollover_apply(user=world.director, school=world.school)

    assert _counts(world.school) == counts
    assert _state(world.school) == state
    assert not Group.objects.filter(school=world.school, name="Groep 1/2", school_year=NEXT)
    # The preview and scheduling already say so, long before the night of 1 August.
    with pytest.raises(RolloverError, match="Groep 3"):
        rollover_preview(school=world.school)
    with pytest.raises(RolloverError):
        rollover_schedule(user=world.director, school=world.school)


def test_group_made_beforehand_is_used_when_it_fits(end_of_year, clock):
    world = end_of_year
    _plan(world)
    prepared = Group.objects.create(
        school=world.school, name="Groep 3", school_year=NEXT, year_group_low=3, year_group_high=3
    )

    preview = preview_data(rollover_preview(school=world.school))
    clock.at(APPLY_DAY)
    rollover_apply(user=world.director, school=world.school)

    # An empty group of next year does not make the school look a year further on.
    assert preview["school_year"] == NEXT
    assert len(preview["moves"]) == len(world.pupils)
    assert Group.objects.filter(school=world.school, school_year=NEXT, name="Groep 3").get() == (
        prepared
    )
    assert list(prepared.students.all()) == [world.pupils["year2"]]


def test_rollover_is_refused_when_no_group_takes_a_year_group(end_of_year, clock):
    world = end_of_year
    _plan(world)
    # Without a Groep 7 the pupil going to year group 7 has nowhere to go.
    world.groups["Groep 7"].students.update(group=world.groups["Groep 8"], year_group=8)
    Group.objects.filter(pk=world.groups["Groep 7"].pk).update(
        name="Groep 8b", year_group_low=8, year_group_high=8
    )
    counts, state = _counts(world.school), _state(world.school)

    with pytest.raises(RolloverError):
        rollover_preview(school=world.school)
    with pytest.raises(RolloverError):
        rollover_schedule(user=world.director, school=world.school)
    with pytest.raises(RolloverError):
        rollover_apply(user=world.director, school=world.school)

    assert _counts(world.school) == counts
    assert _state(world.school) == state


def _ids(user) -> set[int]:
    return set(students_visible_to(user).values_list("pk", flat=True))


def test_teacher_scope_moves_to_the_new_group_when_the_daily_job_applies_on_1_august(
    end_of_year, clock
):
    world = end_of_year
    pupils, teachers = world.pupils, world.teachers
    _plan(world)
    plan = rollover_schedule(user=world.director, school=world.school)
    assert plan.status == RolloverPlan.Status.SCHEDULED
    old_group3 = world.groups["Groep 3"]

    clock.at(datetime.date(2027, 7, 31), hour=23, minute=50)
    applied_early = rollover_scheduled_apply()

    assert applied_early == 0
    assert _ids(teachers["Groep 3"]) == {pupils["year3"].pk, pupils["year3b"].pk}
    assert _ids(teachers["Groep 4"]) == {pupils["kept_back"].pk, pupils["year4"].pk}
    assert _ids(teachers["new"]) == set()

    clock.at(FIRST_AUGUST, hour=0, minute=5)
    applied = rollover_scheduled_apply()

    assert applied == 1
    # Cas and Daan moved up to Groep 4 with their teacher; Eva stayed back in Groep 4.
    assert _ids(teachers["Groep 3"]) == {
        pupils["year3"].pk,
        pupils["year3b"].pk,
        pupils["kept_back"].pk,
    }
    assert _ids(teachers["new"]) == {pupils["year2"].pk}
    # The teacher of Groep 4 does not continue: nothing, even before the periods job ran.
    assert _ids(teachers["Groep 4"]) == set()
    # Last year's group and placements stay as history; the director still sees everyone.
    assert Group.objects.filter(pk=old_group3.pk, school_year=YEAR).exists()
    assert set(
        Placement.objects.filter(group=old_group3).values_list("student_id", "ended_on")
    ) == {
        (pupils["year3"].pk, datetime.date(2027, 7, 31)),
        (pupils["year3b"].pk, datetime.date(2027, 7, 31)),
    }
    leavers = {pupils["leaver"].pk, pupils["leaver_special"].pk}
    enrolled = {p.pk for p in pupils.values()} - leavers
    assert _ids(world.director) == enrolled
    assert set(
        students_visible_to(world.director, only_former=True).values_list("pk", flat=True)
    ) == leavers | {world.former.pk}
    # The daily periods job then withdraws the old groups' permissions.
    teacher_periods_sync()
    assert not GroupUserObjectPermission.objects.filter(
        user=teachers["Groep 4"], content_object__school_year=YEAR
    ).exists()
    assert _ids(teachers["Groep 3"]) == {
        pupils["year3"].pk,
        pupils["year3b"].pk,
        pupils["kept_back"].pk,
    }
