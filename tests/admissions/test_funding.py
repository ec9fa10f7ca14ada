"""Funding registrations for DUO: created by every enrolment and leaving, produced through the
gate as a recorded disclosure, downloaded by the administration, marked sent once."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from admissions.constants import RegistrationKind
from admissions.models import FundingRegistration
from admissions.services.funding import (
    DOWNLOAD_DAYS,
    RegistrationError,
    duo_recipient_ensure,
    registration_mark_sent,
    registration_produce,
)
from admissions.views.funding import download_url
from audit.models import AccessEvent
from students.constants import WithdrawalDestination
from students.services import student_withdraw
from students.services.enrolment import GuardianDetails, PupilDetails, pupil_enrol
from suppliers.constants import Basis, LegalGround, RecipientKind
from suppliers.models import DisclosedPupil, Disclosure, Recipient

from ..students.factories import StudentFactory


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are read in English here (the pages' Dutch is tested apart)."""
    with translation.override("en"):
        yield


TODAY = datetime.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen():
    with freeze_time("2026-03-16 10:00:00"):
        yield TODAY


@pytest.fixture
def duo(world):
    return duo_recipient_ensure(board=world.school.board)


def registration(student, *, kind=RegistrationKind.ENROLMENT, event_on=TODAY, **fields):
    return FundingRegistration.objects.create(
        school=student.school,
        student=student,
        kind=kind,
        event_on=event_on,
        due_on=event_on + datetime.timedelta(days=7),
        **fields,
    )


def english(client: Client, user) -> Client:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Created by the core's enrolment and leaving ---------------------------------------------


def test_enrolment_creates_a_registration_due_in_7_days_when_a_pupil_is_enrolled(world):
    today = timezone.localdate()  # the groups are of the current school year
    pupil = pupil_enrol(
        user=world.users["administration"],
        school=world.school,
        group=world.group3,
        start_date=today,
        pupil=PupilDetails(
            first_names="Lotte Marie",
            given_name="Lotte",
            surname="Jansen",
            date_of_birth=datetime.date(2019, 4, 2),
            sex="F",
            bsn="123456782",
            postal_code="1234 AB",
        ),
        guardians=[
            GuardianDetails(first_name="Eva", surname="Jansen", email="eva@t.example", invite=False)
        ],
    )

    (made,) = FundingRegistration.objects.filter(student=pupil)
    assert (made.kind, made.event_on, made.due_on, made.school_id) == (
        RegistrationKind.ENROLMENT,
        today,
        today + datetime.timedelta(days=7),
        world.school.pk,
    )
    assert made.disclosure is None and made.sent_at is None


def test_leaving_creates_one_registration_when_a_pupil_is_withdrawn(world, frozen):
    pupil = world.pupil5
    student_withdraw(
        actor=world.users["administration"],
        student=pupil,
        on=TODAY - datetime.timedelta(days=1),
        destination=WithdrawalDestination.PRIMARY_SCHOOL,
    )
    # The hook again (a retried job, a second notify) adds nothing: one per pupil and kind.
    from students.lifecycle import withdrawn_notify

    pupil.refresh_from_db()
    withdrawn_notify(actor=None, student=pupil)

    (made,) = FundingRegistration.objects.filter(student=pupil)
    assert made.kind == RegistrationKind.LEAVING
    assert made.event_on == TODAY - datetime.timedelta(days=1)
    assert made.due_on == TODAY + datetime.timedelta(days=6)


# --- The board's DUO recipient -----------------------------------------------------------------


def test_duo_recipient_made_once_and_completed_when_the_board_has_one_without_attributes(world):
    board = world.school.board
    first = duo_recipient_ensure(board=board)
    again = duo_recipient_ensure(board=board)
    assert first.pk == again.pk
    assert Recipient.objects.filter(board=board, kind=RecipientKind.DUO).count() == 1

    Recipient.objects.filter(pk=first.pk).update(attributes=["bsn", "sex"])
    completed = duo_recipient_ensure(board=board)
    assert completed.attributes[:2] == ["bsn", "sex"]
    assert {"postal_code", "withdrawal_destination", "school_brin"} <= set(completed.attributes)


