"""The board's consent dashboard and each school's own: per school, group and purpose code the
same counts as ``statuses_for`` pupil by pupil, in a fixed number of queries, for the roles
that see the consent dashboard and only for their schools."""

import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.constants import Role
from audit.constants import Outcome
from audit.models import AccessEvent
from consent.constants import Channel, Decision, Status
from consent.models import ConsentDecision, ConsentPurpose
from consent.selectors.dashboards import consent_dashboard
from consent.selectors.status import current_school_year, purposes_active, statuses_for
from consent.services import purpose_text_change, purposes_seed
from consent.services.reads import board_consent_overview_open_for
from students.constants import LimitKind
from students.models import ProcessingLimit, Student
from students.services.limits import processing_limit_lift, processing_limit_start

from ..students.factories import (
    BoardFactory,
    GroupFactory,
    GuardianFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
    link_guardian,
    make_staff,
)

GRANTED, REFUSED, WITHDRAWN = Decision.GRANTED, Decision.REFUSED, Decision.WITHDRAWN


class BoardWorld:
    """A board of ``size`` schools with the standard purposes; pupils, guardians, decisions
    and limits are added by the tests. A privacy officer of the board sees every school."""

    def __init__(self, size: int):
        self.board = BoardFactory.create()
        self.year = current_school_year()
        self.schools = [SchoolFactory.create(board=self.board) for _ in range(size)]
        self.groups = {}
        for school in self.schools:
            purposes_seed(school=school)
            self.groups[school.pk] = [
                GroupFactory.create(school=school, year_group_low=3),
                GroupFactory.create(school=school, year_group_low=6),
            ]
        self.clerk = UserFactory.create()
        self.officer = make_staff(Role.PRIVACY_OFFICER, board=self.board)

    def purpose(self, school, code: str) -> ConsentPurpose:
        return ConsentPurpose.objects.select_related("current_version").get(
            school=school, code=code
        )

    def pupil(self, school, *, guardians: int = 2, limited: int = 0, group=None):
        pupil = StudentFactory.create(group=group or self.groups[school.pk][0])
        family = [GuardianFactory.create() for _ in range(guardians + limited)]
        for index, guardian in enumerate(family):
            link_guardian(guardian, pupil, has_authority=index < guardians)
        return pupil, family

    def decide(self, pupil, guardian, code: str, decision: str, *, school=None, year=None):
        """Evidence written directly: a guardian without authority and an earlier school
        year are cases the service would not write but the rules must still handle."""
        purpose = self.purpose(school or pupil.school, code)
        return ConsentDecision.objects.create(
            student=pupil,
            purpose=purpose,
            version=purpose.current_version,  # type: ignore[misc]  # seeded purpose
            guardian=guardian,
            decision=decision,
            channel=Channel.PAPER,
            school_year=year or self.year,
            recorded_by=self.clerk,
        )

    def material_change(self, school, code: str):
        return purpose_text_change(
            user=self.clerk,
            purpose=self.purpose(school, code),
            title_nl="Nieuwe tekst",
            title_en="New text",
            text_nl="Nieuwe tekst",
            text_en="New text",
            requires_new_consent=True,
        )

    def limit(self, pupil, kind: LimitKind, **kwargs):
        return processing_limit_start(actor=self.clerk, student=pupil, kind=kind, **kwargs)


def _board_cells(world: BoardWorld) -> dict[tuple[int, str], tuple[int, int, int]]:
    data = board_consent_overview_open_for(user=world.officer)
    result = {}
    for item in data["purposes"]:
        for school, cell in zip(data["schools"], item.cells, strict=True):
            if cell is not None:
                result[(school.pk, item.code)] = (cell.granted, cell.refused, cell.unknown)
    return result


STATUSES = (Status.GRANTED, Status.REFUSED, Status.UNKNOWN)


def _counts(cell) -> tuple[int, int, int]:
    return (cell.granted, cell.refused, cell.unknown)


def _school_cells(world: BoardWorld) -> dict[tuple[int, str], tuple[int, ...]]:
    """The reference: ``statuses_for``, pupil by pupil, counted per school and purpose. Each
    school's own dashboard must say the same, per group and in its totals."""
    result = {}
    for school in world.schools:
        purposes = purposes_active(school.pk)
        pupils = dict(
            Student.objects.filter(
                school=school, withdrawn_on__isnull=True, group__school_year=world.year
            ).values_list("pk", "group_id")
        )
        statuses = statuses_for(student_ids=list(pupils), purposes=purposes)
        per_group = Counter((pupils[sid], pid, status) for (sid, pid), status in statuses.items())
        per_school = Counter((pid, status) for (_sid, pid), status in statuses.items())
        data = consent_dashboard(school=school)
        for purpose in data["purposes"]:
            expected = tuple(per_school[(purpose.pk, status)] for status in STATUSES)
            result[(school.pk, purpose.code)] = expected
            assert _counts(data["totals"][purpose.pk]) == expected
            for group_id in set(pupils.values()):
                assert _counts(data["cells"][(group_id, purpose.pk)]) == tuple(
                    per_group[(group_id, purpose.pk, status)] for status in STATUSES
                )
    return result


