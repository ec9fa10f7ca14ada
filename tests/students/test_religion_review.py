"""Religion consent, after review: who may speak for which parent (the reach decides, never the
URL), the to-do for entries recorded before consent was asked, the pupil row held by every
writer, a consent that ends with the parent's authority or with the entry, the consent history
in the access package, and the court decision shown only to the staff who manage pupils."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.db.models.query import QuerySet
from django.urls import reverse

from students.constants import ReligionConsentChannel, ReligionConsentDecision, ReligionStatus
from students.exceptions import StudentError
from students.models import Guardianship, ReligionConsent, ReligionRecord, Student
from students.selectors import religion_consent_current
from students.services import (
    guardian_authority_set,
    religion_clear,
    religion_consent_give,
    religion_consent_withdraw,
    religion_set,
)
from students.services.erasure import religion_erase, religion_erase_on_request
from tests.todo_items import todo_items

from .factories import GuardianFactory, StudentFactory, link_guardian

ROLES = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _staff_url(world):
    return reverse("student-religion", args=[world.pupil3.pk])


def _own_consent(world):
    parent = world.users["guardian"]
    return religion_consent_give(
        user=parent,
        student=world.pupil3,
        guardian_id=parent.guardian.pk,
        channel=ReligionConsentChannel.PORTAL,
    )


def _rows(student):
    return list(
        ReligionConsent.objects.filter(student=student)
        .order_by("id")
        .values_list("guardian_id", "decision", "channel")
    )


@pytest.fixture
def co_parent(world):
    other = GuardianFactory.create(first_name="Co", surname="Ouder")
    link_guardian(other, world.pupil3)
    return other


@pytest.fixture
def parent_teacher(world):
    """The pupil's parent (with authority) who is also a teacher of the school."""
    parent = world.users["guardian"]
    parent.groups.add(AuthGroup.objects.get_or_create(name="teacher")[0])
    return parent


# --- 1. a parent with a staff role speaks for themselves only ------------------------------


def test_parent_with_a_staff_role_cannot_give_consent_in_the_co_parents_name(
    world, client, parent_teacher, co_parent
):
    client.force_login(parent_teacher)
    page = client.get(_staff_url(world))
    assert page.context["for_guardian"] is True
    assert 'name="guardian"' not in page.content.decode()

    response = client.post(
        _staff_url(world),
        {"status": "stated", "religion": "Islam", "consent": "on", "guardian": str(co_parent.pk)},
    )

    assert response.status_code == 302
    # Their own consent, through the portal: never the co-parent's on "paper".
    assert list(
        ReligionConsent.objects.values_list("guardian_id", "channel", "recorded_by_id")
    ) == [(parent_teacher.guardian.pk, ReligionConsentChannel.PORTAL, parent_teacher.pk)]
    assert ReligionRecord.objects.get(student=world.pupil3).religion == "Islam"


def test_parent_with_a_staff_role_withdraws_in_their_own_name_only(
    world, client, parent_teacher, co_parent
):
    religion_consent_give(
        user=world.users["administration"],
        student=world.pupil3,
        guardian_id=co_parent.pk,
        channel=ReligionConsentChannel.PAPER,
    )
    client.force_login(parent_teacher)
    response = client.post(_staff_url(world), {"action": "withdraw", "guardian": str(co_parent.pk)})
    assert response.status_code == 302
    assert _rows(world.pupil3)[-1] == (
        parent_teacher.guardian.pk,
        ReligionConsentDecision.WITHDRAWN,
        ReligionConsentChannel.PORTAL,
    )


@pytest.mark.parametrize("channel", [ReligionConsentChannel.PAPER, ReligionConsentChannel.PORTAL])
def test_service_refuses_a_parent_recording_for_the_co_parent(
    world, parent_teacher, co_parent, channel
):
    for change in (religion_consent_give, religion_consent_withdraw):
        with pytest.raises(StudentError):
            change(
                user=parent_teacher, student=world.pupil3, guardian_id=co_parent.pk, channel=channel
            )
    with pytest.raises(StudentError):
        religion_set(
            user=parent_teacher,
            student=world.pupil3,
            status=ReligionStatus.STATED,
            religion="Islam",
            consent_guardian_id=co_parent.pk,
            consent_channel=channel,
        )
    assert not ReligionConsent.objects.exists()


