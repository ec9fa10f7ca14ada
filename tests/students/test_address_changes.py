"""A move: proposed by the parent, confirmed or rejected by the school's administration
(students/services/self_service.py, students/views/self_service.py)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AccessEvent
from students.exceptions import AddressChangeError
from students.forms_self_service import postal_code_normalise
from students.models import AddressChange, ChangeRecord
from students.services.self_service import (
    address_change_confirm,
    address_change_propose,
    address_change_reject,
)

from .factories import StudentFactory, make_guardian_user

NEW = {
    "street": "Kastanjelaan",
    "house_number": "12-A",
    "postal_code": "8012ab",
    "city": "Zwolle",
}


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _form(*students, **fields) -> dict:
    data = {
        "action": "propose",
        **NEW,
        "moves_on": timezone.localdate().isoformat(),
        "students": [s.pk for s in students],
    }
    data.update(fields)
    return data


def _propose(world, parent=None, students=None):
    parent = parent or world.users["guardian"]
    return address_change_propose(
        actor=parent,
        guardian=parent.guardian,
        street="Kastanjelaan",
        house_number="12",
        postal_code="8012 AB",
        city="Zwolle",
        moves_on=timezone.localdate(),
        students=[world.pupil3] if students is None else students,
    )


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("8012ab", "8012 AB"), (" 8012  AB ", "8012 AB"), ("8012 Ab", "8012 AB")],
)
def test_postal_code_is_normalised(typed, normalised):
    assert postal_code_normalise(typed) == normalised


@pytest.mark.parametrize("typed", ["0123 AB", "812 AB", "8012 A1", "8012", "ABCD EF"])
def test_postal_code_not_dutch_is_refused(typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        postal_code_normalise(typed)


def test_parent_proposes_a_move_and_nothing_changes_until_the_school_confirms(world):
    parent = world.users["guardian"]
    address = parent.guardian.address
    client = _client(parent)

    response = client.post(reverse("my-address"), _form(world.pupil3))

    assert response.status_code == 302
    change = AddressChange.objects.get()
    assert change.status == AddressChange.Status.PENDING
    assert change.postal_code == "8012 AB"
    assert list(change.students.all()) == [world.pupil3]
    parent.guardian.refresh_from_db()
    assert parent.guardian.address == address
    assert not ChangeRecord.objects.exists()
    page = client.get(reverse("my-address")).content.decode()
    assert "Kastanjelaan 12-A, 8012 AB Zwolle" in page
    assert "Withdraw this report" in page
    contact = client.get(reverse("my-contact")).content.decode()
    assert "is waiting for the school" in contact


def test_all_children_are_ticked_by_default(world):
    parent = world.users["guardian"]
    from students.services.pupils import guardian_link

    sibling = StudentFactory.create(group=world.group5)
    guardian_link(actor=None, guardian=parent.guardian, student=sibling)

    form = _client(parent).get(reverse("my-address")).context["form"]

    assert sorted(form["students"].value()) == sorted([world.pupil3.pk, sibling.pk])


def test_wrong_fields_are_refused_at_the_field_and_what_was_typed_stays(world):
    client = _client(world.users["guardian"])
    future = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()

    refused = client.post(
        reverse("my-address"),
        _form(world.pupil3, postal_code="80 AB", house_number="A", moves_on=future),
    )
    assert refused.status_code == 303
    page = client.get(refused["Location"]).content.decode()

    for field in ("postal_code", "house_number", "moves_on"):
        assert f'id="id_{field}_error"' in page, field
    assert 'value="Kastanjelaan"' in page
    assert not AddressChange.objects.exists()


def test_a_child_not_theirs_cannot_be_moved(world):
    client = _client(world.users["guardian"])

    refused = client.post(reverse("my-address"), _form(world.pupil5))

    assert refused.status_code == 303
    assert not AddressChange.objects.exists()
    with pytest.raises(AddressChangeError):
        _propose(world, students=[world.pupil5])


def test_one_proposal_waits_at_a_time(world):
    _propose(world)

    with pytest.raises(AddressChangeError):
        _propose(world)
    response = _client(world.users["guardian"]).post(reverse("my-address"), _form(world.pupil3))

    assert response.status_code == 303
    assert AddressChange.objects.count() == 1


def test_the_database_refuses_a_second_pending_proposal(world):
    from django.db import IntegrityError, transaction

    first = _propose(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        AddressChange.objects.create(
            guardian=first.guardian,
            street="Elders",
            house_number="1",
            postal_code="1234 AB",
            city="Ergens",
            moves_on=timezone.localdate(),
        )


@pytest.mark.django_db(transaction=True)
def test_two_proposals_at_once_leave_one_pending(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers itself; the row lock is PostgreSQL's")
    results = []

    def propose():
        try:
            _propose(world)
            results.append("ok")
        except AddressChangeError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=propose) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused"]
    assert AddressChange.objects.filter(status="pending").count() == 1


def test_parent_withdraws_the_waiting_proposal(world):
    _propose(world)
    client = _client(world.users["guardian"])

    response = client.post(reverse("my-address"), {"action": "withdraw"})

    assert response.status_code == 302
    assert AddressChange.objects.get().status == AddressChange.Status.WITHDRAWN
    # and may report again
    assert client.post(reverse("my-address"), _form(world.pupil3)).status_code == 302
    assert AddressChange.objects.filter(status="pending").count() == 1


def test_administration_confirms_and_addresses_change_each_in_the_history(
    world, django_capture_on_commit_callbacks
):
    change = _propose(world)
    admin = world.users["administration"]
    client = _client(admin)
    guardian = world.users["guardian"].guardian
    old_address = guardian.address

    page = client.get(reverse("address-change-detail", args=[change.pk])).content.decode()
    assert old_address in page and "Kastanjelaan 12, 8012 AB Zwolle" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("address-change-detail", args=[change.pk]), {"decision": "confirm"}
        )

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == AddressChange.Status.CONFIRMED
    assert change.decided_by == admin
    assert change.previous_address == old_address
    guardian.refresh_from_db()
    assert guardian.address == "Kastanjelaan 12, 8012 AB Zwolle"
    world.pupil3.refresh_from_db()
    assert (world.pupil3.street, world.pupil3.house_number) == ("Kastanjelaan", "12")
    assert (world.pupil3.postal_code, world.pupil3.city) == ("8012 AB", "Zwolle")
    guardian_record = ChangeRecord.objects.get(subject="guardian")
    assert guardian_record.channel == ChangeRecord.Channel.ADDRESS_CHANGE
    assert guardian_record.values == {"address": [old_address, guardian.address]}
    pupil_record = ChangeRecord.objects.get(subject="pupil", student=world.pupil3)
    assert pupil_record.channel == ChangeRecord.Channel.ADDRESS_CHANGE
    assert pupil_record.values["city"][1] == "Zwolle"
    # The parent is told, without the address or the child.
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [guardian.email]
    for secret in ("Kastanjelaan", "8012", "Zwolle", world.pupil3.given_name, old_address):
        assert secret not in notice.subject + notice.body


def test_administration_rejects_with_a_reason_the_parent_reads_on_the_page(
    world, django_capture_on_commit_callbacks
):
    change = _propose(world)
    client = _client(world.users["administration"])
    url = reverse("address-change-detail", args=[change.pk])

    refused = client.post(url, {"decision": "reject", "reason": ""})
    assert refused.status_code == 303
    assert 'id="id_reason_error"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "reason": "Postcode hoort niet bij de straat"})

    change.refresh_from_db()
    assert change.status == AddressChange.Status.REJECTED
    assert not ChangeRecord.objects.exists()
    assert len(mail.outbox) == 1
    assert "Postcode hoort" not in mail.outbox[0].body  # the reason is read after logging in
    page = _client(world.users["guardian"]).get(reverse("my-address")).content.decode()
    assert "Postcode hoort niet bij de straat" in page


def test_a_decided_move_cannot_be_decided_twice(world, django_capture_on_commit_callbacks):
    change = _propose(world)
    admin = world.users["administration"]
    address_change_confirm(actor=admin, change=change)
    records = ChangeRecord.objects.count()

    with pytest.raises(AddressChangeError):
        address_change_confirm(actor=world.users["director"], change=change)
    with pytest.raises(AddressChangeError):
        address_change_reject(actor=admin, change=change, reason="Toch niet")
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.users["director"]).post(
            reverse("address-change-detail", args=[change.pk]), {"decision": "confirm"}
        )

    assert response.status_code == 303
    assert ChangeRecord.objects.count() == records
    assert mail.outbox == []
    change.refresh_from_db()
    assert change.decided_by == admin


def test_a_withdrawn_move_cannot_be_confirmed(world):
    change = _propose(world)
    _client(world.users["guardian"]).post(reverse("my-address"), {"action": "withdraw"})

    with pytest.raises(AddressChangeError):
        address_change_confirm(actor=world.users["administration"], change=change)
    world.pupil3.refresh_from_db()
    assert world.pupil3.city != "Zwolle"


def test_the_queue_shows_only_moves_of_the_staffs_schools(world):
    from students.services.pupils import guardian_link

    ours = _propose(world)
    other_parent = make_guardian_user(email="elders@t.example")
    guardian_link(actor=None, guardian=other_parent.guardian, student=world.other_pupil)
    theirs = _propose(world, parent=other_parent, students=[world.other_pupil])
    client = _client(world.users["administration"])

    page = client.get(reverse("address-change-list")).content.decode()

    assert reverse("address-change-detail", args=[ours.pk]) in page
    assert reverse("address-change-detail", args=[theirs.pk]) not in page
    assert client.get(reverse("address-change-detail", args=[theirs.pk])).status_code == 404
    teacher = _client(world.users["teacher"])
    assert teacher.get(reverse("address-change-list")).status_code == 403
    assert teacher.get(reverse("address-change-detail", args=[ours.pk])).status_code == 403


def test_confidential_guardians_move_never_shows_to_the_co_guardian(world):
    confidential = make_guardian_user(world.pupil3, confidential=True, email="vera@t.example")
    change = _propose(world, parent=confidential)
    address_change_confirm(actor=world.users["administration"], change=change)
    secret_parts = ("Kastanjelaan", "8012 AB")

    # The history keeps names only, for the guardian and for the child who moved with her.
    for record in ChangeRecord.objects.all():
        assert record.confidential is True
        assert record.values == {}, record.subject
    # The other guardian: the child's page, the API, their own pages.
    other = Client()
    other.force_login(world.users["guardian"])
    for url in (
        reverse("child-detail", args=[world.pupil3.pk]),
        reverse("api:student-detail", args=[world.pupil3.pk]),
        reverse("my-address"),
        reverse("my-contact"),
        reverse("home"),
        reverse("child-access-log", args=[world.pupil3.pk]),
    ):
        body = other.get(url).content.decode()
        for part in secret_parts:
            assert part not in body, (url, part)
    # No trace of the move in the history the other guardian reads (the child's page, the
    # access package's section), not even the field names.
    from students.selectors.history import changes_for_guardian

    seen = changes_for_guardian(
        world.pupil3,
        guardian_id=world.users["guardian"].guardian.pk,
        user_id=world.users["guardian"].pk,
        has_authority=True,
    )
    assert seen == [], seen
    # The confidential guardian herself sees her child's address.
    own = _client(confidential).get(reverse("child-detail", args=[world.pupil3.pk]))
    assert "Kastanjelaan" in own.content.decode()
    # And the administration does.
    staff = _client(world.users["administration"])
    assert (
        "Kastanjelaan"
        in staff.get(reverse("student-detail", args=[world.pupil3.pk])).content.decode()
    )


def test_confidential_move_stays_out_of_the_access_package(world):
    from privacy_requests.package import _student

    confidential = make_guardian_user(world.pupil3, confidential=True, email="vera@t.example")
    address_change_confirm(
        actor=world.users["administration"], change=_propose(world, parent=confidential)
    )
    world.pupil3.refresh_from_db()

    assert _student(world.pupil3, {}, [])["address"] is None


def test_the_school_to_do_counts_waiting_moves_with_a_fixed_number_of_queries(world):
    from students.services.pupils import guardian_link
    from students.todos_address import address_change_todos

    admin = world.users["administration"]
    _propose(world)
    address_change_todos(admin)  # the roles are read once per request
    with CaptureQueriesContext(connection) as one:
        items = address_change_todos(admin)
    assert len(items) == 1
    with translation.override("en"):
        assert str(items[0].title) == "1 move to confirm"
    for n in range(9):
        parent = make_guardian_user(email=f"ouder{n}@t.example")
        guardian_link(actor=None, guardian=parent.guardian, student=world.pupil5)
        _propose(world, parent=parent, students=[world.pupil5])
    with CaptureQueriesContext(connection) as ten:
        items = address_change_todos(admin)
    with translation.override("en"):
        assert str(items[0].title) == "10 moves to confirm"
    assert len(one.captured_queries) == len(ten.captured_queries) == 1
    assert address_change_todos(world.users["teacher"]) == []
    assert address_change_todos(world.users["guardian"]) == []
    page = _client(admin).get(reverse("home")).content.decode()
    assert reverse("address-change-list") in page


def test_the_queue_does_a_fixed_number_of_queries(world):
    from students.services.pupils import guardian_link

    client = _client(world.users["administration"])
    _propose(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("address-change-list")).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(20):
        parent = make_guardian_user(email=f"ouder{n}@t.example")
        child = StudentFactory.create(group=world.group5)
        guardian_link(actor=None, guardian=parent.guardian, student=child)
        _propose(world, parent=parent, students=[child])
    assert count() == one


def test_proposal_and_decision_events_carry_no_pupil(world):
    change = _propose(world)
    address_change_reject(actor=world.users["administration"], change=change, reason="Nee")
    events = AccessEvent.objects.filter(object_type="address_change")
    assert events.count() == 2
    assert not events.exclude(student_id=None).exists()


def test_a_move_with_a_child_at_another_school_is_confirmed_by_each_school_for_its_own(world):
    """The administration confirms for the children of its own school only, and never sees
    the name of a child at another school of the board; the other school's children wait, as
    the same move, for their own school's administration."""
    sibling = StudentFactory.create(
        group=world.other_school.groups.first(), surname="Zonnebloemsma", given_name="Wieteke"
    )
    parent = make_guardian_user(world.pupil3, sibling, email="twee-scholen@t.example")
    change = _propose(world, parent=parent, students=[world.pupil3, sibling])
    admin = world.users["administration"]

    detail = _client(admin).get(reverse("address-change-detail", args=[change.pk]))
    queue = _client(admin).get(reverse("address-change-list"))
    for response in (detail, queue):
        assert response.status_code == 200
        assert "Zonnebloemsma" not in response.content.decode()
        assert "Wieteke" not in response.content.decode()

    address_change_confirm(actor=admin, change=change)

    world.pupil3.refresh_from_db()
    sibling.refresh_from_db()
    assert world.pupil3.street == "Kastanjelaan"
    assert sibling.street != "Kastanjelaan"
    waiting = AddressChange.objects.get(guardian=parent.guardian, status="pending")
    assert list(waiting.students.all()) == [sibling]
    assert (waiting.street, waiting.postal_code) == ("Kastanjelaan", "8012 AB")