def _totals(cells, code):
    return tuple(
        sum(value[i] for (_school, each), value in cells.items() if each == code) for i in range(3)
    )


# --- equivalence with the per-school dashboard -------------------------------------------------


def test_board_counts_equal_school_dashboards_when_every_rule_applies(db):
    world = BoardWorld(2)
    school, other = world.schools
    # Two guardians grant: consent.
    both, (a, b) = world.pupil(school)
    world.decide(both, a, "website", GRANTED)
    world.decide(both, b, "website", GRANTED)
    # A grant, later withdrawn by the other guardian: no consent.
    withdrawn, (a, b) = world.pupil(school)
    world.decide(withdrawn, a, "website", GRANTED)
    world.decide(withdrawn, b, "website", WITHDRAWN)
    # A refusal, later changed into a grant by the same guardian: consent (the latest counts).
    changed, (a, _b) = world.pupil(school)
    world.decide(changed, a, "website", REFUSED)
    world.decide(changed, a, "website", GRANTED)
    # Only a guardian without parental authority answered: unknown; their refusal is ignored.
    limited, (a, _b, no_authority) = world.pupil(school, limited=1)
    world.decide(limited, no_authority, "school_guide", GRANTED)
    world.decide(limited, no_authority, "website", REFUSED)
    world.decide(limited, a, "website", GRANTED)
    # A grant of last school year for a yearly purpose has expired; for a purpose until
    # withdrawn it still counts.
    last_year, (a, _b) = world.pupil(school)
    world.decide(last_year, a, "website", GRANTED, year=world.year - 1)
    world.decide(last_year, a, "school_guide", GRANTED, year=world.year - 1)
    # A grant to the text before a material change no longer counts; a refusal still does.
    old_text, (a, b) = world.pupil(school)
    world.decide(old_text, a, "newsletter", GRANTED)
    world.decide(old_text, b, "research", REFUSED)
    fresh, (a, _b) = world.pupil(school)
    world.material_change(school, "newsletter")
    world.material_change(school, "research")
    world.decide(fresh, a, "newsletter", GRANTED)
    # An objection to the website only, a restriction of all data, a restriction of some
    # categories (no effect on consent) and a lifted objection.
    objecting, (a, _b) = world.pupil(school)
    world.decide(objecting, a, "website", GRANTED)
    world.decide(objecting, a, "newsletter", GRANTED)
    world.limit(objecting, LimitKind.OBJECTION, purpose_codes=["website"])
    restricted, (a, _b) = world.pupil(school)
    world.decide(restricted, a, "school_guide", GRANTED)
    world.limit(restricted, LimitKind.RESTRICTION)
    partial, (a, _b) = world.pupil(other)
    world.decide(partial, a, "website", GRANTED)
    world.limit(partial, LimitKind.RESTRICTION, categories=["care"])
    lifted, (a, _b) = world.pupil(other)
    world.decide(lifted, a, "website", GRANTED)
    processing_limit_lift(
        actor=world.clerk,
        limit=world.limit(lifted, LimitKind.OBJECTION),
        reason="Bezwaar ingetrokken",
    )
    everything, (a, _b) = world.pupil(other)
    world.decide(everything, a, "website", GRANTED)
    world.limit(everything, LimitKind.OBJECTION)
    # Not counted: a withdrawn pupil, a pupil in a group of last school year, and a pupil's
    # decisions for a purpose of the school they left.
    gone = StudentFactory.create(withdrawn=True, school=school)
    guardian = GuardianFactory.create()
    link_guardian(guardian, gone)
    world.decide(gone, guardian, "website", GRANTED)
    old_group = GroupFactory.create(school=school, school_year=world.year - 1)
    earlier, (a, _b) = world.pupil(school, group=old_group)
    world.decide(earlier, a, "website", GRANTED)
    moved, (a, _b) = world.pupil(other)
    world.decide(moved, a, "website", REFUSED, school=school)
    # An inactive purpose is not shown.
    ConsentPurpose.objects.filter(school=other, code="research").update(is_active=False)

    board = _board_cells(world)

    assert board == _school_cells(world)
    # Nine pupils count in the school, four in the other; (consent, refused, unknown):
    # both, changed, limited / withdrawn, objecting, restricted / the rest.
    assert board[(school.pk, "website")] == (3, 3, 3)
    # fresh, objecting (after the change) / restricted; old_text's grant no longer counts.
    assert board[(school.pk, "newsletter")] == (2, 1, 6)
    # last_year (until withdrawn) / restricted; only limited's guardian without authority.
    assert board[(school.pk, "school_guide")] == (1, 1, 7)
    assert board[(school.pk, "research")] == (0, 2, 7)  # old_text's refusal; restricted
    # partial, lifted / everything / moved (their refusal was for the other school).
    assert board[(other.pk, "website")] == (2, 1, 1)
    assert (other.pk, "research") not in board


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_board_counts_equal_school_dashboards_when_decisions_are_random(db, seed):
    rng = random.Random(seed)
    world = BoardWorld(3)
    codes = ["school_guide", "website", "newsletter", "research"]
    kinds = [GRANTED, GRANTED, REFUSED, WITHDRAWN]
    pupils = []
    for school in world.schools:
        for _ in range(rng.randint(3, 6)):
            group = rng.choice(world.groups[school.pk])
            pupils.append(
                world.pupil(
                    school, guardians=rng.randint(0, 2), limited=rng.randint(0, 1), group=group
                )
            )
    changed = set()
    for step in range(60):
        pupil, family = rng.choice(pupils)
        if family:
            world.decide(
                pupil,
                rng.choice(family),
                rng.choice(codes),
                rng.choice(kinds),
                year=rng.choice([world.year, world.year, world.year - 1]),
            )
        if step in (20, 40):
            school, code = rng.choice(world.schools), rng.choice(codes)
            world.material_change(school, code)
            changed.add(code)
    for pupil, _family in rng.sample(pupils, 3):
        kind = rng.choice([LimitKind.OBJECTION, LimitKind.RESTRICTION])
        if kind == LimitKind.OBJECTION:
            world.limit(pupil, kind, purpose_codes=rng.sample(codes, rng.randint(0, 2)))
        else:
            world.limit(pupil, kind, categories=rng.choice([[], ["care"]]))
    assert changed, "the scenario should include a material text change"

    board = _board_cells(world)

    assert board == _school_cells(world)
    assert sum(sum(value) for value in board.values()) == len(pupils) * 9


