"""Setting up a school (onboarding.services.school_provision), the one place that does it: the
school overseen by the board's privacy officers at once, its director's scope, the standard
consent purposes and the retention rules; idempotent; another board's BRIN is refused."""

from __future__ import annotations

import pytest

from accounts.constants import Role
from consent.constants import DEFAULT_PURPOSES
from onboarding.services import ProvisioningError, board_provision, school_provision
from retention.constants import DEFAULTS
from retention.models import RetentionRule
from students.models import School

from ..students.factories import UserFactory, make_staff


def _counts(school: School) -> tuple[int, int, int]:
    return (
        School.objects.count(),
        school.purposes.count(),
        RetentionRule.objects.filter(school=school).count(),
    )


def test_school_is_set_up_once_with_director_purposes_and_rules_when_provisioned_twice(db):
    board = board_provision(name="Stichting X")
    school_provision(board=board, name="OBS Eerste", brin="11AA")
    officer = make_staff(Role.PRIVACY_OFFICER, board=board, email="privacy@x.example")
    director = UserFactory(email="dir@x.example")

    school = school_provision(board=board, name="OBS Nieuw", brin="55NW", director=director)
    again = school_provision(board=board, name="OBS Nieuw", brin="55NW", director=director)

    assert again == school
    assert _counts(school) == (2, len(DEFAULT_PURPOSES), len(DEFAULTS))
    assert director.has_role(Role.DIRECTOR)
    assert director.has_perm("students.manage_school_staff", school)
    assert officer.has_perm("students.view_school_audit", school)
    assert {p.current_version.created_by for p in school.purposes.all()} == {director}
    assert not RetentionRule.objects.filter(school=school, enabled=True).exists()


def test_rules_stay_unsaved_and_purposes_are_written_by_whom_asked_when_told_so(db):
    board = board_provision(name="Stichting X")
    author = UserFactory(email="author@x.example")

    school = school_provision(
        board=board, name="OBS Nieuw", brin="55NW", set_up_by=author, retention_rules=False
    )

    assert _counts(school) == (1, len(DEFAULT_PURPOSES), 0)
    assert {p.current_version.created_by for p in school.purposes.all()} == {author}
    assert not author.has_role(Role.DIRECTOR)


def test_provisioning_is_refused_and_changes_nothing_when_the_brin_is_another_boards(db):
    school = school_provision(board=board_provision(name="Stichting X"), name="A", brin="55NW")
    before = _counts(school)

    with pytest.raises(ProvisioningError, match="another board"):
        school_provision(board=board_provision(name="Stichting Y"), name="B", brin="55NW")

    assert _counts(school) == before
    assert School.objects.get().board.name == "Stichting X"
