"""The breach register: the 72-hour clock (weekends and clock changes do not stop it), the
reminders at 24 and 48 hours, the pupils concerned found from the portal's own evidence, the
rules of the decision and of closing, the timeline, and the draft notices to the guardians."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from accounts.constants import Role
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from audit.services import event_record
from registers.constants import BreachStatus, PupilSource, Risk
from registers.models import Breach, BreachPupil, BreachStep
from registers.selectors import breaches_visible_to, pupils_viewed_by
from registers.services import (
    BreachError,
    breach_close,
    breach_decide,
    breach_pupils_add,
    breach_record,
    breach_reminders_send,
    breach_update,
    notice_drafts,
)
from students.services import staff_assign_to_school
from suppliers.models import DisclosedPupil

from ..students.factories import StudentFactory, make_staff

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
HOUR = datetime.timedelta(hours=1)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A wall-clock moment in Amsterdam."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def _record(world, aware_at, *, user="director", board_wide=False) -> Breach:
    """A breach of the school (or of the whole board) that became known at ``aware_at``,
    recorded a minute later under a clock frozen there."""
    school = None if board_wide else world.school
    with freeze_time(aware_at + datetime.timedelta(minutes=1)):
        return breach_record(
            user=world.users[user],
            board_id=world.school.board_id,
            school=school,
            occurred_at=aware_at - 3 * HOUR,
            aware_at=aware_at,
            description="Cijferlijst groep 3 gemaild naar een verkeerde ouder",
            categories=["identity", "progress"],
        )


def _linked(breach) -> set[int]:
    return set(BreachPupil.objects.filter(breach=breach).values_list("student_id", flat=True))


def _state(breach) -> tuple:
    breach.refresh_from_db()
    return (
        breach.status,
        breach.risk,
        breach.notify_authority,
        breach.decision_reason,
        breach.decided_at,
        BreachStep.objects.filter(breach=breach).count(),
        _linked(breach),
    )


# --- the 72-hour clock -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aware_at", "due", "shown"),
    [
        # A weekend does not stop the clock.
        (local(2026, 2, 6, 16, 0), local(2026, 2, 9, 16, 0), "Mon 09-02-2026 16:00"),
        # Summer time ends on Sunday 26 October 2025: 72 elapsed hours end at 11:00 local.
        (local(2025, 10, 24, 12, 0), local(2025, 10, 27, 11, 0), "Mon 27-10-2025 11:00"),
        # Summer time starts on Sunday 29 March 2026: 72 elapsed hours end at 13:00 local.
        (local(2026, 3, 27, 12, 0), local(2026, 3, 30, 13, 0), "Mon 30-03-2026 13:00"),
    ],
    ids=["weekend", "summer-time-ends", "summer-time-starts"],
)
def test_decision_is_due_72_elapsed_hours_after_becoming_aware_when_a_weekend_or_clock_change_falls_in_between(  # noqa: E501
    world, aware_at, due, shown
):
    breach = _record(world, aware_at)
    as_recorded = breach.decision_due
    breach.refresh_from_db()

    assert as_recorded == breach.decision_due == due
    assert breach.decision_due - breach.aware_at == datetime.timedelta(hours=72)
    assert timezone.localtime(breach.decision_due).strftime("%a %d-%m-%Y %H:%M") == shown


def test_decision_due_follows_the_local_time_typed_in_the_form_when_summer_time_ends(world, client):
    client.force_login(world.users["director"])

    with freeze_time(local(2025, 10, 24, 13, 0)):
        response = client.post(
            reverse("breach-list"),
            {
                "school": world.school.pk,
                "occurred_at": "2025-10-24T09:30",
                "aware_at": "2025-10-24T12:00",
                "description": "Mail met klassenlijst naar verkeerde ouder",
            },
        )

    assert response.status_code == 302
    breach = Breach.objects.get()
    assert breach.aware_at == local(2025, 10, 24, 12, 0)
    assert timezone.localtime(breach.decision_due) == local(2025, 10, 27, 11, 0)


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (local(2025, 10, 24, 12, 0), 72),
        (local(2025, 10, 25, 2, 30), 57.5),
        # Sunday noon local is 49 elapsed hours: the extra hour of the night counts.
        (local(2025, 10, 26, 12, 0), 23),
        (local(2025, 10, 27, 11, 0), 0),
        (local(2025, 10, 27, 13, 0), -2),
    ],
)
def test_hours_left_counts_elapsed_hours_when_the_clock_is_frozen(world, now, left):
    breach = _record(world, local(2025, 10, 24, 12, 0))

    with freeze_time(now):
        assert breach.hours_left == pytest.approx(left)


# --- reminders --------------------------------------------------------------------------------


@pytest.fixture
def bystanders(world):
    """People who must not be reminded: the director of the other school of the board and the
    privacy officer of another board (the school's administration is in ``world``)."""
    return {
        make_staff(Role.DIRECTOR, school=world.other_school, email="director-brug@t.example"),
        make_staff(
            Role.PRIVACY_OFFICER, board=world.foreign_school.board, email="privacy-x@t.example"
        ),
    }


def _reminded() -> list[list[str]]:
    return [sorted(message.to) for message in mail.outbox]


def test_reminders_go_once_at_24_and_48_hours_to_the_director_and_privacy_officer_when_open(
    world, bystanders, mailoutbox
):
    aware = local(2026, 2, 6, 16, 0)
    breach = _record(world, aware)
    responsible = ["director@t.example", "privacy@t.example"]

    assert breach_reminders_send(now=aware + 24 * HOUR - datetime.timedelta(minutes=1)) == 0
    assert _reminded() == []

    assert breach_reminders_send(now=aware + 24 * HOUR) == 2
    assert _reminded() == [responsible]
    assert "9-2-2026 16:00" in mail.outbox[0].subject  # the due moment, local time, Dutch format
    assert breach_reminders_send(now=aware + 30 * HOUR) == 0
    assert breach_reminders_send(now=aware + 47 * HOUR) == 0
    assert _reminded() == [responsible]

    assert breach_reminders_send(now=aware + 48 * HOUR) == 2
    assert breach_reminders_send(now=aware + 48 * HOUR) == 0
    assert breach_reminders_send(now=aware + 80 * HOUR) == 0
    assert _reminded() == [responsible, responsible]
    assert "48" in mail.outbox[1].body
    breach.refresh_from_db()
    assert breach.reminders_sent == [24, 48]


def test_no_further_reminder_is_sent_when_the_decision_is_taken(world, mailoutbox):
    aware = local(2026, 2, 6, 16, 0)
    decided_early = _record(world, aware)
    decided_late = _record(world, aware)
    with freeze_time(aware + 2 * HOUR):
        breach_decide(
            user=world.users["director"],
            breach=decided_early,
            risk=Risk.UNLIKELY,
            notify_authority=False,
            reason="De ouder heeft de mail verwijderd",
        )

    assert breach_reminders_send(now=aware + 24 * HOUR) == 2  # the one still open
    assert len(mail.outbox) == 1
    assert f"{decided_late.pk}" in mail.outbox[0].subject
    with freeze_time(aware + 30 * HOUR):
        breach_decide(
            user=world.users["privacy_officer"],
            breach=decided_late,
            risk=Risk.RISK,
            notify_authority=True,
            reason="Cijfers van een kind bij een ander gezin",
        )

    assert breach_reminders_send(now=aware + 48 * HOUR) == 0
    assert breach_reminders_send(now=aware + 100 * HOUR) == 0
    assert len(mail.outbox) == 1
    decided_early.refresh_from_db()
    assert decided_early.reminders_sent == []


def test_a_board_wide_breach_reminds_only_the_boards_privacy_officer_when_open(
    world, bystanders, mailoutbox
):
    aware = local(2026, 2, 6, 16, 0)
    _record(world, aware, user="privacy_officer", board_wide=True)

    assert breach_reminders_send(now=aware + 24 * HOUR) == 1

    assert _reminded() == [["privacy@t.example"]]


def test_a_late_run_sends_one_reminder_and_marks_both_when_both_moments_have_passed(
    world, mailoutbox
):
    aware = local(2026, 2, 6, 16, 0)
    breach = _record(world, aware)

    assert breach_reminders_send(now=aware + 50 * HOUR) == 2
    assert breach_reminders_send(now=aware + 51 * HOUR) == 0

    assert len(mail.outbox) == 1
    breach.refresh_from_db()
    assert breach.reminders_sent == [24, 48]


# --- who sees which breach ------------------------------------------------------------------


def test_director_sees_their_schools_breaches_and_privacy_officer_the_boards_when_listing(
    breach_world,
):
    world = breach_world
    ids = {key: world.breaches[key].pk for key in ("school", "other", "foreign", "board")}

    director = set(breaches_visible_to(world.users["director"]).values_list("pk", flat=True))
    officer = set(breaches_visible_to(world.users["privacy_officer"]).values_list("pk", flat=True))

    assert director == {ids["school"]}
    assert officer == {ids["school"], ids["other"], ids["board"]}


def test_board_wide_breach_is_not_found_when_the_director_opens_it(breach_world, client):
    world = breach_world
    url = reverse("breach-detail", args=[world.breaches["board"].pk])

    client.force_login(world.users["director"])
    director = client.get(url)
    client.force_login(world.users["privacy_officer"])
    officer = client.get(url)

    assert (director.status_code, officer.status_code) == (404, 200)
    assert AccessEvent.objects.filter(
        actor_id=world.users["director"].pk, outcome=Outcome.DENIED, object_type="breach"
    ).exists()


@pytest.mark.parametrize(
    ("role", "key", "status"), [("director", "other", 404), ("teacher", "school", 403)]
)
def test_refused_decision_changes_nothing_when_out_of_scope_or_without_the_function(
    breach_world, role, key, status
):
    world = breach_world
    breach = world.breaches[key]
    before = _state(breach)
    client = Client()
    client.force_login(world.users[role])

    response = client.post(
        reverse("breach-action", args=[breach.pk, "decide"]),
        {"risk": "unlikely", "notify_authority": "no", "reason": "Geen risico"},
    )

    assert response.status_code == status
    assert _state(breach) == before


# --- pupils concerned ------------------------------------------------------------------------


def test_pupils_from_a_disclosure_are_exactly_those_it_sent_when_the_gate_left_pupils_out(
    breach_world, client
):
    world = breach_world
    breach, disclosure = world.breaches["school"], world.breaches["disclosure"]
    sent = set(
        DisclosedPupil.objects.filter(disclosure=disclosure).values_list("student_id", flat=True)
    )
    # The gate sent Tim (consent) and left Sara out (no answer): the evidence says so.
    assert sent == {world.pupil3.pk}
    assert disclosure.dropped_count == 1
    client.force_login(world.users["director"])

    response = client.post(
        reverse("breach-action", args=[breach.pk, "pupils-disclosure"]),
        {"disclosure": disclosure.pk},
    )

    assert response.status_code == 302
    assert _linked(breach) == sent
    assert world.pupil5.pk not in _linked(breach)
    assert set(BreachPupil.objects.filter(breach=breach).values_list("source", flat=True)) == {
        PupilSource.DISCLOSURE
    }


def test_disclosure_of_another_school_is_not_found_when_the_director_takes_pupils_from_it(
    breach_world, client
):
    world = breach_world
    breach = world.breaches["school"]
    client.force_login(world.users["director"])

    response = client.post(
        reverse("breach-action", args=[breach.pk, "pupils-disclosure"]),
        {"disclosure": world.breaches["other_disclosure"].pk},
    )

    assert response.status_code == 404
    assert _linked(breach) == set()
    assert AccessEvent.objects.filter(
        request_id=response["X-Request-ID"], outcome=Outcome.DENIED, object_type="disclosure"
    ).exists()


def test_adding_pupils_again_adds_nobody_twice_when_they_are_already_linked(breach_world, client):
    world = breach_world
    breach, disclosure = world.breaches["school"], world.breaches["disclosure"]
    user = world.users["director"]

    first = breach_pupils_add(
        user=user,
        breach=breach,
        student_ids=[world.pupil5.pk, world.pupil3.pk, world.pupil5.pk],
        source=PupilSource.MANUAL,
    )
    again = breach_pupils_add(
        user=user, breach=breach, student_ids=[world.pupil3.pk], source=PupilSource.MANUAL
    )
    client.force_login(user)
    client.post(
        reverse("breach-action", args=[breach.pk, "pupils-disclosure"]),
        {"disclosure": disclosure.pk},
    )

    assert (first, again) == (2, 0)
    assert BreachPupil.objects.filter(breach=breach).count() == 2
    assert _linked(breach) == {world.pupil3.pk, world.pupil5.pk}


def test_pupils_an_account_viewed_are_exactly_its_allowed_reads_in_the_period_at_the_school(
    breach_world,
):
    """A director of both schools of the board whose account was misused between 09:00 and
    12:00: only what that account opened at the breach's school in that period counts."""
    world = breach_world
    breach = world.breaches["school"]
    suspect = make_staff(Role.DIRECTOR, school=world.school, email="suspect@t.example")
    staff_assign_to_school(user=suspect, school=world.other_school, role=Role.DIRECTOR)
    early = StudentFactory.create(group=world.group3, given_name="Eva")
    late = StudentFactory.create(group=world.group5, given_name="Lotte")
    day = timezone.localdate() + datetime.timedelta(days=1)

    def at(hour, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=AMSTERDAM)

    def view(user, student, when):
        client = Client()
        client.force_login(user)
        with freeze_time(when):
            return client.get(reverse("student-detail", args=[student.pk])).status_code

    assert view(suspect, early, at(8, 59)) == 200  # before the period
    assert view(suspect, world.pupil3, at(9, 0)) == 200
    assert view(suspect, world.other_pupil, at(10, 0)) == 200  # another school of the board
    assert view(suspect, world.foreign_pupil, at(10, 5)) == 404  # denied
    assert view(world.users["administration"], world.pupil5, at(10, 10)) == 200  # someone else
    assert view(suspect, late, at(12, 0)) == 200  # the period has ended
    with freeze_time(at(11, 0)):
        # A refused look at a pupil of the school is evidence too, but not a read.
        event_record(
            user=suspect,
            action=Action.VIEW,
            outcome=Outcome.DENIED,
            object_type="student",
            object_id=world.pupil5.pk,
            student_id=world.pupil5.pk,
            school_id=world.school.pk,
            data_kind=DataKind.BASICS,
        )

    found = pupils_viewed_by(breach=breach, actor_id=suspect.pk, since=at(9), until=at(12))

    evidence = set(
        AccessEvent.objects.filter(
            actor_id=suspect.pk,
            outcome=Outcome.ALLOWED,
            school_id=world.school.pk,
            created_at__gte=at(9),
            created_at__lt=at(12),
        ).values_list("student_id", flat=True)
    )
    assert found == sorted(evidence) == [world.pupil3.pk]


def test_pupils_an_account_viewed_are_linked_once_when_added_through_the_breach_page(
    breach_world, client
):
    world = breach_world
    breach = world.breaches["school"]
    teacher = world.users["teacher"]
    with freeze_time(timezone.now() + datetime.timedelta(days=1)):
        viewer = Client()
        viewer.force_login(teacher)
        assert viewer.get(reverse("student-detail", args=[world.pupil3.pk])).status_code == 200
        assert viewer.get(reverse("student-detail", args=[world.pupil5.pk])).status_code == 404
        now = timezone.localtime()
    client.force_login(world.users["privacy_officer"])
    form = {
        "account": teacher.email.upper(),
        "since": (now - 2 * HOUR).strftime("%Y-%m-%dT%H:%M"),
        "until": (now + 2 * HOUR).strftime("%Y-%m-%dT%H:%M"),
    }
    url = reverse("breach-action", args=[breach.pk, "pupils-account"])

    responses = [client.post(url, form).status_code, client.post(url, form).status_code]

    assert responses == [302, 302]
    assert list(BreachPupil.objects.filter(breach=breach).values_list("student_id", "source")) == [
        (world.pupil3.pk, PupilSource.ACCOUNT_VIEWS)
    ]


# --- the decision and closing ------------------------------------------------------------------


@pytest.mark.parametrize("risk", [Risk.RISK, Risk.HIGH])
def test_decision_is_refused_when_a_risk_is_not_notified_to_the_ap(breach_world, risk):
    world = breach_world
    breach = world.breaches["school"]
    before = _state(breach)

    with pytest.raises(BreachError):
        breach_decide(
            user=world.users["director"],
            breach=breach,
            risk=risk,
            notify_authority=False,
            reason="Liever niet melden",
        )

    assert _state(breach) == before
    decided = breach_decide(
        user=world.users["director"],
        breach=breach,
        risk=risk,
        notify_authority=True,
        reason="Gegevens van een kind bij een ander gezin",
    )
    assert (decided.status, decided.risk, decided.notify_authority) == (
        BreachStatus.DECIDED,
        risk,
        True,
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_decision_is_refused_when_no_reason_is_given(breach_world, reason):
    world = breach_world
    breach = world.breaches["school"]
    before = _state(breach)

    with pytest.raises(BreachError):
        breach_decide(
            user=world.users["director"],
            breach=breach,
            risk=Risk.UNLIKELY,
            notify_authority=False,
            reason=reason,
        )

    assert _state(breach) == before


def test_decision_without_a_reason_is_refused_on_the_page_when_posted(breach_world, client):
    world = breach_world
    breach = world.breaches["school"]
    client.force_login(world.users["director"])

    response = client.post(
        reverse("breach-action", args=[breach.pk, "decide"]),
        {"risk": "risk", "notify_authority": "no", "reason": "Niet melden"},
    )

    assert response.status_code == 400
    breach.refresh_from_db()
    assert breach.status == BreachStatus.OPEN


def test_closing_is_refused_when_there_is_no_decision_yet(breach_world):
    world = breach_world
    breach = world.breaches["school"]
    before = _state(breach)

    with pytest.raises(BreachError):
        breach_close(user=world.users["director"], breach=breach)

    assert _state(breach) == before


def test_closing_requires_the_ap_notification_when_the_decision_was_to_notify(breach_world):
    world = breach_world
    user = world.users["privacy_officer"]
    breach = breach_decide(
        user=user,
        breach=world.breaches["other"],
        risk=Risk.RISK,
        notify_authority=True,
        reason="Laptop zonder versleuteling",
    )

    with pytest.raises(BreachError):
        breach_close(user=user, breach=breach)
    with pytest.raises(BreachError):  # a notification is recorded with the AP's reference
        breach_update(user=user, breach=breach, authority_notified_on=timezone.localdate())
    breach.refresh_from_db()
    assert breach.status == BreachStatus.DECIDED
    assert breach.authority_notified_on is None

    breach_update(
        user=user,
        breach=breach,
        authority_notified_on=timezone.localdate(),
        authority_reference="AP-2026-1234",
    )
    closed = breach_close(user=user, breach=breach)
    assert closed.status == BreachStatus.CLOSED


def test_closing_requires_informing_the_people_concerned_when_the_risk_is_high(breach_world):
    world = breach_world
    user = world.users["director"]
    breach = breach_decide(
        user=user,
        breach=world.breaches["school"],
        risk=Risk.HIGH,
        notify_authority=True,
        reason="Zorggegevens bij een ander gezin",
    )
    breach_update(
        user=user,
        breach=breach,
        authority_notified_on=timezone.localdate(),
        authority_reference="AP-2026-77",
    )

    with pytest.raises(BreachError):
        breach_close(user=user, breach=breach)
    breach_update(user=user, breach=breach, people_informed=False)
    with pytest.raises(BreachError):
        breach_close(user=user, breach=breach)
    breach.refresh_from_db()
    assert breach.status == BreachStatus.DECIDED

    breach_update(user=user, breach=breach, people_informed=True, informed_how="Brief per gezin")
    assert breach_close(user=user, breach=breach).status == BreachStatus.CLOSED


def test_a_breach_without_risk_closes_when_decided_not_to_notify(breach_world):
    world = breach_world
    user = world.users["director"]
    breach = breach_decide(
        user=user,
        breach=world.breaches["school"],
        risk=Risk.UNLIKELY,
        notify_authority=False,
        reason="Mail onleesbaar verwijderd door de ontvanger",
    )

    assert breach_close(user=user, breach=breach).status == BreachStatus.CLOSED


# --- the timeline --------------------------------------------------------------------------------


def _fields(step) -> list[tuple[str, str, str, str]]:
    return [(f["field"], f["label"], f["before"], f["after"]) for f in step.changes["fields"]]


def test_every_change_is_on_the_timeline_with_before_and_after_and_an_access_event(world):
    user = world.users["director"]
    aware = timezone.now() - 5 * HOUR
    with translation.override("en"):
        breach = breach_record(
            user=user,
            board_id=world.school.board_id,
            school=world.school,
            occurred_at=aware - HOUR,
            aware_at=aware,
            description="Klassenlijst op de verkeerde printer",
        )
        breach_update(user=user, breach=breach, measures="Printer beveiligd met pincode")
        breach_update(user=user, breach=breach, measures="Printer beveiligd met pincode")  # same
        breach_decide(
            user=user, breach=breach, risk=Risk.UNLIKELY, notify_authority=False, reason="Binnen"
        )
        breach_pupils_add(
            user=user, breach=breach, student_ids=[world.pupil3.pk], source=PupilSource.MANUAL
        )
        breach_close(user=user, breach=breach)

    steps = list(BreachStep.objects.filter(breach=breach).order_by("created_at", "id"))
    assert len(steps) == 5
    assert all(step.actor_id == user.pk for step in steps)
    assert _fields(steps[1]) == [
        ("measures", "measures taken", "", "Printer beveiligd met pincode")
    ]
    assert _fields(steps[2]) == [
        ("risk", "risk", "", "Unlikely to result in a risk"),
        ("notify_authority", "notify the AP", "", "no"),
        ("decision_reason", "why", "", "Binnen"),
    ]
    assert steps[3].changes["added"] == 1
    events = AccessEvent.objects.filter(
        object_type="breach", object_id=str(breach.pk), actor_id=user.pk
    )
    assert events.count() == len(steps)
    assert set(events.values_list("outcome", "school_id")) == {(Outcome.ALLOWED, world.school.pk)}


def test_changed_moments_are_on_the_timeline_in_local_time_when_aware_at_changes(world):
    breach = _record(world, local(2026, 2, 6, 16, 0))

    with freeze_time(local(2026, 2, 6, 17, 0)):
        breach_update(
            user=world.users["director"], breach=breach, aware_at=local(2026, 2, 6, 15, 40)
        )

    step = BreachStep.objects.filter(breach=breach).latest("id")
    assert [(f["field"], f["before"], f["after"]) for f in step.changes["fields"]] == [
        ("aware_at", "6-2-2026 16:00", "6-2-2026 15:40")
    ]
    breach.refresh_from_db()
    assert breach.decision_due == local(2026, 2, 9, 15, 40)


# --- draft notices ---------------------------------------------------------------------------


def test_draft_notices_exist_in_dutch_and_english_per_pupil_and_name_the_child(
    breach_world, client
):
    world = breach_world
    breach = world.breaches["school"]
    breach_pupils_add(
        user=world.users["director"],
        breach=breach,
        student_ids=[world.pupil3.pk, world.pupil5.pk],
        source=PupilSource.MANUAL,
    )

    drafts = notice_drafts(breach, world.pupil3)
    client.force_login(world.users["director"])
    response = client.get(reverse("breach-notices", args=[breach.pk]))

    assert set(drafts) == {"nl", "en"}
    assert drafts["nl"].startswith("Beste ouders/verzorgers van Tim,")
    assert drafts["en"].startswith("To the parents or guardians of Tim,")
    assert all(breach.description in text for text in drafts.values())
    assert response.status_code == 200
    pages = [(pupil.pk, set(texts)) for pupil, texts in response.context["drafts"]]
    assert sorted(pages) == sorted(
        [(world.pupil3.pk, {"nl", "en"}), (world.pupil5.pk, {"nl", "en"})]
    )
    body = response.content.decode()
    assert "Beste ouders/verzorgers van Sara," in body
    assert "To the parents or guardians of Sara," in body
    assert world.other_pupil.given_name not in body


def test_draft_notices_leave_the_name_blank_when_the_privacy_officer_reads_them(
    breach_world, client
):
    """The board's privacy officer sees no pupil basics: the same drafts, with a placeholder
    for the name that the school fills in."""
    world = breach_world
    breach = world.breaches["school"]
    breach_pupils_add(
        user=world.users["director"],
        breach=breach,
        student_ids=[world.pupil3.pk],
        source=PupilSource.MANUAL,
    )

    pages = {}
    for role in ("director", "privacy_officer"):
        client.force_login(world.users[role])
        pages[role] = client.get(reverse("breach-notices", args=[breach.pk]))

    assert [r.status_code for r in pages.values()] == [200, 200]
    assert "To the parents or guardians of Tim," in pages["director"].content.decode()
    officer = pages["privacy_officer"].content.decode()
    # A placeholder that says what to fill in, never a bare "…" (issue 22).
    assert "To the parents or guardians of [name of the pupil]," in officer
    assert "…" not in officer
    assert not re.search(rf"\b({world.pupil3.given_name}|{world.pupil3.surname})\b", officer)


def test_a_closed_breach_can_no_longer_be_decided_or_changed(breach_world):
    from registers.services import BreachError, breach_close, breach_decide, breach_update

    breach = breach_world.breaches["school"]
    director = breach_world.users["director"]
    breach_decide(user=director, breach=breach, risk="unlikely", notify_authority=False, reason="x")
    breach_close(user=director, breach=breach)

    with pytest.raises(BreachError):
        breach_decide(user=director, breach=breach, risk="risk", notify_authority=True, reason="y")
    with pytest.raises(BreachError):
        breach_update(user=director, breach=breach, measures="Nieuwe maatregel")

    breach.refresh_from_db()
    assert (breach.status, breach.risk, breach.measures) == ("closed", "unlikely", "")