def test_school_provision_gives_the_board_a_duo_recipient_when_a_school_is_set_up(db):
    from onboarding.services import board_provision, school_provision

    board = board_provision(name="Stichting Nieuw")
    school_provision(board=board, name="OBS Nieuw", brin="77ZZ")

    assert Recipient.objects.filter(board=board, kind=RecipientKind.DUO).count() == 1


# --- Producing through the gate --------------------------------------------------------------


def test_produce_records_a_legal_disclosure_to_duo_and_stores_the_document(world, duo, frozen):
    pupil = world.pupil3
    pupil.postal_code = "1234 AB"
    pupil.save(update_fields=["postal_code"])
    item = registration(pupil)
    admin = world.users["administration"]

    produced = registration_produce(user=admin, registration=item)

    disclosure = Disclosure.objects.get(pk=produced.disclosure_id)
    assert disclosure.recipient_id == duo.pk
    assert disclosure.basis == Basis.LEGAL_OBLIGATION
    assert disclosure.legal_ground == LegalGround.BRON_REGISTRATION
    assert disclosure.legal_reference == f"BRON-12AB-{item.pk}"
    assert "DUO" in disclosure.legal_reason and "2026" in disclosure.legal_reason
    assert disclosure.created_by == admin
    assert list(
        DisclosedPupil.objects.filter(disclosure=disclosure).values_list("student_id", flat=True)
    ) == [pupil.pk]
    assert "withdrawal_destination" not in disclosure.attributes  # an enrolment has none
    content = produced.file.open("rb").read()
    assert hashlib.sha256(content).hexdigest() == disclosure.file_checksum
    document = json.loads(content)
    assert document["format"] == "samen-een/duo-funding-registration"
    assert document["reference"] == f"BRON-12AB-{item.pk}"
    assert (document["kind"], document["event_date"], document["school_brin"]) == (
        "enrolment",
        TODAY.isoformat(),
        "12AB",
    )
    assert document["pupil"]["bsn"] == "111222333"
    assert document["pupil"]["postal_code"] == "1234 AB"
    assert document["pupil"]["last_name"] == "de Vries"
    assert set(document["pupil"]) == set(disclosure.attributes) - {"school_brin"}
    assert produced.file_expires_at == disclosure.created_at + datetime.timedelta(
        days=DOWNLOAD_DAYS
    )
    # The file is sealed at rest: the BSN is not readable in storage.
    raw = (produced.file.storage.inner.open(produced.file.name, "rb")).read()
    assert b"111222333" not in raw


def test_produce_of_a_leaving_sends_the_date_and_destination(world, duo, frozen):
    pupil = world.pupil5
    pupil.bsn = "123456782"
    pupil.save(update_fields=["bsn"])
    student_withdraw(actor=None, student=pupil, on=TODAY, destination=WithdrawalDestination.ABROAD)
    item = FundingRegistration.objects.get(student=pupil, kind=RegistrationKind.LEAVING)

    produced = registration_produce(user=world.users["administration"], registration=item)

    document = json.loads(produced.file.open("rb").read())
    assert document["kind"] == "leaving"
    assert document["pupil"]["withdrawn_on"] == TODAY.isoformat()
    assert document["pupil"]["withdrawal_destination"] == "abroad"


def test_produce_refused_when_the_pupil_has_no_bsn_and_nothing_is_recorded(world, duo):
    world.pupil5.bsn = ""
    world.pupil5.save(update_fields=["bsn"])
    item = registration(world.pupil5)
    before = Disclosure.objects.count()

    with pytest.raises(RegistrationError, match="no BSN or education number"):
        registration_produce(user=world.users["administration"], registration=item)

    assert Disclosure.objects.count() == before
    item.refresh_from_db()
    assert item.disclosure is None and not item.file


def test_produce_refused_when_the_board_has_no_duo_recipient(world):
    Recipient.objects.filter(board=world.school.board, kind=RecipientKind.DUO).delete()
    item = registration(world.pupil3)

    with pytest.raises(RegistrationError, match="no recipient for DUO"):
        registration_produce(user=world.users["administration"], registration=item)


