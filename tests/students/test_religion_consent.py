"""Religion on its true basis: a public school records a pupil's religion or belief only with
a parent's explicit consent (AVG art. 9(2)(a)), kept as evidence (``ReligionConsent``);
withdrawing the consent erases the entry, its sealed value and all; staff recording it from a
paper form record the consent too; the page speaks to the parent; the processing register
says so."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from audit.constants import Action, DataKind
from audit.models import AccessEvent
from students.constants import ReligionConsentChannel, ReligionConsentDecision, ReligionStatus
from students.exceptions import StudentError
from students.models import ReligionConsent, ReligionRecord
from students.selectors import religion_consent_current
from students.services import religion_consent_give, religion_consent_withdraw, religion_set
from students.services.erasure import religion_erase

from .factories import GuardianFactory, link_guardian


def _child(world):
    return reverse("child-religion", args=[world.pupil3.pk])


def _staff(world, student=None):
    return reverse("student-religion", args=[(student or world.pupil3).pk])


def _events(response):
    return list(AccessEvent.objects.filter(request_id=response["X-Request-ID"]).order_by("id"))


def _consent_given(world):
    return religion_consent_give(
        user=world.users["guardian"],
        student=world.pupil3,
        guardian_id=world.users["guardian"].guardian.pk,
        channel=ReligionConsentChannel.PORTAL,
    )


# --- the parent records it ------------------------------------------------------------------


def test_400_and_nothing_recorded_when_parent_states_religion_without_ticking_consent(
    world, client
):
    client.force_login(world.users["guardian"])
    response = client.post(_child(world), {"status": "stated", "religion": "Islam"})
    assert response.status_code == 400
    assert response.context["form"].errors["consent"]
    record = ReligionRecord.objects.get(student=world.pupil3)
    assert record.religion == "Rooms-katholiek"
    assert not ReligionConsent.objects.exists()


def test_parent_gives_explicit_consent_with_the_religion_and_it_is_kept_as_evidence(world, client):
    guardian = world.users["guardian"]
    client.force_login(guardian)
    response = client.post(
        _child(world), {"status": "stated", "religion": "Islam", "consent": "on"}
    )
    assert response.status_code == 302
    (consent,) = ReligionConsent.objects.all()
    assert (consent.student, consent.guardian, consent.decision, consent.channel) == (
        world.pupil3,
        guardian.guardian,
        ReligionConsentDecision.GRANTED,
        ReligionConsentChannel.PORTAL,
    )
    assert consent.recorded_by == guardian
    assert ReligionRecord.objects.get(student=world.pupil3).religion == "Islam"
    kinds = [(e.object_type, e.data_kind) for e in _events(response)]
    assert ("religion_consent", DataKind.CONSENT) in kinds
    assert ("religion", DataKind.RELIGION) in kinds


def test_while_consent_holds_the_parent_changes_the_religion_without_ticking_again(world, client):
    _consent_given(world)
    client.force_login(world.users["guardian"])
    page = client.get(_child(world))
    assert "consent" not in page.context["form"].fields
    response = client.post(_child(world), {"status": "stated", "religion": "Protestants"})
    assert response.status_code == 302
    assert ReligionRecord.objects.get(student=world.pupil3).religion == "Protestants"
    assert ReligionConsent.objects.count() == 1


def test_choosing_not_to_say_needs_no_consent(world, client):
    client.force_login(world.users["guardian"])
    response = client.post(_child(world), {"status": "declined", "religion": ""})
    assert response.status_code == 302
    assert ReligionRecord.objects.get(student=world.pupil3).status == ReligionStatus.DECLINED
    assert not ReligionConsent.objects.exists()


def test_service_refuses_a_religion_without_consent(world):
    ReligionRecord.objects.filter(student=world.pupil5).delete()
    with pytest.raises(StudentError):
        religion_set(
            user=world.users["administration"],
            student=world.pupil5,
            status=ReligionStatus.STATED,
            religion="Islam",
        )
    assert not ReligionRecord.objects.filter(student=world.pupil5).exists()


# --- withdrawing erases ---------------------------------------------------------------------


def _sealed_value(student) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT religion FROM students_religionrecord WHERE student_id = %s", [student.pk]
        )
        row = cursor.fetchone()
    return row[0] if row else ""


def test_withdrawing_consent_erases_the_entry_and_its_sealed_value(world, client):
    _consent_given(world)
    sealed = _sealed_value(world.pupil3)
    assert sealed and "Rooms-katholiek" not in sealed  # stored sealed, not as text
    client.force_login(world.users["guardian"])
    page = client.get(_child(world)).content.decode()
    assert 'name="action" value="withdraw"' in page

    response = client.post(_child(world), {"action": "withdraw"})

    assert response.status_code == 302
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()
    assert _sealed_value(world.pupil3) == ""
    if connection.vendor == "sqlite":  # nowhere in the database any more
        assert sealed not in "\n".join(connection.connection.iterdump())
    latest = ReligionConsent.objects.order_by("-id").first()
    assert (latest.decision, latest.channel) == (
        ReligionConsentDecision.WITHDRAWN,
        ReligionConsentChannel.PORTAL,
    )
    assert religion_consent_current(student=world.pupil3) is None
    erased = [e for e in _events(response) if e.action == Action.DELETE]
    assert [(e.object_type, e.data_kind, e.special_category) for e in erased] == [
        ("religion", DataKind.RELIGION, True)
    ]
    after = client.get(_child(world))
    assert after.context["record"] is None and after.context["withdraw_form"] is None


def test_withdrawal_by_the_other_parent_with_authority_ends_the_consent(world):
    _consent_given(world)
    other = GuardianFactory.create()
    link_guardian(other, world.pupil3)
    erased = religion_consent_withdraw(
        user=world.users["administration"],
        student=world.pupil3,
        guardian_id=other.pk,
        channel=ReligionConsentChannel.PAPER,
    )
    assert erased is True
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()


def test_a_parent_without_authority_can_neither_give_nor_withdraw(world):
    limited = world.users["guardian_limited"].guardian
    for change in (religion_consent_give, religion_consent_withdraw):
        with pytest.raises(StudentError):
            change(
                user=world.users["administration"],
                student=world.pupil3,
                guardian_id=limited.pk,
                channel=ReligionConsentChannel.PAPER,
            )
    assert not ReligionConsent.objects.exists()
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()


def test_consent_evidence_is_append_only(world):
    consent = _consent_given(world)
    with pytest.raises(TypeError):
        ReligionConsent.objects.filter(pk=consent.pk).update(decision="withdrawn")
    with pytest.raises(TypeError):
        consent.delete()


def test_pupil_file_erasure_takes_the_consents_with_the_entry(world):
    _consent_given(world)
    religion_erase([world.pupil3], "delete")
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()
    assert not ReligionConsent.objects.filter(student=world.pupil3).exists()


# --- staff recording from a paper form ------------------------------------------------------


@pytest.fixture
def parent_of_pupil5(world):
    parent = GuardianFactory.create()
    link_guardian(parent, world.pupil5)
    return parent


def test_staff_recording_from_paper_must_record_the_parents_consent(
    world, client, parent_of_pupil5
):
    client.force_login(world.users["administration"])
    url = _staff(world, world.pupil5)
    stated = {"status": "stated", "religion": "Islam"}

    refused = client.post(url, stated)
    assert refused.status_code == 400
    assert refused.context["form"].errors["consent"]
    no_parent = client.post(url, {**stated, "consent": "on"})
    assert no_parent.status_code == 400
    assert no_parent.context["form"].errors["guardian"]
    assert not ReligionRecord.objects.filter(student=world.pupil5).exists()

    response = client.post(url, {**stated, "consent": "on", "guardian": parent_of_pupil5.pk})
    assert response.status_code == 302
    record = ReligionRecord.objects.get(student=world.pupil5)
    assert (record.status, record.religion) == (ReligionStatus.STATED, "Islam")
    assert record.recorded_by == world.users["administration"]
    (consent,) = ReligionConsent.objects.filter(student=world.pupil5)
    assert (consent.guardian, consent.channel, consent.recorded_by) == (
        parent_of_pupil5,
        ReligionConsentChannel.PAPER,
        world.users["administration"],
    )


def test_staff_cannot_name_a_parent_of_another_pupil(world, client, parent_of_pupil5):
    client.force_login(world.users["administration"])
    response = client.post(
        _staff(world),
        {
            "status": "stated",
            "religion": "Islam",
            "consent": "on",
            "guardian": parent_of_pupil5.pk,
        },
    )
    assert response.status_code == 400
    assert not ReligionConsent.objects.exists()


def test_staff_record_a_withdrawal_from_paper_and_the_entry_goes(world, client):
    _consent_given(world)
    client.force_login(world.users["administration"])
    response = client.post(
        _staff(world), {"action": "withdraw", "guardian": world.users["guardian"].guardian.pk}
    )
    assert response.status_code == 302
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()
    latest = ReligionConsent.objects.order_by("-id").first()
    assert (latest.decision, latest.channel) == (
        ReligionConsentDecision.WITHDRAWN,
        ReligionConsentChannel.PAPER,
    )


def test_staff_see_an_entry_recorded_without_consent(world, client):
    client.force_login(world.users["director"])
    client.cookies["django_language"] = "en"
    page = client.get(_staff(world)).content.decode()
    assert "No consent is recorded for this entry" in page


# --- the page speaks to the parent ----------------------------------------------------------


def test_the_parents_page_says_it_is_voluntary_why_and_who_sees_it(world, client):
    client.force_login(world.users["guardian"])
    client.cookies["django_language"] = "en"
    page = client.get(_child(world)).content.decode()
    for text in (
        "You may state this; it is not required.",
        "Why the school asks",
        "Who sees it",
        "only with your explicit consent",
        "I give the school my explicit consent",
        reverse("child-access-log", args=[world.pupil3.pk]),
    ):
        assert text in page, text
    assert "The parent stated" not in page  # staff wording stays on the staff page
