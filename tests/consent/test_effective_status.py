"""The effective consent status is derived from append-only evidence: one refusal of a guardian
with parental authority wins, each guardian's latest decision counts, yearly purposes expire with
the school year, and a material text change asks consent again."""

import threading
from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connection, transaction
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from consent.constants import Channel, Decision, Status
from consent.models import ConsentDecision, ConsentPurpose
from consent.selectors.status import current_school_year, derive_status, statuses_for
from consent.services import NotAGuardianError, consent_record, purpose_text_change, purposes_seed
from students.models import Group, Guardian, School, Student
from tests.students.factories import (
    GroupFactory,
    GuardianFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
    link_guardian,
)

GRANTED, REFUSED, WITHDRAWN = Decision.GRANTED, Decision.REFUSED, Decision.WITHDRAWN

# --- the pure rule ----------------------------------------------------------------------------

A, B, LIMITED = 1, 2, 3
AUTHORITY = {A, B}


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ([], Status.UNKNOWN),
        ([(A, GRANTED, 1), (B, REFUSED, 1)], Status.REFUSED),
        ([(B, REFUSED, 1), (A, GRANTED, 1)], Status.REFUSED),
        ([(A, GRANTED, 1), (B, GRANTED, 1)], Status.GRANTED),
        ([(A, GRANTED, 1)], Status.GRANTED),
        ([(A, WITHDRAWN, 1)], Status.REFUSED),
        ([(A, GRANTED, 1), (B, WITHDRAWN, 1)], Status.REFUSED),
        ([(LIMITED, GRANTED, 1)], Status.UNKNOWN),
        ([(A, GRANTED, 1), (LIMITED, REFUSED, 1)], Status.GRANTED),
        ([(LIMITED, WITHDRAWN, 1)], Status.UNKNOWN),
    ],
)
def test_derive_status_gives_expected_status_when_guardians_decide(decisions, expected):
    assert derive_status(decisions, authority=AUTHORITY, min_version=0) == expected


def test_derive_status_ignores_grant_when_it_answered_a_text_older_than_the_material_change():
    assert derive_status([(A, GRANTED, 1)], authority=AUTHORITY, min_version=2) == Status.UNKNOWN
    assert derive_status([(A, GRANTED, 2)], authority=AUTHORITY, min_version=2) == Status.GRANTED
    assert derive_status([(A, GRANTED, 3)], authority=AUTHORITY, min_version=2) == Status.GRANTED


def test_derive_status_keeps_refusal_when_it_answered_a_text_older_than_the_material_change():
    decisions = [(A, GRANTED, 2), (B, REFUSED, 1)]
    assert derive_status(decisions, authority=AUTHORITY, min_version=2) == Status.REFUSED


# --- the DB-backed status ---------------------------------------------------------------------


@dataclass
class Family:
    school: School
    group: Group
    pupil: Student
    a: Guardian  # parental authority
    b: Guardian  # parental authority
    limited: Guardian  # no parental authority
    clerk: User

    def purpose(self, code: str = "website") -> ConsentPurpose:
        # Fresh from the database: the current text version may have changed.
        return ConsentPurpose.objects.select_related("current_version").get(
            school=self.school, code=code
        )

    def decide(self, who: str, decision: str, code: str = "website") -> ConsentDecision:
        purpose = self.purpose(code)
        guardian = getattr(self, who)
        if who == "limited":
            # The service refuses guardians without authority; write the evidence directly to
            # prove the rule ignores it anyway.
            return ConsentDecision.objects.create(
                student=self.pupil,
                purpose=purpose,
                version=purpose.current_version,  # type: ignore[misc]  # seeded purpose
                guardian=guardian,
                decision=decision,
                channel=Channel.PAPER,
                school_year=current_school_year(),
                recorded_by=self.clerk,
            )
        return consent_record(
            student=self.pupil,
            purpose=purpose,
            guardian_id=guardian.pk,
            decision=decision,
            channel=Channel.PORTAL,
            recorded_by=self.clerk,
        )

    def status(self, code: str = "website") -> str:
        purpose = self.purpose(code)
        return statuses_for(student_ids=[self.pupil.pk], purposes=[purpose])[
            (self.pupil.pk, purpose.pk)
        ]

    def change_text(self, *, requires_new_consent: bool, code: str = "website"):
        return purpose_text_change(
            user=self.clerk,
            purpose=self.purpose(code),
            title_nl="Foto's op de website",
            title_en="Photos on the website",
            text_nl="Nieuwe tekst",
            text_en="New text",
            requires_new_consent=requires_new_consent,
        )


@pytest.fixture
def school(db) -> School:
    school = SchoolFactory.create()
    purposes_seed(school=school)
    return school


@pytest.fixture
def clerk(db) -> User:
    return UserFactory.create()


def _family(school: School, clerk: User) -> Family:
    group = Group.objects.filter(school=school).first() or GroupFactory.create(school=school)
    pupil = StudentFactory.create(group=group)
    guardians = {}
    for key, authority in (("a", True), ("b", True), ("limited", False)):
        guardians[key] = GuardianFactory.create()
        link_guardian(guardians[key], pupil, has_authority=authority)
    return Family(school=school, group=group, pupil=pupil, clerk=clerk, **guardians)