def test_a_move_needs_the_children_who_move_when_the_parent_has_children(world):
    """A move with no child reaches no school (each school confirms for its own children), so
    it would only block the parent's next report."""
    client = _client(world.users["guardian"])
    data = _form()
    del data["students"]

    refused = client.post(reverse("my-address"), data)

    assert refused.status_code == 303
    page = client.get(refused["Location"]).content.decode()
    assert 'id="id_students_error"' in page
    assert "Choose the children who move with you" in page
    assert 'value="Kastanjelaan"' in page
    assert not AddressChange.objects.exists()
    with pytest.raises(AddressChangeError) as error:
        _propose(world, students=[])
    assert "students" in error.value.field_errors
    assert not AddressChange.objects.exists()


def test_a_parent_without_an_enrolled_child_cannot_report_a_move(world):
    parent = make_guardian_user(email="geen-kind@t.example")
    client = _client(parent)

    page = client.get(reverse("my-address"))
    refused = client.post(reverse("my-address"), _form())

    assert page.context["form"] is None
    assert "contact the school" in page.content.decode()
    assert refused.status_code == 303
    assert not AddressChange.objects.exists()
    with pytest.raises(AddressChangeError):
        _propose(world, parent=parent, students=[])
    assert not AddressChange.objects.exists()