def test_produce_refused_twice_while_the_document_can_be_downloaded(world, duo, frozen):
    item = registration(world.pupil3)
    registration_produce(user=world.users["administration"], registration=item)

    with pytest.raises(RegistrationError, match="already produced"):
        registration_produce(user=world.users["director"], registration=item)
    assert Disclosure.objects.filter(legal_reference=f"BRON-12AB-{item.pk}").count() == 1


def test_produce_again_records_a_new_disclosure_when_the_document_expired_unsent(
    world, duo, frozen
):
    item = registration(world.pupil3)
    first = registration_produce(user=world.users["administration"], registration=item)

    with freeze_time(timezone.now() + datetime.timedelta(days=DOWNLOAD_DAYS, hours=1)):
        again = registration_produce(user=world.users["administration"], registration=item)

    assert again.disclosure_id != first.disclosure_id
    assert Disclosure.objects.filter(legal_reference=f"BRON-12AB-{item.pk}").count() == 2


# --- Marking sent ------------------------------------------------------------------------------


def test_mark_sent_refused_before_the_registration_was_produced(world, duo):
    item = registration(world.pupil3)

    with pytest.raises(RegistrationError, match="Produce the registration first"):
        registration_mark_sent(user=world.users["administration"], registration=item)
    item.refresh_from_db()
    assert item.sent_at is None


