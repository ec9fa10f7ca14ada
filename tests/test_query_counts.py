"""Lists do a constant number of queries: the same for 1 row as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.constants import Action, Outcome
from audit.models import AccessEvent
from tests.admissions.factories_decisions import ApplicationFactory
from tests.students.factories import GuardianFactory, StudentFactory, link_guardian


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_pupils(world, count: int) -> None:
    for _ in range(count):
        student = StudentFactory.create(group=world.group3)
        link_guardian(GuardianFactory.create(), student)


@pytest.mark.parametrize(
    ("route", "role"),
    [
        ("student-list", "director"),
        ("student-list", "teacher"),
        ("api:student-list", "director"),
        ("api:student-list", "teacher"),
        ("api:student-list", "guardian"),
    ],
)
def test_pupil_list_queries_do_not_grow_with_rows(world, client, api, route, role):
    http = api if route.startswith("api:") else client
    http.force_login(world.users[role])
    url = reverse(route)
    one = _queries(http, url)
    _add_pupils(world, 49)
    fifty = _queries(http, url, page_size=50)
    if route.startswith("api:") and role != "guardian":
        assert len(http.get(url, {"page_size": 50}).json()["results"]) == 50
    assert one == fifty, f"{route} as {role}: {one} queries for 1 row, {fifty} for 50"
    assert fifty <= 12


@pytest.mark.parametrize("route", ["audit-event-list", "api:audit-event-list"])
def test_audit_list_queries_do_not_grow_with_rows(world, client, api, route):
    http = api if route.startswith("api:") else client
    http.force_login(world.users["director"])

    def add_event():
        AccessEvent.objects.create(
            action=Action.VIEW,
            outcome=Outcome.ALLOWED,
            school_id=world.school.pk,
            student_id=world.pupil5.pk,
        )

    add_event()
    url = reverse(route)
    one = _queries(http, url, student=world.pupil5.pk)
    for _ in range(49):
        add_event()
    fifty = _queries(http, url, student=world.pupil5.pk)
    assert AccessEvent.objects.filter(student_id=world.pupil5.pk).count() == 50
    assert one == fifty, f"{route}: {one} queries before, {fifty} with 50 more events"
    # The page names its pupils (the reader's scope, the pupils, their group on the day):
    # three queries for the page, however many rows it has.
    assert fifty <= 11


def _add_mixed_events(world, rounds: int) -> None:
    """Events as the trail holds them: different people, pupils and kinds of object (a pupil's
    page, a care record, a group, a colleague's account, a privacy request), each round one
    of each kind."""
    actors = ["teacher", "care_coordinator", "administration", "guardian"]
    pupils = [world.pupil3, world.pupil5, world.other_pupil]
    objects = [
        ("student", lambda pupil: pupil.pk),
        ("care_record", lambda pupil: world.care["pupil5"].pk),
        ("group", lambda pupil: world.group3.pk),
        ("staff", lambda pupil: world.users["teacher"].pk),
        ("privacy_request", lambda pupil: 7),
    ]
    for n in range(rounds * len(objects)):
        pupil = pupils[n % len(pupils)]
        object_type, object_id = objects[n % len(objects)]
        AccessEvent.objects.create(
            action=Action.VIEW,
            outcome=Outcome.ALLOWED,
            actor_id=world.users[actors[n % len(actors)]].pk,
            role=actors[n % len(actors)],
            object_type=object_type,
            object_id=str(object_id(pupil)),
            school_id=world.school.pk,
            student_id=pupil.pk,
        )


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
@pytest.mark.parametrize("route", ["audit-event-list", "api:audit-event-list"])
def test_audit_list_in_words_queries_do_not_grow_with_rows(world, client, api, route, role):
    """Names of people and pupils, groups and objects are looked up once per page."""
    http = api if route.startswith("api:") else client
    http.force_login(world.users[role])
    url = reverse(route)
    _add_mixed_events(world, 1)
    few = _queries(http, url, action="view", page_size=50)
    _add_mixed_events(world, 9)
    many = _queries(http, url, action="view", page_size=50)
    assert AccessEvent.objects.filter(action=Action.VIEW).count() == 50
    assert few == many, f"{route} as {role}: {few} queries for 5 events, {many} for 50"


def _start_page_items_add(world, n: int) -> None:
    """n more of each kind of to-do item the director and the privacy officer see."""
    import datetime

    from django.utils import timezone

    from consent.models import Publication, Takedown
    from privacy_requests.services import request_submit
    from registers.services import breach_record
    from students.constants import CareVisibility, ReligionStatus, WithholdStatus
    from students.models import CareRecord, ReligionRecord
    from suppliers.constants import AgreementModel
    from suppliers.models import Supplier
    from suppliers.services import agreement_save, product_save

    director = world.users["director"]
    guardian = world.users["guardian"]
    now = timezone.now()
    today = timezone.localdate()
    for i in range(n):
        publication = Publication.objects.create(
            school=world.school,
            title=f"Nieuwsbrief {i}",
            purpose=world.school.purposes.get(code="website"),
            publish_on=today,
            created_by=director,
        )
        publication.pupils.set([world.pupil3])
        Takedown.objects.create(
            publication=publication,
            student=world.pupil3,
            decision=world.takedowns["school"].decision,
        )
        ReligionRecord.objects.create(  # recorded before consent was asked
            student=StudentFactory.create(group=world.group5),
            status=ReligionStatus.STATED,
            religion="Islam",
        )
        CareRecord.objects.create(
            student=world.pupil5,
            kind="child_protection",
            content="Signaal",
            justification="Meldcode",
            source="school",
            review_date=today + datetime.timedelta(days=200),
            visibility=CareVisibility.CARE_TEAM,
            withhold_status=WithholdStatus.REQUESTED,
            withhold_reason="Besluit nodig",
        )
        breach_record(
            user=director,
            board_id=world.school.board_id,
            school=world.school,
            occurred_at=now - datetime.timedelta(hours=3),
            aware_at=now - datetime.timedelta(hours=2),
            description=f"Datalek {i}",
            categories=["identity"],
        )
        request_submit(
            user=guardian,
            student=world.pupil3,
            guardian=guardian.guardian,
            kind="access",
            description=f"Vraag {i}",
        )
        ApplicationFactory.create(  # its decision is overdue
            school=world.school, complete_on=today - datetime.timedelta(days=50)
        )
        supplier = Supplier.objects.create(board=world.school.board, name=f"Leverancier {n}-{i}")
        product = product_save(
            user=director,
            supplier=supplier,
            attribute_reasons={"first_name": "inloggen"},
            group_ids=[world.group3.pk],
            name=f"App {n}-{i}",
            purposes="Oefenen",
            retention="1 jaar",
            storage_location="NL",
        )
        agreement_save(
            user=director,
            supplier=supplier,
            attributes=["first_name"],
            product_ids=[product.pk],
            model=AgreementModel.MODEL_4,
            signed_on=today - datetime.timedelta(days=300),
            valid_from=today - datetime.timedelta(days=300),
            valid_until=today + datetime.timedelta(days=3),
        )


def _leaving_notices_add(world, n: int) -> None:
    """n more pupils who left abroad: each a notice to the attendance officer to send."""
    from django.utils import timezone

    from admissions.services.leaving import pupil_leave
    from suppliers.constants import RecipientKind
    from suppliers.models import Recipient

    Recipient.objects.get_or_create(
        board=world.school.board,
        kind=RecipientKind.ATTENDANCE_OFFICER,
        defaults={"name": "Leerplicht", "legal_basis": "Leerplichtwet", "attributes": ["bsn"]},
    )
    for _ in range(n):
        pupil_leave(
            actor=world.users["administration"],
            student=StudentFactory.create(group=world.group5),
            left_on=timezone.localdate(),
            reason="abroad",
        )


@pytest.mark.parametrize("role", ["director", "privacy_officer", "administration"])
def test_start_page_queries_do_not_grow_with_to_do_items(world, client, role):
    """The start page's to-do list (students/start_page.py): every provider a fixed number of
    queries, the same for one item of each kind as for ten."""
    from tests.todo_items import todo_items_in

    client.force_login(world.users[role])
    url = reverse("home")
    _start_page_items_add(world, 1)
    _leaving_notices_add(world, 1)
    before = len(todo_items_in(client.get(url).content.decode()))
    one = _queries(client, url)
    _start_page_items_add(world, 9)
    _leaving_notices_add(world, 9)
    after = len(todo_items_in(client.get(url).content.decode()))
    ten = _queries(client, url)
    assert after > before, f"{role}: no more items to count with ({before} -> {after})"
    assert one == ten, f"start page as {role}: {one} queries, {ten} with more to-do items"


def _parent_items_add(world, parent, n: int) -> list:
    """n more children of ``parent`` (with authority) in the school, each with a question of
    the open consent round unanswered and a privacy request waiting for the parent."""
    from privacy_requests.services import request_submit, request_wait
    from students.services.pupils import guardian_link

    added = []
    for _ in range(n):
        child = StudentFactory.create(group=world.group5)
        guardian_link(actor=None, guardian=parent.guardian, student=child, has_authority=True)
        request = request_submit(
            user=parent,
            student=child,
            guardian=parent.guardian,
            kind="access",
            description="Inzage",
        )
        request_wait(user=world.users["administration"], request=request, question="Welk jaar?")
        added.append(child)
    return added


def test_a_parents_start_page_queries_do_not_grow_with_to_do_items(world, client):
    """A guardian's start page (their children, their to-do list from every provider): the
    same number of queries for one child with items as for ten."""
    from consent.models import ConsentCampaign
    from consent.selectors.status import current_school_year
    from tests.todo_items import todo_items_in

    parent = world.users["guardian"]
    ConsentCampaign.objects.create(
        school=world.school, school_year=current_school_year(), started_by=world.users["director"]
    )
    client.force_login(parent)
    url = reverse("home")
    _parent_items_add(world, parent, 1)
    before = len(todo_items_in(client.get(url).content.decode()))
    one = _queries(client, url)
    _parent_items_add(world, parent, 9)
    after = len(todo_items_in(client.get(url).content.decode()))
    ten = _queries(client, url)
    assert after >= before + 18, f"no more items to count with ({before} -> {after})"
    assert one == ten, f"parent's start page: {one} queries, {ten} with more to-do items"


def _add_capability_events(world, rounds: int) -> None:
    """Events of the objects the capabilities describe (privacy requests, breaches, retention
    rules and runs, publications, takedowns, colleagues' accounts), each round one of each."""
    rule = next(iter(world.retention["rules"]["school"].values()))
    objects = {
        "privacy_request": world.requests["access"].pk,
        "breach": world.breaches["school"].pk,
        "retention_rule": rule.pk,
        "retention_run": world.retention["runs"]["school"].pk,
        "publication": world.publications["school"].pk,
        "takedown": world.takedowns["school"].pk,
        "staff_deactivation": world.users["teacher"].pk,
    }
    for _ in range(rounds):
        for object_type, object_id in objects.items():
            AccessEvent.objects.create(
                action=Action.UPDATE,
                outcome=Outcome.ALLOWED,
                actor_id=world.users["director"].pk,
                role="director",
                object_type=object_type,
                object_id=str(object_id),
                school_id=world.school.pk,
            )


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
@pytest.mark.parametrize("route", ["audit-event-list", "api:audit-event-list"])
def test_audit_list_of_capability_objects_queries_do_not_grow_with_rows(
    request_world, retention_world, breach_world, client, api, route, role
):
    """Each capability's describer reads its objects once per page."""
    world = breach_world
    http = api if route.startswith("api:") else client
    http.force_login(world.users[role])
    url = reverse(route)
    _add_capability_events(world, 1)
    few = _queries(http, url, action="update", page_size=70)
    _add_capability_events(world, 9)
    many = _queries(http, url, action="update", page_size=70)
    assert few == many, f"{route} as {role}: {few} queries for 7 events, {many} for 70"


def _applications_add(world, count: int) -> None:
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    for i in range(count):
        ApplicationFactory.create(
            school=world.school, complete_on=today - datetime.timedelta(days=i % 60)
        )
        ApplicationFactory.create(school=world.school, refused=True)


@pytest.mark.parametrize(
    ("route", "role", "tab"),
    [
        ("application-inbox", "director", ""),
        ("application-inbox", "administration", ""),
        ("application-inbox", "care_coordinator", ""),
        ("application-inbox", "director", "decided"),
        ("api:application-list", "administration", ""),
    ],
)
def test_application_inbox_queries_do_not_grow_with_rows(world, client, api, route, role, tab):
    """The inbox of applications with their clocks, open and decided, and its API."""
    http = api if route.startswith("api:") else client
    http.force_login(world.users[role])
    url = reverse(route)
    params = {"tab": tab} if tab else {}
    _applications_add(world, 1)
    one = _queries(http, url, **params)
    _applications_add(world, 49)
    fifty = _queries(http, url, **params, **({"page_size": 50} if route.startswith("api:") else {}))
    if route.startswith("api:"):
        assert len(http.get(url, {"page_size": 50}).json()["results"]) == 50
    else:
        assert len(client.get(url, params).context["rows"]) == 50
    assert one == fifty, f"{route} as {role}: {one} queries for 1 row, {fifty} for 50"
    assert fifty <= 12


def _add_registrations(world, count: int, *, sent: bool) -> None:
    """Funding registrations of new pupils of the school, each produced through the gate (a
    disclosure) and, with ``sent``, marked sent; due on different days."""
    import datetime

    from django.utils import timezone

    from admissions.constants import RegistrationKind
    from admissions.models import FundingRegistration
    from admissions.services.funding import duo_recipient_ensure
    from suppliers.constants import Basis, LegalGround
    from suppliers.models import Disclosure

    duo = duo_recipient_ensure(board=world.school.board)
    today = timezone.localdate()
    for index in range(count):
        student = StudentFactory.create(group=world.group3)
        disclosure = Disclosure.objects.create(
            school=world.school,
            basis=Basis.LEGAL_OBLIGATION,
            recipient=duo,
            recipient_label=duo.name,
            legal_ground=LegalGround.BRON_REGISTRATION,
            created_by=world.users["administration"],
        )
        event_on = today - datetime.timedelta(days=6 + index % 6)  # due from tomorrow back
        FundingRegistration.objects.create(
            school=world.school,
            student=student,
            kind=RegistrationKind.ENROLMENT,
            event_on=event_on,
            due_on=event_on + datetime.timedelta(days=7),
            disclosure=disclosure,
            file=f"private/funding/test-{student.pk}.json",
            file_expires_at=timezone.now() + datetime.timedelta(days=3),
            sent_at=timezone.now() if sent else None,
            sent_by=world.users["administration"] if sent else None,
        )


@pytest.mark.parametrize("role", ["director", "administration"])
def test_funding_registration_list_queries_do_not_grow_with_rows(world, client, role):
    """Due and sent registrations, each with its clock, download link and who sent it."""
    client.force_login(world.users[role])
    url = reverse("registration-list")
    _add_registrations(world, 1, sent=False)
    _add_registrations(world, 1, sent=True)
    few = _queries(client, url)
    _add_registrations(world, 49, sent=False)
    _add_registrations(world, 49, sent=True)
    many = _queries(client, url)
    assert few == many, f"registration-list as {role}: {few} queries for 2 rows, {many} for 100"


def test_funding_todos_queries_do_not_grow_with_items(world):
    from admissions.todos_funding import funding_todos
    from students.start_page import todos_for

    user = world.users["administration"]
    funding_todos(user)  # the user's roles are read once per request
    _add_registrations(world, 1, sent=False)
    with CaptureQueriesContext(connection) as few:
        assert len(funding_todos(user)) == 1
    _add_registrations(world, 30, sent=False)
    with CaptureQueriesContext(connection) as many:
        assert len(funding_todos(user)) > 1
    assert len(few.captured_queries) == len(many.captured_queries)
    assert todos_for(user)  # the start page reads them through the registry
