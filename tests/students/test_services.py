"""Services that change pupils and scope, and the database constraints under them."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.constants import Role
from students.constants import WithdrawalDestination
from students.exceptions import PlacementError, WithdrawalError
from students.models import Placement, Student
from students.selectors import students_visible_to
from students.services import school_create, student_enrol, student_withdraw

from .factories import GroupFactory, StudentFactory, make_staff


def _enrol(world, **overrides):
    data = {
        "actor": world.users["administration"],
        "school": world.school,
        "group": world.group3,
        "first_names": "Lot Maria",
        "given_name": "Lot",
        "surname": "Vis",
        "date_of_birth": datetime.date(2019, 3, 1),
        "sex": "F",
        "year_group": 3,
        "enrolled_on": datetime.date(2023, 8, 21),
    }
    return student_enrol(**{**data, **overrides})


def test_enrolled_pupil_is_visible_to_the_group_teacher_at_once(world):
    student = _enrol(world)
    assert student in students_visible_to(world.users["teacher"])
    assert student.placements.get().group == world.group3


def test_enrol_is_refused_when_group_of_other_school_or_year(world):
    with pytest.raises(PlacementError):
        _enrol(world, group=world.other_group, year_group=3)
    with pytest.raises(PlacementError):
        _enrol(world, year_group=5)
    assert not Student.objects.filter(surname="Vis").exists()


def test_combination_group_takes_both_year_groups(world):
    director2 = make_staff(Role.DIRECTOR, school=world.other_school)
    for year_group in (3, 4):
        _enrol(
            world,
            school=world.other_school,
            group=world.other_group,
            year_group=year_group,
            actor=director2,
        )
    assert world.other_group.students.count() == 3


def test_withdrawal_is_refused_when_dates_are_wrong(world):
    today = timezone.localdate()
    with pytest.raises(WithdrawalError):
        student_withdraw(
            actor=None,
            student=world.pupil3,
            on=world.pupil3.enrolled_on - datetime.timedelta(days=1),
            destination=WithdrawalDestination.ABROAD,
        )
    with pytest.raises(WithdrawalError):
        student_withdraw(
            actor=None,
            student=world.pupil3,
            on=today + datetime.timedelta(days=1),
            destination=WithdrawalDestination.ABROAD,
        )
    student_withdraw(
        actor=None, student=world.pupil3, on=today, destination=WithdrawalDestination.ABROAD
    )
    with pytest.raises(WithdrawalError):
        student_withdraw(
            actor=None, student=world.pupil3, on=today, destination=WithdrawalDestination.ABROAD
        )
    world.pupil3.refresh_from_db()
    assert world.pupil3.group is None
    assert world.pupil3.placements.get().ended_on == today


@pytest.mark.parametrize(
    "changes",
    [
        {"year_group": 9},
        {"year_group": 0},
        {"withdrawn_on": datetime.date(2020, 1, 1), "group": None},
        {"withdrawn_on": datetime.date(2024, 1, 1)},  # withdrawn but still in a group
        {"withdrawal_destination": "abroad"},  # a destination without a withdrawal
    ],
)
def test_database_refuses_a_pupil_that_breaks_a_rule(world, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Student.objects.filter(pk=world.pupil3.pk).update(**changes)


def test_database_refuses_two_open_base_groups_in_one_school_year(world):
    other = GroupFactory.create(school=world.school, year_group_low=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            student=world.pupil3,
            group=other,
            school_year=world.group3.school_year,
            started_on=datetime.date(2024, 1, 1),
        )


def test_database_refuses_a_group_outside_year_groups_1_to_8(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupFactory.create(school=world.school, year_group_low=8, year_group_high=9)


def test_new_school_of_the_board_is_overseen_by_its_privacy_officer(world):
    officer = world.users["privacy_officer"]
    school = school_create(board=world.school.board, name="OBS Nieuw", brin="56EF")
    assert officer.has_perm("students.view_school_audit", school)


def test_former_pupil_stays_visible_to_school_staff_only(world):
    former = StudentFactory.create(withdrawn=True, school=world.school)
    assert former in students_visible_to(world.users["director"], include_former=True)
    assert former not in students_visible_to(world.users["teacher"], include_former=True)


def test_withdrawal_before_the_current_placement_is_refused_not_a_500(world):
    today = timezone.localdate()
    started = today - datetime.timedelta(days=3)
    Placement.objects.filter(student=world.pupil3, ended_on__isnull=True).update(started_on=started)
    with translation.override("en"), pytest.raises(WithdrawalError) as refused:
        student_withdraw(
            actor=None,
            student=world.pupil3,
            on=started - datetime.timedelta(days=1),
            destination=WithdrawalDestination.ABROAD,
        )
    assert "placement" in refused.value.message
    world.pupil3.refresh_from_db()
    assert world.pupil3.withdrawn_on is None
    student_withdraw(
        actor=None, student=world.pupil3, on=started, destination=WithdrawalDestination.ABROAD
    )


def test_former_pupil_guard_reads_the_pupil_row_locked_inside_a_transaction(world, monkeypatch):
    from django.db.models import QuerySet

    from students.exceptions import FormerPupilError
    from students.services import pupil_require_enrolled

    seen: list[type] = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        seen.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    with transaction.atomic():
        pupil_require_enrolled(world.pupil3)
    assert seen == [Student]
    # A copy held from before the leaving is refused all the same.
    stale = Student.objects.get(pk=world.pupil3.pk)
    Student.objects.filter(pk=stale.pk).update(withdrawn_on=timezone.localdate(), group=None)
    with transaction.atomic(), pytest.raises(FormerPupilError):
        pupil_require_enrolled(stale)