# --- access ---------------------------------------------------------------------------------


def test_privacy_officer_sees_every_school_of_the_board_when_opening_the_board_page(world, client):
    client.force_login(world.users["privacy_officer"])

    response = client.get(reverse("consent-board"))

    assert response.status_code == 200
    # By name: OBS De Brug, OBS Samen Een.
    assert [s.pk for s in response.context["schools"]] == [world.other_school.pk, world.school.pk]
    assert world.foreign_school.name.encode() not in response.content
    website = next(p for p in response.context["purposes"] if p.code == "website")
    # pupil3 granted, pupil5 unknown; the other school's pupil withdrew.
    assert (website.total.granted, website.total.refused, website.total.unknown) == (1, 1, 1)
    event = AccessEvent.objects.get(
        actor_id=world.users["privacy_officer"].pk, object_type="consent_dashboard_board"
    )
    assert event.outcome == Outcome.ALLOWED
    assert event.object_id == str(world.school.board_id)


def test_director_sees_only_their_school_when_opening_the_board_page(world, client):
    client.force_login(world.users["director"])

    response = client.get(reverse("consent-board"), {"school_year": world.group3.school_year})

    assert response.status_code == 200
    assert [s.pk for s in response.context["schools"]] == [world.school.pk]
    assert world.other_school.name.encode() not in response.content
    assert AccessEvent.objects.filter(
        actor_id=world.users["director"].pk, object_type="consent_dashboard_board"
    ).exists()


@pytest.mark.parametrize(
    "role", ["administration", "care_coordinator", "teacher", "guardian", "guardian_limited"]
)
def test_board_page_is_forbidden_when_the_role_lacks_the_dashboard_function(world, client, role):
    client.force_login(world.users[role])

    response = client.get(reverse("consent-board"))

    assert response.status_code == 403
    assert AccessEvent.objects.filter(
        actor_id=world.users[role].pk,
        outcome=Outcome.DENIED,
        object_type="consent_dashboard_board",
    ).exists()


def test_board_page_redirects_to_login_when_anonymous(world, client):
    response = client.get(reverse("consent-board"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_board_page_shows_errors_and_the_current_year_when_the_year_is_invalid(world, client):
    client.force_login(world.users["privacy_officer"])

    response = client.get(reverse("consent-board"), {"school_year": "1900"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["school_year"] == current_school_year()


def test_school_dashboard_links_to_the_board_page_when_the_user_sees_more_schools(world, client):
    board_url = reverse("consent-board").encode()
    client.force_login(world.users["privacy_officer"])
    assert board_url in client.get(reverse("consent-dashboard")).content
    client.force_login(world.users["director"])
    assert board_url not in client.get(reverse("consent-dashboard")).content


# --- queries --------------------------------------------------------------------------------


def _page_queries(world: BoardWorld) -> int:
    from django.test import Client

    http = Client()
    http.force_login(world.officer)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(reverse("consent-board"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill(world: BoardWorld) -> None:
    for school in world.schools:
        for index in range(3):
            pupil, (a, b) = world.pupil(school)
            world.decide(pupil, a, "website", GRANTED)
            world.decide(pupil, b, "newsletter", REFUSED)
            if index == 0:
                world.limit(pupil, LimitKind.OBJECTION, purpose_codes=["website"])


def test_board_queries_do_not_grow_when_the_board_has_three_schools(db):
    one, three = BoardWorld(1), BoardWorld(3)
    _fill(one)
    _fill(three)

    assert _page_queries(one) == _page_queries(three)
    assert _page_queries(three) <= 20
    assert ProcessingLimit.objects.active().count() == 4
