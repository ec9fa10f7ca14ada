"""Shared fixtures: one small world with every role, objects in and out of each one's scope."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.constants import Role
from accounts.models import User
from students.constants import CareVisibility, ReligionStatus, WithholdStatus
from students.models import CareRecord, Group, ReligionRecord, School, Student

from .students.factories import (
    PASSWORD,
    BoardFactory,
    GroupFactory,
    GuardianFactory,
    SchoolFactory,
    StudentFactory,
    link_guardian,
    make_guardian_user,
    make_staff,
)


@dataclass
class World:
    school: School
    other_school: School
    group3: Group
    group5: Group
    other_group: Group
    pupil3: Student  # in group 3 of the school; child of the guardians
    pupil5: Student  # in group 5 of the school
    other_pupil: Student  # in the other school of the same board
    foreign_pupil: Student  # in a school of another board
    users: dict[str, User]
    care: dict[str, CareRecord]
    foreign_school: School | None = None
    publications: dict | None = None
    takedowns: dict | None = None
    suppliers: dict | None = None
    requests: dict | None = None  # filled by the request_world fixture
    retention: dict | None = None  # filled by the retention_world fixture
    operations: dict | None = None  # filled by the operations_world fixture
    breaches: dict | None = None  # filled by the breach_world fixture

    def in_scope(self, role: str) -> Student:
        return self.pupil3

    def out_of_scope(self, role: str) -> Student:
        # Teachers and guardians are bounded inside the school, school roles by the school,
        # the privacy officer by the board.
        if role in ("teacher", "guardian", "guardian_limited"):
            return self.pupil5
        if role == "privacy_officer":
            return self.foreign_pupil
        return self.other_pupil

    def care_in_scope(self, role: str) -> CareRecord:
        return self.care["teachers"]

    def care_out_of_scope(self, role: str) -> CareRecord:
        pupil = self.out_of_scope(role)
        return self.care[
            {
                self.pupil5.pk: "pupil5",
                self.other_pupil.pk: "other",
                self.foreign_pupil.pk: "foreign",
            }[pupil.pk]
        ]


def _care(student: Student, **kwargs) -> CareRecord:
    data = {
        "kind": "diagnosis",
        "content": "Dyslexie (verklaring 2025)",
        "justification": "Extra tijd en voorleessoftware bij toetsen",
        "source": "specialist",
        "review_date": datetime.date(2027, 6, 30),
        "visibility": CareVisibility.TEACHERS,
    }
    return CareRecord.objects.create(student=student, **{**data, **kwargs})


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    board = BoardFactory.create(name="Stichting AURO")
    school = SchoolFactory.create(board=board, name="OBS Samen Een", brin="12AB")
    other_school = SchoolFactory.create(board=board, name="OBS De Brug", brin="34CD")
    group3 = GroupFactory.create(school=school, name="Groep 3", year_group_low=3)
    group5 = GroupFactory.create(school=school, name="Groep 5", year_group_low=5)
    other_group = GroupFactory.create(
        school=other_school, name="Groep 3/4", year_group_low=3, combination=True
    )
    pupil3 = StudentFactory.create(
        group=group3, given_name="Tim", surname="Vries", surname_prefix="de", bsn="111222333"
    )
    pupil5 = StudentFactory.create(group=group5, given_name="Sara", surname="Bakker")
    other_pupil = StudentFactory.create(group=other_group, given_name="Noah", surname="Kortenhoeve")
    users = {
        "director": make_staff(Role.DIRECTOR, school=school, email="director@t.example"),
        "administration": make_staff(Role.ADMINISTRATION, school=school, email="admin@t.example"),
        "care_coordinator": make_staff(Role.CARE_COORDINATOR, school=school, email="ib@t.example"),
        "teacher": make_staff(Role.TEACHER, group=group3, email="teacher3@t.example"),
        "privacy_officer": make_staff(Role.PRIVACY_OFFICER, board=board, email="privacy@t.example"),
        "guardian": make_guardian_user(pupil3, email="parent@t.example"),
        "guardian_limited": make_guardian_user(
            pupil3, has_authority=False, email="parent-limited@t.example"
        ),
    }
    foreign_school = SchoolFactory.create(name="Elders", brin="99XX")
    foreign_pupil = StudentFactory.create(
        group=GroupFactory.create(school=foreign_school, year_group_low=3)
    )
    care = {
        "teachers": _care(pupil3),
        "care_team": _care(
            pupil3,
            kind="support_plan",
            content="Handelingsplan rekenen",
            visibility=CareVisibility.CARE_TEAM,
        ),
        "withheld": _care(
            pupil3,
            kind="child_protection",
            content="Signaal Meldcode",
            visibility=CareVisibility.CARE_TEAM,
            withhold_status=WithholdStatus.APPROVED,
            withhold_reason="Veiligheid van het kind",
        ),
        "pupil5": _care(pupil5),
        "pending": _care(
            pupil5,
            kind="child_protection",
            visibility=CareVisibility.CARE_TEAM,
            withhold_status=WithholdStatus.REQUESTED,
            withhold_reason="Signaal, besluit directeur nodig",
        ),
        "other": _care(
            other_pupil,
            withhold_status=WithholdStatus.REQUESTED,
            withhold_reason="Signaal in onderzoek",
        ),
        "foreign": _care(foreign_pupil),
    }
    ReligionRecord.objects.create(
        student=pupil3, status=ReligionStatus.STATED, religion="Rooms-katholiek"
    )
    from consent.constants import Channel, Decision
    from consent.models import ConsentDecision, Publication, Takedown
    from consent.services import purposes_seed

    for each in (school, other_school, foreign_school):
        purposes_seed(school=each)
    guardian = users["guardian"].guardian
    decision = ConsentDecision.objects.create(
        student=pupil3,
        purpose=school.purposes.get(code="website"),
        version=school.purposes.get(code="website").current_version,  # type: ignore[misc]  # seeded
        guardian=guardian,
        decision=Decision.GRANTED,
        channel=Channel.PORTAL,
        school_year=group3.school_year,
        recorded_by=users["guardian"],
    )
    other_guardian = GuardianFactory.create()
    link_guardian(other_guardian, other_pupil)

    def publication(owner_school, pupil, creator, title):
        item = Publication.objects.create(
            school=owner_school,
            title=title,
            purpose=owner_school.purposes.get(code="website"),
            publish_on=datetime.date(2026, 9, 1),
            created_by=creator,
        )
        item.pupils.set([pupil])
        return item

    publications = {
        "school": publication(school, pupil3, users["director"], "Sportdag"),
        "teacher": publication(school, pupil3, users["teacher"], "Klassenfoto"),
        "other": publication(other_school, other_pupil, users["director"], "Elders"),
    }
    other_decision = ConsentDecision.objects.create(
        student=other_pupil,
        purpose=other_school.purposes.get(code="website"),
        version=other_school.purposes.get(code="website").current_version,  # type: ignore[misc]  # seeded
        guardian=other_guardian,
        decision=Decision.WITHDRAWN,
        channel=Channel.PAPER,
        school_year=group3.school_year,
    )
    takedowns = {
        key: Takedown.objects.create(
            publication=item,
            student=item.pupils.get(),
            decision=other_decision if key == "other" else decision,
        )
        for key, item in publications.items()
    }
    suppliers = _suppliers_world(board, foreign_school, group3, users)
    return World(
        school,
        other_school,
        group3,
        group5,
        other_group,
        pupil3,
        pupil5,
        other_pupil,
        foreign_pupil,
        users,
        care,
        foreign_school,
        publications,
        takedowns,
        suppliers,
    )


@pytest.fixture
def request_world(world) -> World:
    """``world`` plus privacy requests, in ``world.requests``. Each object is made the first
    time it is looked up (building a package renders a PDF, so only tests that need one pay):

    - ``access``: an access request for pupil3 by ``guardian``, received, no package;
    - ``built``: the same child, its package built and awaiting release;
    - ``released``: the same child, its package released (the request is completed);
    - ``other``: an access request for the child of another family in the other school of the
      board, by ``other_parent`` (a guardian user with authority), its package released;
    - ``foreign``: an access request for the pupil of a school of another board, received;
    - ``limit`` / ``other_limit``: an active objection (website) for pupil5 of the school and
      for the pupil of the other school.
    """
    world.requests = _request_objects(world)
    return world


@pytest.fixture
def retention_world(world) -> World:
    """``world`` plus retention, in ``world.retention``: per school (``school``, ``other``, the
    other school of the board, and ``foreign``, a school of another board) its rules by
    category (``rules``), one finished run (``runs``), and an active legal hold
    (``holds``): on pupil3 (in every school role's scope), on the other school's pupil and on
    the foreign pupil."""
    from retention.models import LegalHold
    from retention.services import hold_place, retention_run, rules_seed

    schools = {
        "school": world.school,
        "other": world.other_school,
        "foreign": world.foreign_school,
    }
    pupils = {"school": world.pupil3, "other": world.other_pupil, "foreign": world.foreign_pupil}
    director = world.users["director"]
    world.retention = {
        "rules": {
            key: {rule.category: rule for rule in rules_seed(school=school)}
            for key, school in schools.items()
        },
        "runs": {
            key: retention_run(school=school, categories=[]) for key, school in schools.items()
        },
        "holds": {
            "school": hold_place(
                user=director, student=world.pupil3, reason="Geschil over het advies", until=None
            ),
            # Placed by the schools themselves; only the hold matters here, not who placed it.
            **{
                key: LegalHold.objects.create(
                    student=pupils[key], reason="Onderzoek loopt", placed_by=director
                )
                for key in ("other", "foreign")
            },
        },
    }
    return world


@pytest.fixture
def operations_world(world, django_capture_on_commit_callbacks) -> World:
    """``world`` plus school operations, in ``world.operations``; everything here is cheap and
    made per test, so a test may deactivate, invite or roll over without harming another:

    - ``colleague`` / ``other_colleague``: a throwaway teacher (of Groep 5 of the school, of
      the group of the other school of the board);
    - ``guardian`` / ``other_guardian``: a guardian without an account but with an email
      address, of pupil5 of the school and of the pupil of the other school;
    - ``invitation`` / ``other_invitation``: a pending invitation for each of them, made by
      ``students.services.invitations.invitation_create``; ``tokens`` holds the links' tokens
      (only a hash is stored, so they are read from the mails): ``invitation`` and
      ``other_invitation`` work, ``replaced`` is the guardian's first link, which the second
      invitation made void;
    - ``proposal`` / ``other_proposal``: a group an import proposed for ``colleague`` (Groep 3)
      and for ``other_colleague`` (their own group), open for the director to decide;
    - ``groups``: an empty Groep 4 and Groep 6 in the school, so that its pupils (years 3 and 5)
      have a group to move up to and the school can turn its year.

    The invitation mails are read and then cleared from ``mail.outbox``.
    """
    import re

    from django.core import mail

    from students.services.invitations import invitation_create

    director = world.users["director"]
    colleague = make_staff(Role.TEACHER, group=world.group5, email="colleague5@t.example")
    other_colleague = make_staff(
        Role.TEACHER, group=world.other_group, email="colleague-brug@t.example"
    )
    guardian = GuardianFactory.create(first_name="Els", surname="Bakker", email="els@home.example")
    link_guardian(guardian, world.pupil5)
    other_guardian = GuardianFactory.create(
        first_name="Joris", surname="Smit", email="joris@home.example"
    )
    link_guardian(other_guardian, world.other_pupil)

    def invite(who):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invitation_create(
                user=director, guardian=who, request_base="http://testserver"
            )
        (message,) = mail.outbox[before:]
        token = re.search(r"/accounts/invitation/([^/\s]+)/", message.body).group(1)
        return invitation, token

    _first, replaced = invite(guardian)
    invitation, token = invite(guardian)
    other_invitation, other_token = invite(other_guardian)
    mail.outbox.clear()
    groups = {
        year: GroupFactory.create(school=world.school, name=f"Groep {year}", year_group_low=year)
        for year in (4, 6)
    }
    from students.models import TeacherProposal

    proposal = TeacherProposal.objects.create(
        school=world.school,
        teacher=colleague,
        group=world.group3,
        proposed_by=world.users["administration"],
    )
    other_proposal = TeacherProposal.objects.create(
        school=world.other_school,
        teacher=other_colleague,
        group=world.other_group,
        proposed_by=director,
    )
    world.operations = {
        "colleague": colleague,
        "other_colleague": other_colleague,
        "proposal": proposal,
        "other_proposal": other_proposal,
        "guardian": guardian,
        "other_guardian": other_guardian,
        "invitation": invitation,
        "other_invitation": other_invitation,
        "tokens": {"invitation": token, "other_invitation": other_token, "replaced": replaced},
        "groups": groups,
    }
    return world


@pytest.fixture
def breach_world(world) -> World:
    """``world`` plus the breach register, in ``world.breaches``; cheap, made per test:

    - ``school`` / ``other`` / ``foreign``: an open breach of the school, of the other school of
      the board and of a school of another board (each became known an hour ago);
    - ``board``: an open breach of the whole board (no school), which only the board's privacy
      officer sees;
    - ``disclosure``: a disclosure of the school through the gate to an organisation on the
      website consent: pupil3 (consent granted) went, pupil5 (no answer) was left out;
    - ``other_disclosure``: a disclosure of the other school to DUO (its pupil went).
    """
    from django.utils import timezone

    from registers.services import breach_record
    from suppliers.constants import LegalGround, RecipientKind
    from suppliers.gate import LegalRequest, disclose, disclosure_plan
    from suppliers.models import Recipient

    now = timezone.now()
    director = world.users["director"]
    privacy_officer = world.users["privacy_officer"]
    foreign_officer = make_staff(
        Role.PRIVACY_OFFICER, board=world.foreign_school.board, email="privacy-elders@t.example"
    )

    def breach(user, school, description, board_id=None):
        return breach_record(
            user=user,
            board_id=board_id or school.board_id,
            school=school,
            occurred_at=now - datetime.timedelta(hours=2),
            aware_at=now - datetime.timedelta(hours=1),
            description=description,
            categories=["identity"],
        )

    def through_gate(school, **basis):
        run = disclose(actor=director, plan=disclosure_plan(school=school, **basis))
        list(run.rows())
        return run.record()

    photographer = Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.CONSENT,
        name="Fotograaf Lens",
        legal_basis="Toestemming",
        consent_purpose_code="website",
        attributes=["first_name", "group_name"],
    )
    world.breaches = {
        "school": breach(director, world.school, "Mail met klassenlijst naar verkeerde ouder"),
        "other": breach(privacy_officer, world.other_school, "Laptop De Brug gestolen"),
        "foreign": breach(foreign_officer, world.foreign_school, "USB-stick kwijt elders"),
        "board": breach(
            privacy_officer, None, "Phishing op het bestuurskantoor", board_id=world.school.board_id
        ),
        "disclosure": through_gate(world.school, recipient=photographer),
        "other_disclosure": through_gate(
            world.other_school,
            recipient=world.suppliers["recipient"],
            legal=LegalRequest(
                ground=LegalGround.BRON_REGISTRATION,
                reference="BRON-2025-001",
                reason="Inschrijving doorgeven voor de bekostiging",
                student_ids=(world.other_pupil.pk,),
            ),
        ),
    }
    return world


class _LazyObjects(dict):
    """A dict whose missing keys are made on first use by the maker of that key."""

    def __init__(self, makers: dict):
        super().__init__()
        self._makers = makers

    def __missing__(self, key):
        value = self[key] = self._makers[key]()
        return value


def _request_objects(world: World) -> dict:
    from privacy_requests import services as request_services
    from students.constants import LimitKind
    from students.services.limits import processing_limit_start

    director = world.users["director"]

    def submit(student, parent, description):
        return request_services.request_submit(
            user=parent,
            student=student,
            guardian=parent.guardian,
            kind="access",
            description=description,
        )

    def build(request, *, release: bool = False):
        package = request_services.package_start(user=director, request=request)
        package = request_services.package_build(package_id=package.pk)
        if release:
            request_services.package_release(user=director, package=package)
        request.refresh_from_db()
        return request

    def objection(student):
        return processing_limit_start(
            actor=director,
            student=student,
            kind=LimitKind.OBJECTION,
            purpose_codes=["website"],
            reason="Bezwaar tegen foto's op de website",
        )

    parent = world.users["guardian"]
    makers = {
        "access": lambda: submit(world.pupil3, parent, "Welke gegevens hebben jullie van Tim?"),
        "built": lambda: build(submit(world.pupil3, parent, "Alles wat over Tim vastligt.")),
        "released": lambda: build(
            submit(world.pupil3, parent, "Inzage in het dossier van Tim."), release=True
        ),
        "other_parent": lambda: make_guardian_user(
            world.other_pupil, email="parent-other@t.example"
        ),
        "other": lambda: build(
            submit(world.other_pupil, objects["other_parent"], "Inzage Noah"), release=True
        ),
        "foreign": lambda: submit(
            world.foreign_pupil,
            make_guardian_user(world.foreign_pupil, email="parent-foreign@t.example"),
            "Inzage elders",
        ),
        "limit": lambda: objection(world.pupil5),
        "other_limit": lambda: objection(world.other_pupil),
    }
    objects: _LazyObjects = _LazyObjects(makers)  # "other" looks up "other_parent" in it
    return objects


@pytest.fixture
def api():
    return APIClient()


def login_client(client, user: User):
    client.force_login(user)
    return client


@pytest.fixture
def password() -> str:
    return PASSWORD


def _suppliers_world(board, foreign_school, group3, users) -> dict:
    """A supplier with an active agreement on the board, one on another board, recipients,
    and a finished export (with its file) for the director and for administration."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from suppliers.constants import AgreementModel, ExportStatus, RecipientKind
    from suppliers.models import Export, Recipient, Supplier
    from suppliers.services import agreement_save, product_save

    today = timezone.localdate()

    def supplier(owner_board, name, groups):
        item = Supplier.objects.create(board=owner_board, name=name)
        product = product_save(
            user=None,
            supplier=item,
            group_ids=[g.pk for g in groups],
            name=f"{name} app",
            attribute_reasons={
                "first_name": "login",
                "group_name": "class",
                "school_brin": "licence",
            },
            purposes="Oefenen",
            retention="1 jaar",
            storage_location="NL",
        )
        agreement = agreement_save(
            user=None,
            supplier=item,
            attributes=["first_name", "group_name", "school_brin"],
            product_ids=[product.pk],
            model=AgreementModel.MODEL_4,
            signed_on=today - datetime.timedelta(days=10),
            valid_from=today - datetime.timedelta(days=10),
            valid_until=today + datetime.timedelta(days=365),
        )
        return item, product, agreement

    own, own_product, own_agreement = supplier(board, "Rekenwijs", [group3])
    foreign_group = foreign_school.groups.first()
    foreign, foreign_product, foreign_agreement = supplier(
        foreign_school.board, "Elders BV", [foreign_group]
    )
    recipient = Recipient.objects.create(
        board=board,
        kind=RecipientKind.DUO,
        name="DUO",
        legal_basis="WPO",
        attributes=["bsn", "school_brin"],
    )
    exports = {}
    for role in ("director", "administration"):
        export = Export.objects.create(
            school=group3.school,
            requested_by=users[role],
            agreement=own_agreement,
            format="csv",
            status=ExportStatus.DONE,
            attributes=["first_name"],
            finished_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
        export.file.save(f"test-export-{export.pk}.csv", ContentFile(b"pseudonym,first_name\n"))
        exports[role] = export
    return {
        "supplier": own,
        "product": own_product,
        "agreement": own_agreement,
        "foreign_supplier": foreign,
        "foreign_product": foreign_product,
        "foreign_agreement": foreign_agreement,
        "recipient": recipient,
        "exports": exports,
    }


@pytest.fixture
def staff_invitation_world(world, django_capture_on_commit_callbacks) -> World:
    """``world`` plus staff invitations (the director's, students/services/staff_invitations.py),
    added to ``world.operations`` (other entries there stay):

    - ``staff_invitation`` / ``other_staff_invitation``: a pending invitation of a teacher of
      Groep 3 by the school's director, and one of the other school of the board by its own
      director;
    - ``staff_tokens``: the links' tokens, read from the mails: ``staff_invitation`` works,
      ``revoked`` is the link of an invitation the director revoked.
    """
    import re

    from django.core import mail

    from students.services.staff_invitations import (
        staff_invitation_create,
        staff_invitation_revoke,
    )

    other_director = make_staff(
        Role.DIRECTOR, school=world.other_school, email="directeur-brug@t.example"
    )

    def invite(by, school, email, group):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = staff_invitation_create(
                user=by,
                school=school,
                email=email,
                full_name="Nieuwe Collega",
                roles=[Role.TEACHER],
                groups=[group],
                site_url="http://testserver",
            )
        (message,) = mail.outbox[before:]
        return invitation, re.search(r"/staff-invitation/([^/\s]+)/", message.body).group(1)

    director = world.users["director"]
    invitation, token = invite(director, world.school, "uitgenodigd@t.example", world.group3)
    other, _other_token = invite(
        other_director, world.other_school, "uitgenodigd@brug.example", world.other_group
    )
    revoked, revoked_token = invite(director, world.school, "ingetrokken@t.example", world.group5)
    staff_invitation_revoke(user=director, invitation=revoked)
    mail.outbox.clear()
    world.operations = {
        **(world.operations or {}),
        "staff_invitation": invitation,
        "other_staff_invitation": other,
        "staff_tokens": {"staff_invitation": token, "revoked": revoked_token},
    }
    return world