def test_staff_cannot_record_a_portal_consent_for_a_parent(world):
    with pytest.raises(StudentError):
        religion_consent_give(
            user=world.users["administration"],
            student=world.pupil3,
            guardian_id=world.users["guardian"].guardian.pk,
            channel=ReligionConsentChannel.PORTAL,
        )


def test_staff_with_school_reach_still_record_from_paper(world, client, co_parent):
    client.force_login(world.users["administration"])
    assert client.get(_staff_url(world)).context["for_guardian"] is False
    response = client.post(
        _staff_url(world),
        {"status": "stated", "religion": "Islam", "consent": "on", "guardian": str(co_parent.pk)},
    )
    assert response.status_code == 302
    assert _rows(world.pupil3) == [
        (co_parent.pk, ReligionConsentDecision.GRANTED, ReligionConsentChannel.PAPER)
    ]


# --- 2. the to-do for entries without consent ----------------------------------------------


def _unconsented_items(client, user):
    return [i for i in todo_items(client, user) if "without consent" in i.title]


@pytest.mark.parametrize("role", ROLES)
def test_entries_without_consent_are_a_to_do_for_who_records_religion(world, client, role):
    client.cookies["django_language"] = "en"
    other = StudentFactory.create(group=world.other_group)  # another school's: not counted
    ReligionRecord.objects.create(student=other, status=ReligionStatus.STATED, religion="Islam")
    declined = StudentFactory.create(group=world.group5)  # declined needs no consent
    ReligionRecord.objects.create(student=declined, status=ReligionStatus.DECLINED)

    items = _unconsented_items(client, world.users[role])

    if role in ("director", "administration"):
        (item,) = items
        assert item.title == "Religion recorded without consent: 1 pupil"
        assert item.link == _staff_url(world)
        assert item.urgency == "due-soon"
    else:
        assert items == []


def test_the_to_do_counts_the_pupils_and_goes_once_resolved(world, client, co_parent):
    client.cookies["django_language"] = "en"
    admin = world.users["administration"]
    second = StudentFactory.create(group=world.group5)
    ReligionRecord.objects.create(student=second, status=ReligionStatus.STATED, religion="Islam")
    (item,) = _unconsented_items(client, admin)
    assert item.title == "Religion recorded without consent: 2 pupils"

    religion_consent_give(
        user=admin, student=world.pupil3, guardian_id=co_parent.pk, channel="paper"
    )
    (item,) = _unconsented_items(client, admin)
    assert item.title == "Religion recorded without consent: 1 pupil"
    assert item.link == reverse("student-religion", args=[second.pk])

    religion_clear(user=admin, student=second)
    assert _unconsented_items(client, admin) == []


# --- 3. every writer holds the pupil row first ---------------------------------------------


@pytest.fixture
def locks(monkeypatch):
    """The models each ``select_for_update`` was asked for, in order."""
    seen: list[type] = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        seen.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    return seen


@pytest.mark.parametrize(
    "write",
    [
        lambda w: religion_set(
            user=w.users["guardian"], student=w.pupil3, status=ReligionStatus.DECLINED
        ),
        lambda w: religion_consent_give(
            user=w.users["guardian"],
            student=w.pupil3,
            guardian_id=w.users["guardian"].guardian.pk,
            channel="portal",
        ),
        lambda w: religion_consent_withdraw(
            user=w.users["guardian"],
            student=w.pupil3,
            guardian_id=w.users["guardian"].guardian.pk,
            channel="portal",
        ),
        lambda w: religion_clear(user=w.users["guardian"], student=w.pupil3),
        lambda w: religion_erase_on_request(w.pupil3),
        lambda w: religion_erase([w.pupil3], "delete"),
        lambda w: guardian_authority_set(
            actor=w.users["administration"],
            link=Guardianship.objects.get(student=w.pupil3, guardian=w.users["guardian"].guardian),
            has_authority=False,
        ),
    ],
    ids=["set", "give", "withdraw", "clear", "erase_on_request", "retention", "authority"],
)
def test_every_writer_of_religion_holds_the_pupil_row_first(world, locks, write):
    write(world)
    assert locks and locks[0] is Student