@pytest.fixture
def family(school, clerk) -> Family:
    return _family(school, clerk)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([], Status.UNKNOWN),
        ([("a", GRANTED), ("b", REFUSED)], Status.REFUSED),
        ([("b", REFUSED), ("a", GRANTED)], Status.REFUSED),
        ([("a", GRANTED), ("b", GRANTED)], Status.GRANTED),
        ([("a", GRANTED)], Status.GRANTED),
        ([("a", GRANTED), ("a", WITHDRAWN)], Status.REFUSED),
        ([("a", REFUSED), ("a", GRANTED)], Status.GRANTED),
        ([("a", GRANTED), ("b", REFUSED), ("b", GRANTED)], Status.GRANTED),
        ([("a", WITHDRAWN), ("a", GRANTED), ("b", GRANTED), ("b", WITHDRAWN)], Status.REFUSED),
        ([("limited", GRANTED)], Status.UNKNOWN),
        ([("a", GRANTED), ("limited", REFUSED)], Status.GRANTED),
        ([("a", GRANTED), ("limited", WITHDRAWN)], Status.GRANTED),
    ],
)
def test_statuses_for_gives_expected_status_when_guardians_decide_in_order(family, steps, expected):
    for who, decision in steps:
        family.decide(who, decision)
    assert family.status() == expected


def test_status_is_per_purpose_when_guardians_decide_for_one_purpose(family):
    family.decide("a", GRANTED, "website")
    family.decide("b", REFUSED, "newsletter")
    assert family.status("website") == Status.GRANTED
    assert family.status("newsletter") == Status.REFUSED
    assert family.status("school_guide") == Status.UNKNOWN


def test_status_is_per_pupil_when_a_sibling_has_decisions(family, school, clerk):
    sibling = _family(school, clerk)
    family.decide("a", GRANTED)
    sibling.decide("a", REFUSED)
    purpose = family.purpose()
    statuses = statuses_for(student_ids=[family.pupil.pk, sibling.pupil.pk], purposes=[purpose])
    assert statuses == {
        (family.pupil.pk, purpose.pk): Status.GRANTED,
        (sibling.pupil.pk, purpose.pk): Status.REFUSED,
    }


def test_consent_record_refuses_guardian_when_without_parental_authority(family):
    with pytest.raises(NotAGuardianError):
        consent_record(
            student=family.pupil,
            purpose=family.purpose(),
            guardian_id=family.limited.pk,
            decision=GRANTED,
            channel=Channel.PORTAL,
            recorded_by=family.clerk,
        )
    assert not ConsentDecision.objects.filter(student=family.pupil).exists()


# --- school years -----------------------------------------------------------------------------


def _renewal(code: str) -> str | None:
    return ConsentPurpose.objects.filter(code=code).values_list("renewal", flat=True).first()


def test_yearly_grant_counts_until_the_school_year_ends_when_given_last_school_year(family):
    assert _renewal("website") == "yearly"
    with freeze_time("2025-10-01 10:00"):
        row = family.decide("a", GRANTED, "website")
    assert row.school_year == 2025
    with freeze_time("2026-07-31 10:00"):
        assert family.status("website") == Status.GRANTED
    with freeze_time("2026-08-01 10:00"):
        assert family.status("website") == Status.UNKNOWN


def test_yearly_refusal_lapses_too_when_given_last_school_year(family):
    with freeze_time("2025-10-01 10:00"):
        family.decide("a", GRANTED, "newsletter")
        family.decide("b", REFUSED, "newsletter")
    with freeze_time("2026-10-01 10:00"):
        assert family.status("newsletter") == Status.UNKNOWN
        family.decide("a", GRANTED, "newsletter")
        assert family.status("newsletter") == Status.GRANTED


def test_until_withdrawn_grant_still_counts_when_given_last_school_year(family):
    assert _renewal("school_guide") == "until_withdrawn"
    with freeze_time("2025-10-01 10:00"):
        family.decide("a", GRANTED, "school_guide")
    with freeze_time("2026-10-01 10:00"):
        assert family.status("school_guide") == Status.GRANTED
        family.decide("b", WITHDRAWN, "school_guide")
        assert family.status("school_guide") == Status.REFUSED


def test_statuses_for_uses_the_given_school_year_when_one_is_asked(family):
    with freeze_time("2025-10-01 10:00"):
        family.decide("a", GRANTED, "website")
    purpose = family.purpose("website")
    with freeze_time("2026-10-01 10:00"):
        past = statuses_for(student_ids=[family.pupil.pk], purposes=[purpose], school_year=2025)
        now = statuses_for(student_ids=[family.pupil.pk], purposes=[purpose])
    assert past[(family.pupil.pk, purpose.pk)] == Status.GRANTED
    assert now[(family.pupil.pk, purpose.pk)] == Status.UNKNOWN


# --- text versions ----------------------------------------------------------------------------