def test_database_refuses_a_sent_registration_without_its_disclosure(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        registration(world.pupil3, sent_at=timezone.now())


def test_mark_sent_records_when_and_by_whom_and_refuses_a_second_time(world, duo, frozen):
    item = registration(world.pupil3)
    admin = world.users["administration"]
    registration_produce(user=admin, registration=item)

    sent = registration_mark_sent(user=admin, registration=item)

    assert sent.sent_by == admin and sent.sent_at == timezone.now()
    with pytest.raises(RegistrationError) as refused:
        registration_mark_sent(user=world.users["director"], registration=item)
    assert "already marked sent on" in str(refused.value.message)
    assert str(admin) in str(refused.value.message)
    item.refresh_from_db()
    assert item.sent_by == admin
    assert (
        AccessEvent.objects.filter(
            object_type="funding_registration", object_id=str(item.pk), action="update"
        ).count()
        == 1
    )


# --- The pages ---------------------------------------------------------------------------------


def test_list_shows_each_clock_in_words_most_urgent_first(world, duo, client, frozen):
    late = registration(world.pupil3, event_on=TODAY - datetime.timedelta(days=9))
    soon = registration(world.pupil5, event_on=TODAY - datetime.timedelta(days=4))
    other = StudentFactory.create(group=world.group5)
    done = registration(other, event_on=TODAY - datetime.timedelta(days=3))
    done.disclosure = Disclosure.objects.create(
        school=world.school,
        basis=Basis.LEGAL_OBLIGATION,
        recipient=duo,
        recipient_label=duo.name,
        legal_ground=LegalGround.BRON_REGISTRATION,
    )
    done.sent_at = timezone.now()
    done.sent_by = world.users["administration"]
    done.save()

    response = english(client, world.users["administration"]).get(reverse("registration-list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 days late" in page
    assert "due in 3 days" in page
    assert "sent on 16 March 2026" in page or "sent on March 16, 2026" in page
    assert page.index(f'id="registration-{late.pk}"') < page.index(f'id="registration-{soon.pk}"')
    assert page.index(f'id="registration-{soon.pk}"') < page.index(f'id="registration-{done.pk}"')


def test_list_forbidden_for_the_privacy_officer_who_sees_them_in_the_disclosure_register(
    world, duo, client, frozen
):
    item = registration(world.pupil3)
    registration_produce(user=world.users["administration"], registration=item)
    client.force_login(world.users["privacy_officer"])

    assert client.get(reverse("registration-list")).status_code == 403
    register = client.get(reverse("disclosure-list"))
    assert register.status_code == 200
    assert f"BRON-12AB-{item.pk}" in register.content.decode()


def test_produce_and_mark_sent_pages_redirect_and_refuse_a_second_time_with_the_reason(
    world, duo, client, frozen
):
    item = registration(world.pupil3)
    http = english(client, world.users["administration"])

    produced = http.post(reverse("registration-produce", args=[item.pk]))
    assert produced.status_code == 303
    sent = http.post(reverse("registration-mark-sent", args=[item.pk]))
    assert sent.status_code == 303
    again = http.post(reverse("registration-mark-sent", args=[item.pk]))

    assert again.status_code == 303
    page = http.get(again["Location"]).content.decode()
    assert "already marked sent on" in page
    assert "already marked sent on" not in http.get(again["Location"]).content.decode()


def test_download_opens_for_the_requester_only_until_it_expires(world, duo, frozen):
    item = registration(world.pupil3)
    admin, director = world.users["administration"], world.users["director"]
    produced = registration_produce(user=admin, registration=item)
    url = download_url(produced, admin)
    assert url is not None and url.startswith("/admissions/registrations/")
    mine, colleague = Client(), Client()
    mine.force_login(admin)
    colleague.force_login(director)

    response = mine.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert json.loads(_body(response))["pupil"]["bsn"] == "111222333"
    assert AccessEvent.objects.filter(
        object_type="funding_registration", actor_id=admin.pk, action="view"
    ).exists()
    assert colleague.get(url).status_code == 404
    with freeze_time(timezone.now() + datetime.timedelta(days=DOWNLOAD_DAYS, minutes=1)):
        assert mine.get(url).status_code == 404


def test_document_leaves_storage_when_its_download_period_ends(world, duo, frozen):
    from students.expiry import expiries_run

    item = registration(world.pupil3)
    produced = registration_produce(user=world.users["administration"], registration=item)
    name = produced.file.name

    counts = expiries_run(now=timezone.now() + datetime.timedelta(days=DOWNLOAD_DAYS + 1))

    assert counts["funding_registrations"] == 1
    produced.refresh_from_db()
    assert not produced.file
    assert not produced.file.storage.exists(name)
    assert produced.disclosure_id is not None  # the evidence stays


# --- Start page and audit trail ----------------------------------------------------------------


def test_todos_show_registrations_due_within_2_days_or_overdue_to_those_who_handle_them(
    world, duo, frozen
):
    from students.start_page import todos_for

    late = registration(world.pupil3, event_on=TODAY - datetime.timedelta(days=8))
    near = registration(world.pupil5, event_on=TODAY - datetime.timedelta(days=5))
    far = registration(StudentFactory.create(group=world.group5), event_on=TODAY)
    outside = registration(world.other_pupil, event_on=TODAY - datetime.timedelta(days=8))

    def mine(role):
        return [item.link for item in todos_for(world.users[role]) if "registration-" in item.link]

    expected = [f"#registration-{late.pk}", f"#registration-{near.pk}"]
    for role in ("director", "administration"):
        assert [link.split("/")[-1] for link in mine(role)] == expected
    for role in ("care_coordinator", "teacher", "privacy_officer", "guardian"):
        assert mine(role) == []
    assert f"#registration-{far.pk}" not in " ".join(mine("director"))
    assert f"#registration-{outside.pk}" not in " ".join(mine("director"))


def test_audit_trail_names_the_registration_without_the_pupil_and_links_for_the_director(
    world, duo, frozen
):
    from audit_trail.readable import Reader
    from students.audit_objects import describer_for

    item = registration(world.pupil3)
    registration_produce(user=world.users["administration"], registration=item)
    event = AccessEvent.objects.get(object_type="funding_registration", action="export")
    describe = describer_for("funding_registration")

    officer = describe(Reader.of(world.users["privacy_officer"]), [event])[event.pk]
    director = describe(Reader.of(world.users["director"]), [event])[event.pk]

    assert f"BRON-12AB-{item.pk}" in officer.label
    assert "Vries" not in officer.label and officer.url is None
    assert director.url == f"{reverse('registration-list')}#registration-{item.pk}"