# --- 4. consent ends with the parent's authority -------------------------------------------


def _authority_removed(world, guardian):
    link = Guardianship.objects.get(student=world.pupil3, guardian=guardian)
    guardian_authority_set(
        actor=world.users["administration"],
        link=link,
        has_authority=False,
        decided_on=datetime.date(2026, 3, 2),
        reference="ZAAK-1",
    )


def test_consent_ends_with_the_parents_authority_and_the_religion_goes(world):
    parent = world.users["guardian"].guardian
    _own_consent(world)

    _authority_removed(world, parent)

    assert religion_consent_current(student=world.pupil3) is None
    assert _rows(world.pupil3)[-1] == (
        parent.pk,
        ReligionConsentDecision.WITHDRAWN,
        ReligionConsentChannel.AUTHORITY_ENDED,
    )
    assert ReligionConsent.objects.order_by("-id")[0].recorded_by == world.users["administration"]
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()


def test_the_other_parents_later_consent_holds_when_one_loses_authority(world, co_parent):
    _own_consent(world)
    religion_consent_give(
        user=world.users["administration"],
        student=world.pupil3,
        guardian_id=co_parent.pk,
        channel=ReligionConsentChannel.PAPER,
    )

    _authority_removed(world, world.users["guardian"].guardian)

    assert religion_consent_current(student=world.pupil3).guardian == co_parent
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()


def test_a_choice_not_to_say_stays_when_the_parent_loses_authority(world):
    religion_set(user=world.users["guardian"], student=world.pupil3, status="declined")
    _authority_removed(world, world.users["guardian"].guardian)
    assert ReligionRecord.objects.get(student=world.pupil3).status == ReligionStatus.DECLINED


# --- 5. consent ends with the entry ---------------------------------------------------------


def _restated_without_asking(world):
    religion_set(
        user=world.users["administration"],
        student=world.pupil3,
        status=ReligionStatus.STATED,
        religion="Rooms-katholiek",
    )


def test_the_parent_removing_the_entry_ends_the_consent(world, client):
    _own_consent(world)
    client.force_login(world.users["guardian"])
    response = client.post(
        reverse("child-religion", args=[world.pupil3.pk]), {"status": "", "religion": ""}
    )
    assert response.status_code == 302
    assert religion_consent_current(student=world.pupil3) is None
    assert _rows(world.pupil3)[-1][1:] == (
        ReligionConsentDecision.WITHDRAWN,
        ReligionConsentChannel.REMOVED,
    )
    with pytest.raises(StudentError):
        _restated_without_asking(world)


def test_choosing_not_to_say_ends_the_consent(world):
    _own_consent(world)
    religion_set(user=world.users["guardian"], student=world.pupil3, status="declined")
    with pytest.raises(StudentError):
        _restated_without_asking(world)


def test_erasure_on_request_ends_the_consent(world):
    _own_consent(world)
    assert religion_erase_on_request(world.pupil3) == 1
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()
    assert religion_consent_current(student=world.pupil3) is None
    with pytest.raises(StudentError):
        _restated_without_asking(world)


def test_retention_erasure_ends_the_consent(world):
    _own_consent(world)
    religion_erase([world.pupil3], "delete")
    assert religion_consent_current(student=world.pupil3) is None
    with pytest.raises(StudentError):
        _restated_without_asking(world)


# --- 6. the court decision: only for the staff who manage pupils ----------------------------


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("administration", True),
        ("director", True),
        ("teacher", False),
        ("care_coordinator", False),
    ],
)
def test_the_court_reference_is_shown_only_to_who_manages_pupils(world, client, role, shown):
    Guardianship.objects.filter(
        student=world.pupil3, guardian=world.users["guardian_limited"].guardian
    ).update(authority_decided_on=datetime.date(2026, 3, 2), authority_reference="ZAAK-GEHEIM-7")
    client.force_login(world.users[role])
    response = client.get(reverse("student-detail", args=[world.pupil3.pk]))
    assert response.status_code == 200
    assert ("ZAAK-GEHEIM-7" in response.content.decode()) is shown, role