def test_earlier_grants_no_longer_count_when_text_change_requires_new_consent(family):
    grant = family.decide("a", GRANTED)
    first_version = grant.version_id
    version = family.change_text(requires_new_consent=True)
    assert version.number == 2
    assert family.status() == Status.UNKNOWN
    grant.refresh_from_db()
    assert grant.version_id == first_version
    assert ConsentDecision.objects.get(pk=grant.pk).version.number == 1
    renewed = family.decide("a", GRANTED)
    assert renewed.version_id == version.pk
    assert family.status() == Status.GRANTED


def test_earlier_refusal_still_counts_when_text_change_requires_new_consent(family):
    family.decide("b", REFUSED)
    family.change_text(requires_new_consent=True)
    family.decide("a", GRANTED)
    assert family.status() == Status.REFUSED


def test_earlier_grants_still_count_when_text_change_does_not_require_new_consent(family):
    grant = family.decide("a", GRANTED)
    version = family.change_text(requires_new_consent=False)
    assert version.number == 2
    assert family.status() == Status.GRANTED
    assert ConsentDecision.objects.get(pk=grant.pk).version.number == 1


def test_grants_to_the_material_text_count_when_a_later_change_is_minor(family):
    family.change_text(requires_new_consent=True)
    grant = family.decide("a", GRANTED)
    family.change_text(requires_new_consent=False)
    assert grant.version.number == 2
    assert family.status() == Status.GRANTED
    family.change_text(requires_new_consent=True)
    assert family.status() == Status.UNKNOWN


# --- property: the status always follows the rule --------------------------------------------

GUARDIAN_KEYS = ("a", "b", "limited")


def _oracle(sequence) -> str:
    last = {}
    for index, decision in sequence:
        if GUARDIAN_KEYS[index] != "limited":
            last[index] = decision
    if any(d in (REFUSED, WITHDRAWN) for d in last.values()):
        return Status.REFUSED
    if any(d == GRANTED for d in last.values()):
        return Status.GRANTED
    return Status.UNKNOWN


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sequence=st.lists(
        st.tuples(st.sampled_from([0, 1, 2]), st.sampled_from([GRANTED, REFUSED, WITHDRAWN])),
        max_size=12,
    )
)
def test_status_matches_the_rule_when_any_sequence_of_decisions_is_recorded(
    school, clerk, sequence
):
    family = _family(school, clerk)  # a fresh pupil per example: a clean slate
    for index, decision in sequence:
        family.decide(GUARDIAN_KEYS[index], decision)
    assert ConsentDecision.objects.filter(student=family.pupil).count() == len(sequence)
    assert family.status() == _oracle(sequence)


# --- append-only ------------------------------------------------------------------------------


def test_queryset_update_and_delete_raise_when_decisions_are_changed(family):
    row = family.decide("a", GRANTED)
    rows = ConsentDecision.objects.filter(pk=row.pk)
    with pytest.raises(TypeError):
        rows.update(decision=REFUSED)
    with pytest.raises(TypeError):
        rows.delete()
    with pytest.raises(TypeError):
        ConsentDecision.objects.all().delete()
    row.decision = REFUSED
    # bulk_update opens its own atomic block without a savepoint: give it one.
    with pytest.raises(TypeError), transaction.atomic():
        ConsentDecision.objects.bulk_update([row], ["decision"])
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    assert ConsentDecision.objects.get(pk=row.pk).decision == GRANTED
    assert family.status() == Status.GRANTED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_trigger_refuses_update_and_delete_when_on_postgresql(family):
    row = family.decide("a", GRANTED)
    for statement in (
        "UPDATE consent_consentdecision SET decision = 'refused' WHERE id = %s",
        "DELETE FROM consent_consentdecision WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [row.pk])
    assert ConsentDecision.objects.get(pk=row.pk).decision == GRANTED


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent sessions")
@pytest.mark.django_db(transaction=True)
def test_both_decisions_are_kept_when_two_guardians_decide_at_the_same_moment(world):
    pupil = world.pupil3
    purpose = ConsentPurpose.objects.select_related("current_version").get(
        school=world.school, code="newsletter"
    )
    first = world.users["guardian"].guardian
    second = GuardianFactory.create(email="second-parent@home.example")
    link_guardian(second, pupil)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def act(guardian, decision):
        try:
            barrier.wait(timeout=10)
            consent_record(
                student=pupil,
                purpose=purpose,
                guardian_id=guardian.pk,
                decision=decision,
                channel=Channel.PORTAL,
                recorded_by=world.users["guardian"],
            )
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(first, GRANTED)),
        threading.Thread(target=act, args=(second, REFUSED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    rows = ConsentDecision.objects.filter(student=pupil, purpose=purpose)
    assert sorted(rows.values_list("guardian_id", "decision")) == sorted(
        [(first.pk, GRANTED), (second.pk, REFUSED)]
    )
    statuses = statuses_for(student_ids=[pupil.pk], purposes=[purpose])
    assert statuses[(pupil.pk, purpose.pk)] == Status.REFUSED


def test_school_year_changes_when_august_begins():
    with freeze_time("2026-07-31 12:00"):
        assert current_school_year() == 2025
    with freeze_time("2026-08-01 12:00"):
        assert current_school_year() == 2026
