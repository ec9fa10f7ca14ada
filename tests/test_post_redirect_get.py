"""A refused form is not sent twice: post/redirect/get everywhere a form starts work.

A view whose POST starts work (enqueues a job, sends mail, builds an export or an access
package, runs retention, turns the school year) says so with ``starts_work = True`` and uses
``kernel.prg``: a success redirects to the work, and a refusal (invalid input, the gate, a
limit, a step not allowed now) redirects too, back to the GET of the form's page, which shows
the reason and what was typed once. A refresh then only reads the page again: nothing is sent
again, nothing starts, and no limit counts it.

The views are found, not listed by hand: ``test_every_view_that_starts_work_is_marked`` reads
what every POST of the URL configuration reaches (the view's methods, the services they call,
through the project's modules) and fails for a view that reaches a job (``.delay``), a mail
or one of ``WORK_IN_THE_REQUEST`` without the marker; ``test_every_marked_view_is_registered``
fails for a marked view without an entry in ``CASES``, which says how to have it refuse and
accept, and what it starts. Each entry runs in Dutch and in English.
"""

from __future__ import annotations

import ast
import datetime
import functools
import html
import importlib
import inspect
import re
import sys
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from freezegun import freeze_time

from kernel import prg, throttling
from suppliers.constants import LegalGround

PROJECT_APPS = (
    "accounts",
    "admissions",
    "audit",
    "audit_trail",
    "consent",
    "kernel",
    "privacy_requests",
    "registers",
    "retention",
    "samen_een",
    "students",
    "suppliers",
)
LANGUAGES = ("nl", "en")

# -- finding the views that start work --------------------------------------------------------

# A job, a mail: what a POST starts when its code (or code it calls) says so.
WORK = re.compile(r"\.delay\b|\.apply_async\b|\bsend_mail\(|\bsend_mass_mail\(|\bEmailMessage\(")


def _work_in_the_request() -> set:
    """Work done in the request itself rather than by a job, which a second POST would do again
    all the same: turning the school year, now or scheduled."""
    from students.rollover.services import rollover_apply, rollover_schedule

    return {id(inspect.unwrap(rollover_apply)), id(inspect.unwrap(rollover_schedule))}


# Views that start work and are still to adopt the pattern in another task of this issue: the
# EDEXML import is being moved to background jobs there, with its own pages. Each must be
# unmarked (a marked one belongs in CASES, and the test below says so).
# Steps on an import job's own page: every POST, accepted or refused, answers with a redirect
# to the job's page (a refusal as a message), and a second POST is refused by the job's state
# (tests/suppliers/test_import_jobs.py). Their work needs a checked file, which the cases here
# do not build.
NOT_YET_HERE = {
    "import-job-apply": "applying a checked EDEXML import: redirects either way, state-guarded",
    "import-job-retry": "retrying an EDEXML import: redirects either way, state-guarded",
}


def _ours(obj) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] in PROJECT_APPS


def _chain(node) -> list[str] | None:
    """``services.request_submit`` as ["services", "request_submit"]; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _names(function: types.FunctionType, tree: ast.AST) -> dict:
    """What the names in ``function`` are: its module's globals and its own imports."""
    names = dict(function.__globals__)
    package = sys.modules[function.__module__].__package__
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module_name = (
            importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            if node.level
            else node.module
        )
        module = importlib.import_module(str(module_name))
        for alias in node.names:
            value = getattr(module, alias.name, None)
            if value is None:
                value = importlib.import_module(f"{module_name}.{alias.name}")
            names[alias.asname or alias.name] = value
    return names


def _reaches_work(obj, owner: type, seen: set, work: set) -> bool:
    """Whether calling ``obj`` (a function of the project, or a table of them) can start work:
    its code names a job or a mail, or it calls something that does."""
    if isinstance(obj, functools.partial):
        obj = obj.func
    if isinstance(obj, dict):
        return any(_reaches_work(value, owner, seen, work) for value in obj.values())
    if isinstance(obj, tuple | list):
        return any(_reaches_work(value, owner, seen, work) for value in obj)
    if not isinstance(obj, types.FunctionType):
        return False
    obj = inspect.unwrap(obj)
    if id(obj) in work:
        return True
    if not _ours(obj) or id(obj) in seen:
        return False
    seen.add(id(obj))
    source = textwrap.dedent(inspect.getsource(obj))
    if WORK.search(source):
        return True
    tree = ast.parse(source)
    names = _names(obj, tree)
    for node in ast.walk(tree):
        parts = _chain(node) if isinstance(node, ast.Attribute | ast.Name) else None
        if not parts:
            continue
        target = owner if parts[0] in ("self", "cls") else names.get(parts[0])
        for part in parts[1:]:
            # Only modules and classes are looked into: an attribute of anything else may be
            # a property that runs code (a database connection, a lazy setting).
            if not isinstance(target, types.ModuleType | type):
                target = None
                break
            target = getattr(target, part, None)
        if target is not None and _reaches_work(target, owner, seen, work):
            return True
    return False


def _class_routes(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _class_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", None)
            if view is not None and pattern.name:
                yield f"{namespace}{pattern.name}", view


def _page_routes_that_start_work() -> set[str]:
    work = _work_in_the_request()
    return {
        name
        for name, view in _class_routes()
        if _ours(view)
        and not name.startswith("api:")  # the API answers JSON: no page to refresh
        and callable(getattr(view, "post", None))
        and _reaches_work(view.post, view, set(), work)
    }


def _marked_routes() -> set[str]:
    return {name for name, view in _class_routes() if getattr(view, "starts_work", False)}


def test_finding_work_sees_a_job_a_mail_and_work_in_the_request():
    """The finder itself: a job started in a view, a service that mails, the school year."""
    from retention.views import HoldLiftView, RunStartView
    from students.rollover.views import RolloverApplyView, RolloverPlanView
    from students.views.invitations import InvitationCreateView, InvitationRevokeView

    work = _work_in_the_request()
    for view in (RunStartView, InvitationCreateView, RolloverApplyView):
        assert _reaches_work(view.post, view, set(), work), view.__name__
    for view in (HoldLiftView, InvitationRevokeView, RolloverPlanView):
        assert not _reaches_work(view.post, view, set(), work), view.__name__


def test_every_view_that_starts_work_is_marked():
    unmarked = _page_routes_that_start_work() - _marked_routes() - set(NOT_YET_HERE)
    assert not unmarked, (
        f"{sorted(unmarked)} start work on a POST: mark the view starts_work = True, answer a "
        "refusal with kernel.prg.refused_redirect and add the route to CASES."
    )


def test_every_marked_view_is_registered():
    assert _marked_routes() == set(CASES), (
        "Every view marked starts_work = True needs an entry in CASES, and every entry a "
        "marked view."
    )
    still = set(NOT_YET_HERE) & _marked_routes()
    assert not still, f"{sorted(still)} adopted the pattern: move them from NOT_YET_HERE to CASES"
    assert set(NOT_YET_HERE) <= {name for name, _view in _class_routes()}, "a route is gone"


# -- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """How a route refuses and accepts. ``refused`` and ``accepted`` give (url, data) and may
    set the world up for it; ``page`` is the GET the refusal goes back to; ``error`` the reason
    the page shows, called in the page's language; ``typed`` the HTML that shows what was
    typed; ``work`` the state the accepted POST changes (with the jobs it queues)."""

    role: str | None
    page: Callable
    refused: Callable
    error: Callable[[], str]
    accepted: Callable
    work: Callable
    typed: Callable = lambda world: ()
    fixture: str = "world"
    label: str = ""
    # The page states the reason by itself as long as it holds (the rollover's preview).
    reason_stays: bool = False


def _school_page(name: str) -> Callable:
    return lambda world: f"{reverse(name)}?school={world.school.pk}"


def _recipient(world):
    from suppliers.constants import RecipientKind
    from suppliers.models import Recipient

    return Recipient.objects.get_or_create(
        board=world.school.board,
        kind=RecipientKind.ATTENDANCE_OFFICER,
        defaults={
            "name": "Leerplicht Gemeente Noord",
            "legal_basis": "Leerplichtwet",
            "attributes": ["first_name", "last_name", "bsn"],
        },
    )[0]


REFERENCE = "LPA-2025-0042"
REASON = "Zestien uur ongeoorloofd verzuim in vier weken"


def _legal(world, **fields):
    data = {
        "school": world.school.pk,
        "recipient": _recipient(world).pk,
        "ground": LegalGround.ABSENCE_REPORT,
        "pupils": [world.pupil5.pk],
        "reference": REFERENCE,
        "reason": REASON,
        "format": "csv",
        **fields,
    }
    return reverse("legal-disclosure-create"), data


EDEXML_EXAMPLE = (
    Path(__file__).resolve().parent.parent / "students/edexml/schema/EDEXML.Voorbeeld.2.1.xml"
).read_bytes()


def _edexml_upload(world, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("school.xml", data, "text/xml")
    return reverse("edexml-import"), {"school": world.school.pk, "file": upload}


def _import_jobs(world):
    from suppliers.models import ImportJob

    return ImportJob.objects.count()


def _export_target(world) -> str:
    return f"a{world.suppliers['agreement'].pk}:p{world.suppliers['product'].pk}"


def _exports(world):
    from suppliers.models import Export

    return Export.objects.count()


def _registration(world, pupil):
    """A funding registration (enrolment) of ``pupil``, not yet produced (``funding_world``)."""
    return world.registrations[pupil.pk]


def _produce(world, pupil):
    return reverse("registration-produce", args=[_registration(world, pupil).pk]), {}


def _mark_sent(world, pupil, *, produced: bool):
    from admissions.services.funding import registration_produce

    registration = _registration(world, pupil)
    if produced:
        registration_produce(user=world.users["administration"], registration=registration)
    return reverse("registration-mark-sent", args=[registration.pk]), {}


def _registrations_produced(world):
    from admissions.models import FundingRegistration

    return FundingRegistration.objects.filter(disclosure__isnull=False).count()


def _registrations_sent(world):
    from admissions.models import FundingRegistration

    return FundingRegistration.objects.filter(sent_at__isnull=False).count()


DESCRIPTION = "Welke gegevens over Tim & zijn zorg bewaren jullie?"


def _request(world, **fields):
    data = {"student": world.pupil3.pk, "kind": "access", "description": DESCRIPTION, **fields}
    return reverse("request-create"), data


def _requests(world):
    from privacy_requests.models import PrivacyRequest

    return PrivacyRequest.objects.count()


def _paper(world, **fields):
    guardian = world.users["guardian"].guardian
    data = {
        "student": world.pupil3.pk,
        "guardian": guardian.pk,
        "identity_check": "id_document",
        "received_on": timezone.localdate().isoformat(),
        "kind": "access",
        "description": DESCRIPTION,
        **fields,
    }
    return reverse("request-register", args=[world.pupil3.pk]), data


EXTEND_REASON = "Gegevens liggen bij twee scholen; dat kost tijd"


def _extend(world, **fields):
    request = world.requests["access"]
    data = {"months": "1", "reason": EXTEND_REASON, **fields}
    return reverse("request-action", args=[request.pk, "extend"]), data


def _extension(world):
    request = world.requests["access"]
    request.refresh_from_db()
    return request.extension_months


def _packages(world):
    from privacy_requests.models import AccessPackage

    return AccessPackage.objects.count()


def _lift(world, reason):
    limit = world.requests["limit"]
    return reverse("limit-lift", args=[limit.pk]), {"reason": reason}


def _lifted(world):
    limit = world.requests["limit"]
    limit.refresh_from_db()
    return limit.lifted_at


def _run(world, categories):
    school = world.retention["rules"]["school"]["pupil_file"].school
    return reverse("retention-run", args=[school.pk]), {"categories": categories}


def _runs(world):
    from retention.models import RetentionRun

    return RetentionRun.objects.count()


def _year_six(world, year: int):
    """Groep 6 takes year group ``year``: at 7 no group takes pupil5 (in year 5) next year."""
    group = world.operations["groups"][6]
    group.year_group_low = group.year_group_high = year
    group.save(update_fields=["year_group_low", "year_group_high"])


def _rollover(name: str, year: int) -> Callable:
    def call(world):
        _year_six(world, year)
        return reverse(name, args=[world.school.pk]), {}

    return call


def _plan_status(world):
    from students.models import RolloverPlan

    return list(RolloverPlan.objects.filter(school=world.school).values_list("status", flat=True))


def _campaign(world, **fields):
    data = {"school": world.school.pk, "school_year": "2031", "reminder_days": "7", **fields}
    return reverse("consent-campaigns"), data


def _campaigns(world):
    from consent.models import ConsentCampaign

    return ConsentCampaign.objects.count()


def _paper_consent(world, **fields):
    purpose = world.school.purposes.get(code="website")
    data = {
        "guardian": world.users["guardian"].guardian.pk,
        "purpose": purpose.pk,
        "decision": "granted",
        **fields,
    }
    return reverse("student-consent", args=[world.pupil3.pk]), data


def _decisions(world):
    from consent.models import ConsentDecision

    return ConsentDecision.objects.count()


def _choice(world, purpose: int | None = None):
    if purpose is None:
        purpose = world.school.purposes.get(code="website").pk
    data = {"purpose": purpose, "decision": "granted"}
    return reverse("child-consent", args=[world.pupil3.pk]), data


def _invite(guardian_of: Callable) -> Callable:
    def call(world):
        page = reverse("student-detail", args=[world.pupil5.pk])
        url = reverse("accounts:invitation-create", args=[guardian_of(world).pk])
        return url, {"next": page}

    return call


def _invitations(world):
    from students.models import Invitation

    return Invitation.objects.count()


def _staff_invite(world, email="sanne.de.wit@t.example"):
    """The director's invitation of a teacher of Groep 3 (students/views/staff_invitations.py)."""
    data = {
        "school": world.school.pk,
        "full_name": "Sanne de Wit",
        "email": email,
        "roles": ["teacher"],
        "groups": [world.group3.pk],
    }
    return reverse("accounts:staff-invitation-create"), data


def _staff_invitations(world):
    from students.models import StaffInvitation

    return StaffInvitation.objects.count()


def _staff_resend_refused(world):
    """Resending to an address that meanwhile has an account is refused."""
    from tests.students.factories import UserFactory

    invitation = world.operations["staff_invitation"]
    UserFactory.create(email=invitation.email)
    return reverse("accounts:staff-invitation-resend", args=[invitation.pk]), {}


def _staff_account_exists():
    from students.services.staff_invitations import _account_exists_error

    return _account_exists_error()


def _staff_link(world):
    from students.models import StaffInvitation

    return StaffInvitation.objects.get(pk=world.operations["staff_invitation"].pk).token_hash


def _reset(world, email):
    return reverse("accounts:password_reset"), {"email": email}


def _enrolment(world, bsn: str = "123456708"):
    """The enrolment form for a pupil of 7 in group 3 from today, with one guardian."""
    today = timezone.localdate()
    data = {
        "school": world.school.pk,
        "group": world.group3.pk,
        "start_date": today.isoformat(),
        "first_names": "Femke Johanna",
        "given_name": "Femke",
        "surname": "Jansen",
        "date_of_birth": today.replace(year=today.year - 7, day=1).isoformat(),
        "sex": "F",
        "bsn": bsn,
        "g1_first_name": "Anna",
        "g1_surname": "Jansen",
        "g1_email": "anna.jansen@t.example",
        "g1_has_authority": "yes",
        "g1_invite": "on",
    }
    return f"{reverse('student-enrol')}?school={world.school.pk}", data


def _application_form(world, **fields):
    """The online application (admissions.views.public) for a child of three and a half."""
    today = timezone.localdate()
    born = today.replace(year=today.year - 4, day=1) + datetime.timedelta(days=183)
    data = {
        "first_names": "Fleur Marijke",
        "given_name": "Fleur",
        "surname": "Zonnebloem",
        "date_of_birth": born.isoformat(),
        "desired_start_date": born.replace(year=born.year + 4, day=28).isoformat(),
        "g1_first_name": "Marieke",
        "g1_surname": "Zonnebloem",
        "g1_phone": "0612345678",
        "g1_address": "Lindelaan 4, 1234 AB Noorddorp",
        "g1_has_authority": "yes",
        "g2_has_authority": "yes",
        "email": "marieke@t.example",
        **fields,
    }
    return reverse("application-form", args=[world.school.pk]), data


def _applications(world, status: str | None = None):
    from admissions.models import Application

    found = Application.objects.all()
    return (found.filter(status=status) if status else found).count()


def _unconfirmed_application(world) -> str:
    """An application waiting for its address to be confirmed; its link's token."""
    import secrets

    from admissions.models import Application
    from admissions.services.applications import token_hash

    token = secrets.token_urlsafe(32)
    today = timezone.localdate()
    Application.objects.create(
        school=world.school,
        reference=f"T-{secrets.token_hex(4).upper()}",
        email="marieke@t.example",
        confirmation_hash=token_hash(token),
        confirmation_expires_at=timezone.now() + datetime.timedelta(hours=48),
        first_names="Fleur",
        given_name="Fleur",
        surname="Zonnebloem",
        date_of_birth=today.replace(year=today.year - 3, day=1),
        desired_start_date=today.replace(year=today.year + 1, day=1),
    )
    return token


def _follow_request(world, *, confirmed: bool = True, **fields):
    if confirmed:
        from admissions.services.applications import application_confirm

        application = application_confirm(token=_unconfirmed_application(world))
        fields = {"reference": application.reference, "email": application.email, **fields}
    return reverse("application-follow-request"), {"reference": "2026-ABCDEF", **fields}


def _enrolled_and_invited(world):
    from students.models import Invitation, Student

    return Student.objects.count(), Invitation.objects.count()


def _selected(value) -> Callable:
    return lambda world: (f'<option value="{value(world)}" selected>',)


def _okr_prepared(world):
    from tests.admissions.okr_setup import report_prepared

    if not hasattr(world, "_okr_departure"):
        world._okr_departure = report_prepared(world, world.pupil3)
    return reverse("okr-send", args=[world.pupil3.pk])


def _okr_sent(world):
    from suppliers.models import Disclosure

    return Disclosure.objects.filter(legal_ground=LegalGround.EDUCATION_REPORT).count()


@pytest.fixture
def decisions_world(world):
    """``world`` plus an open application of its school (``world.application``)."""
    from tests.admissions.factories_decisions import ApplicationFactory

    world.application = ApplicationFactory.create(school=world.school)
    return world


REFERRAL = "SBO De Wegwijzer & 't Baken"


def _decision(name: str, **data) -> Callable:
    return lambda world: (reverse(name, args=[world.application.pk]), data)


def _decision_page(name: str) -> Callable:
    return lambda world: reverse(name, args=[world.application.pk])


def _application_state(world):
    world.application.refresh_from_db()
    return (world.application.status, world.application.decision_due_on)


def _application_enrolment(world, bsn: str = "582037165"):
    today = timezone.localdate()
    data = {
        "group": world.group3.pk,
        "start_date": today.isoformat(),
        "first_names": "Lotte Maria",
        "given_name": "Lotte",
        "surname": "van Dijk",
        "date_of_birth": today.replace(year=today.year - 5, day=1).isoformat(),
        "sex": "F",
        "bsn": bsn,
        "street": "Getypte Laan",
        "g1_first_name": "Sanne",
        "g1_surname": "van Dijk",
        "g1_email": "sanne@thuis.example",
        "g1_has_authority": "yes",
        "g1_invite": "on",
    }
    return reverse("application-enrol", args=[world.application.pk]), data


def _enrolled_from_application(world):
    from students.models import Invitation, Student

    return (*_application_state(world), Student.objects.count(), Invitation.objects.count())


def _leaving(world, **fields):
    today = timezone.localdate().isoformat()
    data = {
        "left_on": today,
        "reason": "other_school",
        "destination_name": "OBS De Regenboog",
        "destination_brin": "07QX",
        "enrolment_confirmed_on": today,
        **fields,
    }
    return reverse("leaving-confirm", args=[world.pupil3.pk]), data


def _departures(world):
    from admissions.models import Departure

    return Departure.objects.count()


def _my_contact(world, **fields):
    guardian = world.users["guardian"].guardian
    return reverse("my-contact"), {"phone": guardian.phone, "email": guardian.email, **fields}


def _address_change(world):
    """A move reported by the parent of pupil3, waiting for the school (made once per world)."""
    if not hasattr(world, "_address_change"):
        from students.services.self_service import address_change_propose

        parent = world.users["guardian"]
        world._address_change = address_change_propose(
            actor=parent,
            guardian=parent.guardian,
            street="Kastanjelaan",
            house_number="12",
            postal_code="8012 AB",
            city="Zwolle",
            moves_on=timezone.localdate(),
            students=[world.pupil3],
        )
    return world._address_change


def _address_decision(world, decision: str):
    url = reverse("address-change-detail", args=[_address_change(world).pk])
    return url, {"decision": decision, "reason": "Typed reason"}


def _address_status(world):
    change = _address_change(world)
    change.refresh_from_db()
    return change.status


CASES: dict[str, tuple[Case, ...]] = {
    # Issue 24, part 2: a parent's own contact data (a new e-mail address sends a notice to
    # the old one) and the school's decision on a reported move (the parent is e-mailed).
    "my-contact": (
        Case(
            "guardian",
            page=lambda world: reverse("my-contact"),
            refused=lambda world: _my_contact(world, email="geen-adres"),
            error=lambda: _("Enter a valid email address."),
            typed=lambda world: ('value="geen-adres"',),
            accepted=lambda world: _my_contact(world, email="nieuw@thuis.example"),
            work=lambda world: len(mail.outbox),
        ),
    ),
    "address-change-detail": (
        Case(
            "administration",
            page=lambda world: reverse("address-change-detail", args=[_address_change(world).pk]),
            refused=lambda world: _address_decision(world, "perhaps"),
            error=lambda: (
                _("Select a valid choice. %(value)s is not one of the available choices.")
                % {"value": "perhaps"}
            ),
            typed=lambda world: ("Typed reason",),
            accepted=lambda world: _address_decision(world, "confirm"),
            work=_address_status,
        ),
    ),
    "okr-send": (
        Case(
            "administration",
            page=_okr_prepared,
            refused=lambda world: (_okr_prepared(world), {}),
            error=lambda: _("Confirm that you have checked what leaves the school."),
            accepted=lambda world: (_okr_prepared(world), {"confirm": "on"}),
            work=_okr_sent,
        ),
    ),
    "export-list": (
        Case(
            "director",
            page=_school_page("export-list"),
            refused=lambda world: (
                reverse("export-list"),
                {"school": world.school.pk, "target": "", "format": "json"},
            ),
            error=lambda: _("This field is required."),
            typed=lambda world: ('<option value="json" selected>',),
            accepted=lambda world: (
                reverse("export-list"),
                {"school": world.school.pk, "target": _export_target(world), "format": "json"},
            ),
            work=_exports,
        ),
    ),
    "edexml-import": (
        Case(
            "administration",
            page=_school_page("edexml-import"),
            refused=lambda world: _edexml_upload(world, b""),
            error=lambda: _("The submitted file is empty."),
            accepted=lambda world: _edexml_upload(world, EDEXML_EXAMPLE),
            work=_import_jobs,
        ),
    ),
    "legal-disclosure-create": (
        Case(
            "administration",
            page=_school_page("legal-disclosure-create"),
            refused=lambda world: _legal(world, reason=""),
            error=lambda: _("This field is required."),
            typed=lambda world: (
                f'value="{REFERENCE}"',
                f'<option value="{world.pupil5.pk}" selected>',
            ),
            accepted=lambda world: _legal(world),
            work=_exports,
        ),
    ),
    # A funding registration is produced through the gate: refused for a pupil without a BSN.
    "registration-produce": (
        Case(
            "administration",
            fixture="funding_world",
            page=lambda world: reverse("registration-list"),
            refused=lambda world: _produce(world, world.pupil5),
            error=lambda: _(
                "The pupil has no BSN or education number; DUO cannot register the pupil "
                "without one. Add it on the pupil's page first."
            ),
            accepted=lambda world: _produce(world, world.pupil3),
            work=_registrations_produced,
        ),
    ),
    # Marked sent only once produced through the gate.
    "registration-mark-sent": (
        Case(
            "administration",
            fixture="funding_world",
            page=lambda world: reverse("registration-list"),
            refused=lambda world: _mark_sent(world, world.pupil3, produced=False),
            error=lambda: _(
                "Produce the registration first: only a registration the portal produced can "
                "be marked sent."
            ),
            accepted=lambda world: _mark_sent(world, world.pupil3, produced=True),
            work=_registrations_sent,
        ),
    ),
    "request-create": (
        Case(
            "guardian",
            page=lambda world: reverse("request-create"),
            refused=lambda world: _request(world, kind=""),
            error=lambda: _("Choose what you want to ask the school."),
            typed=lambda world: (html.escape(DESCRIPTION),),
            accepted=lambda world: _request(world),
            work=_requests,
        ),
    ),
    "request-register": (
        Case(
            "administration",
            page=lambda world: reverse("request-register", args=[world.pupil3.pk]),
            refused=lambda world: _paper(
                world,
                received_on=(timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            ),
            error=lambda: _("The date of receipt cannot be in the future."),
            typed=lambda world: (html.escape(DESCRIPTION),),
            accepted=lambda world: _paper(world),
            work=_requests,
        ),
    ),
    "request-action": (
        Case(
            "director",
            fixture="request_world",
            label="a step with a form",
            page=lambda world: reverse("request-detail", args=[world.requests["access"].pk]),
            refused=lambda world: _extend(world, months="7"),
            error=lambda: (
                _("Select a valid choice. %(value)s is not one of the available choices.")
                % {"value": "7"}
            ),
            typed=lambda world: (html.escape(EXTEND_REASON),),
            accepted=lambda world: _extend(world),
            work=_extension,
        ),
        Case(
            "director",
            fixture="request_world",
            label="building the access package",
            page=lambda world: reverse("request-detail", args=[world.requests["released"].pk]),
            refused=lambda world: (
                reverse("request-action", args=[world.requests["released"].pk, "package"]),
                {},
            ),
            error=lambda: (
                _("This request is now “%(status)s”; reload the page to see what changed.")
                % {"status": _("Completed")}
            ),
            accepted=lambda world: (
                reverse("request-action", args=[world.requests["access"].pk, "package"]),
                {},
            ),
            work=_packages,
        ),
    ),
    "limit-lift": (
        Case(
            "director",
            fixture="request_world",
            page=lambda world: reverse("student-detail", args=[world.requests["limit"].student_id]),
            refused=lambda world: _lift(world, ""),
            error=lambda: _("Give the reason for lifting it."),
            accepted=lambda world: _lift(world, "Bezwaar ingetrokken door de ouder"),
            work=_lifted,
        ),
    ),
    "retention-run": (
        Case(
            "director",
            fixture="retention_world",
            page=lambda world: f"{reverse('retention')}?school={world.school.pk}",
            refused=lambda world: _run(world, []),
            error=lambda: _("Choose at least one rule to run."),
            accepted=lambda world: _run(world, ["pupil_file"]),
            work=_runs,
        ),
    ),
    "rollover-apply": (
        Case(
            "director",
            fixture="operations_world",
            page=_school_page("rollover"),
            refused=_rollover("rollover-apply", 7),
            error=lambda: (
                _("No group next year takes year group %(year)s; add one first.") % {"year": 6}
            ),
            accepted=_rollover("rollover-apply", 6),
            work=_plan_status,
            reason_stays=True,
        ),
    ),
    "rollover-schedule": (
        Case(
            "director",
            fixture="operations_world",
            page=_school_page("rollover"),
            refused=_rollover("rollover-schedule", 7),
            error=lambda: (
                _("No group next year takes year group %(year)s; add one first.") % {"year": 6}
            ),
            accepted=_rollover("rollover-schedule", 6),
            work=_plan_status,
            reason_stays=True,
        ),
    ),
    "consent-campaigns": (
        Case(
            "director",
            page=_school_page("consent-campaigns"),
            refused=lambda world: _campaign(world, reminder_days="99"),
            error=lambda: (
                _("Ensure this value is less than or equal to %(limit_value)s.")
                % {"limit_value": 60}
            ),
            typed=lambda world: ('value="2031"', 'value="99"'),
            accepted=lambda world: _campaign(world),
            work=_campaigns,
        ),
    ),
    "student-consent": (
        Case(
            "administration",
            page=lambda world: reverse("student-consent", args=[world.pupil3.pk]),
            refused=lambda world: _paper_consent(world, decision="perhaps"),
            error=lambda: (
                _("Select a valid choice. %(value)s is not one of the available choices.")
                % {"value": "perhaps"}
            ),
            typed=_selected(lambda world: world.users["guardian"].guardian.pk),
            accepted=lambda world: _paper_consent(world),
            work=_decisions,
        ),
    ),
    "child-consent": (
        Case(
            "guardian",
            page=lambda world: reverse("child-consent", args=[world.pupil3.pk]),
            refused=lambda world: _choice(world, 2**40),  # no purpose of the school
            error=lambda: _("That choice could not be saved; please try again."),
            accepted=lambda world: _choice(world),
            work=_decisions,
        ),
    ),
    "accounts:invitation-create": (
        Case(
            "administration",
            fixture="operations_world",
            page=lambda world: reverse("student-detail", args=[world.pupil5.pk]),
            # The parent of pupil3 has an account already.
            refused=_invite(lambda world: world.users["guardian"].guardian),
            error=lambda: _("This guardian already has an account."),
            accepted=_invite(lambda world: world.operations["guardian"]),
            work=_invitations,
        ),
    ),
    # The director invites a colleague, or sends the link again (students/views/staff_invitations).
    "accounts:staff-invitation-create": (
        Case(
            "director",
            page=lambda world: f"{reverse('accounts:staff')}#invite-heading",
            refused=lambda world: _staff_invite(world, email=world.users["teacher"].email),
            error=_staff_account_exists,
            typed=lambda world: ('value="Sanne de Wit"',),
            accepted=_staff_invite,
            work=_staff_invitations,
        ),
    ),
    "accounts:staff-invitation-resend": (
        Case(
            "director",
            fixture="staff_invitation_world",
            page=lambda world: f"{reverse('accounts:staff')}#invite-heading",
            refused=_staff_resend_refused,
            error=_staff_account_exists,
            accepted=lambda world: (
                reverse(
                    "accounts:staff-invitation-resend",
                    args=[world.operations["staff_invitation"].pk],
                ),
                {},
            ),
            work=_staff_link,
        ),
    ),
    "student-enrol": (
        Case(
            "administration",
            page=lambda world: f"{reverse('student-enrol')}?school={world.school.pk}",
            refused=lambda world: _enrolment(world, bsn="123456789"),
            error=lambda: _("This is not a valid BSN or education number."),
            typed=lambda world: ('value="Femke Johanna"', 'value="anna.jansen@t.example"'),
            accepted=_enrolment,
            work=_enrolled_and_invited,
        ),
    ),
    "application-extend": (
        Case(
            "director",
            fixture="decisions_world",
            page=_decision_page("application-extend"),
            refused=_decision("application-extend", reason=""),
            error=lambda: _("This field is required."),
            accepted=_decision("application-extend", reason="Verslag van de logopedist"),
            work=_application_state,
        ),
    ),
    "application-refuse": (
        Case(
            "director",
            fixture="decisions_world",
            page=_decision_page("application-refuse"),
            refused=_decision("application-refuse", reason="", referral_school=REFERRAL),
            error=lambda: _("This field is required."),
            typed=lambda world: (f'value="{html.escape(REFERRAL)}"',),
            accepted=_decision(
                "application-refuse", reason="Geen plaats", referral_school=REFERRAL
            ),
            work=_application_state,
        ),
    ),
    "application-withdraw": (
        Case(
            "administration",
            fixture="decisions_world",
            page=_decision_page("application-withdraw"),
            refused=_decision("application-withdraw", note=""),
            error=lambda: _("This field is required."),
            accepted=_decision("application-withdraw", note="Moeder belde op 3 maart"),
            work=_application_state,
        ),
    ),
    "application-enrol": (
        Case(
            "director",
            fixture="decisions_world",
            page=_decision_page("application-enrol"),
            refused=lambda world: _application_enrolment(world, bsn="123456789"),
            error=lambda: _("This is not a valid BSN or education number."),
            typed=lambda world: ('value="Getypte Laan"', 'value="123456789"'),
            accepted=_application_enrolment,
            work=_enrolled_from_application,
        ),
    ),
    # The leaving (the DUO registration, the attendance officer's notice) after its
    # confirmation step; refused back to the form.
    "leaving-confirm": (
        Case(
            "administration",
            page=lambda world: reverse("leaving-record", args=[world.pupil3.pk]),
            refused=lambda world: _leaving(world, enrolment_confirmed_on=""),
            error=lambda: _(
                "The pupil is of compulsory-education age: the pupil leaves only once the new "
                "school has confirmed the enrolment. Give the date of its confirmation."
            ),
            typed=lambda world: ('value="OBS De Regenboog"',),
            accepted=lambda world: _leaving(world),
            work=_departures,
        ),
    ),
    "accounts:password_reset": (
        Case(
            None,
            page=lambda world: reverse("accounts:password_reset"),
            refused=lambda world: _reset(world, "geen-adres"),
            error=lambda: _("Enter a valid email address."),
            typed=lambda world: ('value="geen-adres"',),
            accepted=lambda world: _reset(world, world.users["guardian"].email),
            work=lambda world: len(mail.outbox),
        ),
    ),
    # The online application: no account, so no role.
    "application-form": (
        Case(
            None,
            page=lambda world: reverse("application-form", args=[world.school.pk]),
            refused=lambda world: _application_form(world, desired_start_date=""),
            error=lambda: _("Enter the date on which you would like your child to start."),
            typed=lambda world: ('value="Fleur Marijke"', 'value="Lindelaan 4, 1234 AB'),
            accepted=_application_form,
            work=_applications,
        ),
    ),
    "application-confirm": (
        Case(
            None,
            page=lambda world: reverse("application-confirm", args=["used-or-unknown"]),
            refused=lambda world: (
                reverse("application-confirm", args=["used-or-unknown"]),
                {},
            ),
            error=lambda: _("This link does not work (any more)."),
            accepted=lambda world: (
                reverse("application-confirm", args=[_unconfirmed_application(world)]),
                {},
            ),
            work=lambda world: _applications(world, "received"),
            # The link's page says by itself that it does not work.
            reason_stays=True,
        ),
    ),
    "application-follow-request": (
        Case(
            None,
            page=lambda world: reverse("application-follow-request"),
            refused=lambda world: _follow_request(world, confirmed=False, email="geen-adres"),
            error=lambda: _("Enter a valid email address."),
            typed=lambda world: ('value="2026-ABCDEF"',),
            accepted=_follow_request,
            work=lambda world: len(mail.outbox),
        ),
    ),
}

CASE_PARAMS = [
    pytest.param(route, case, id=f"{route}{f' ({case.label})' if case.label else ''}")
    for route, cases in CASES.items()
    for case in cases
]


def _client(world, case: Case, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if case.role:
        client.force_login(world.users[case.role])
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _stashes(client: Client) -> list[str]:
    return [key for key in client.session.keys() if key.startswith(prg.SESSION_PREFIX)]  # noqa: SIM118


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("route", "case"), CASE_PARAMS)
def test_refused_post_redirects_to_the_page_that_shows_why_once(
    db, request, django_capture_on_commit_callbacks, route, case, language
):
    world = request.getfixturevalue(case.fixture)
    client = _client(world, case, language)
    url, data = case.refused(world)
    before, mails = case.work(world), len(mail.outbox)

    with django_capture_on_commit_callbacks() as queued:
        refused = client.post(url, data)
        assert refused.status_code == 303, route
        assert refused["Location"] == case.page(world)
        shown = client.get(refused["Location"])
        again = client.get(refused["Location"])  # the person refreshes the page

    with translation.override(language):
        error = case.error()
    assert shown.status_code == again.status_code == 200
    assert error in _text(shown), f"{route} ({language}) does not say why: {error!r}"
    for value in case.typed(world):
        assert value in shown.content.decode(), f"{route} lost what was typed: {value!r}"
    if not case.reason_stays:
        assert error not in _text(again), f"{route}: the refusal is shown twice"
    assert _stashes(client) == [], "the stash outlived the page that showed it"
    # Refused, shown, refreshed: nothing started and nothing sent.
    assert queued == []
    assert case.work(world) == before
    assert len(mail.outbox) == mails


@pytest.mark.parametrize(("route", "case"), CASE_PARAMS)
def test_accepted_post_starts_the_work_and_redirects(
    db, request, django_capture_on_commit_callbacks, route, case
):
    world = request.getfixturevalue(case.fixture)
    client = _client(world, case, "en")
    url, data = case.accepted(world)
    before = case.work(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code in (302, 303), route
    assert case.work(world) != before, f"{route}: the accepted POST started nothing"
    assert client.get(response["Location"]).status_code == 200


def test_refused_form_shows_dutch_and_english_texts_that_differ():
    """The Dutch page is not the English one with the same words (a missing translation)."""
    for route, cases in CASES.items():
        for case in cases:
            with translation.override("nl"):
                dutch = case.error()
            with translation.override("en"):
                english = case.error()
            assert dutch != english, f"{route}: {english!r} has no Dutch translation"


# -- limits: a refusal counts once, a refresh never --------------------------------------------

LIMIT = 2


@pytest.fixture
def funding_world(world, settings, tmp_path):
    """``world`` with the board's DUO recipient and a funding registration (enrolment, not yet
    produced) of pupil3 and of pupil5, who has no BSN, in ``world.registrations`` by pupil."""
    from admissions.constants import RegistrationKind
    from admissions.models import FundingRegistration
    from admissions.services.funding import duo_recipient_ensure

    settings.MEDIA_ROOT = tmp_path / "media"
    duo_recipient_ensure(board=world.school.board)
    world.pupil5.bsn = ""
    world.pupil5.save(update_fields=["bsn"])
    world.registrations = {
        pupil.pk: FundingRegistration.objects.create(
            school=pupil.school,
            student=pupil,
            kind=RegistrationKind.ENROLMENT,
            event_on=pupil.enrolled_on,
            due_on=pupil.enrolled_on,
        )
        for pupil in (world.pupil3, world.pupil5)
    }
    return world


@pytest.fixture
def low_limits(settings):
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "request_submit": f"{LIMIT}/hour",
        "export": f"{LIMIT}/hour",
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def clock():
    start = timezone.now().replace(minute=1, second=0, microsecond=0) + datetime.timedelta(hours=1)
    with freeze_time(start, tick=False) as frozen:
        yield frozen


def _counted(scope: str, user) -> int:
    """The limit's count for this person in this window (kernel.throttling)."""
    _limit, seconds = throttling.rate_of(scope)
    bucket, _start, _now = throttling._window(f"{scope}:{user.pk}", seconds)
    return cache.get(bucket) or 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_export_refused_by_the_limit_counts_once_per_post_and_never_on_a_refresh(
    world, low_limits, clock, django_capture_on_commit_callbacks, language
):
    director = world.users["director"]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(director)
    page = f"{reverse('export-list')}?school={world.school.pk}"
    data = {"school": world.school.pk, "target": _export_target(world), "format": "json"}
    with translation.override(language):
        message = str(throttling.MESSAGES["export"])
    with django_capture_on_commit_callbacks() as queued:
        for _n in range(LIMIT):
            assert client.post(reverse("export-list"), data).status_code == 302
    assert len(queued) == LIMIT
    exports = _exports(world)

    counts = []
    with django_capture_on_commit_callbacks() as queued:
        for _n in range(2):  # refused twice by the limit
            refused = client.post(reverse("export-list"), data)
            assert refused.status_code == 303
            assert refused["Location"] == page
            counts.append(_counted("export", director))
            shown = client.get(page)
            assert message in _text(shown)
            assert f'<option value="{data["target"]}" selected>' in shown.content.decode()
            for _refresh in range(3):
                again = client.get(page)
                assert message not in _text(again)
                counts.append(_counted("export", director))

    # Each POST counted once (LIMIT + 1, then LIMIT + 2); the GETs never.
    assert counts == [LIMIT + 1] * 4 + [LIMIT + 2] * 4
    assert queued == []
    assert _exports(world) == exports


def test_privacy_request_refused_by_the_limit_is_not_sent_again_by_a_refresh(
    world, low_limits, clock
):
    parent = world.users["guardian"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(parent)
    for n in range(LIMIT):
        url, data = _request(world, description=f"{DESCRIPTION} ({n})")
        assert client.post(url, data).status_code == 302
    requests = _requests(world)

    url, data = _request(world)
    refused = client.post(url, data)
    shown = client.get(refused["Location"])
    again = client.get(refused["Location"])

    assert refused.status_code == 303
    assert str(throttling.MESSAGES["request_submit"]) in _text(shown)
    assert html.escape(DESCRIPTION) in shown.content.decode()  # kept, to send later
    assert 'role="alert"' in shown.content.decode()
    assert str(throttling.MESSAGES["request_submit"]) not in _text(again)
    assert _counted("request_submit", parent) == LIMIT + 1
    assert _requests(world) == requests


# -- the stash --------------------------------------------------------------------------------


class _SecretForm(forms.Form):
    name = forms.CharField()
    secret = forms.CharField(widget=forms.PasswordInput)
    note = forms.CharField(required=False)

    def clean(self):
        raise forms.ValidationError("refused")


def _request_with_session(data: dict):
    request = RequestFactory().post("/somewhere/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as MessageMiddleware does
    return request


def test_stash_is_sealed_without_passwords_or_named_fields_and_read_once():
    request = _request_with_session(
        {"name": "Tim de Vries", "secret": "hunter2-geheim", "note": "dyslexie", "x": "1"}
    )
    form = _SecretForm(request.POST)
    assert not form.is_valid()

    response = prg.refused_redirect(request, "/page/", key="k:1", form=form, keep_out=["note"])
    stored = str(dict(request.session))
    restored = prg.refused_form(request, _SecretForm, "k:1")

    assert response.status_code == 303 and response["Location"] == "/page/"
    for plain in ("Tim de Vries", "hunter2-geheim", "dyslexie"):
        assert plain not in stored  # sealed in the session store
    assert restored.data["name"] == "Tim de Vries"
    assert "secret" not in restored.data and "note" not in restored.data
    assert restored.non_field_errors() == ["refused"]
    assert not restored.is_valid()
    assert prg.refused_form(request, _SecretForm, "k:1").is_bound is False  # shown once


def test_stash_not_shown_is_dropped_after_its_time():
    request = _request_with_session({"name": "Tim"})
    form = _SecretForm(request.POST)
    assert not form.is_valid()
    with freeze_time(timezone.now()) as frozen:
        prg.refused_redirect(request, "/page/", key="k:1", form=form)
        frozen.tick(datetime.timedelta(seconds=prg.STASH_MAX_AGE + 1))
        prg.refused_redirect(request, "/other/", key="k:2", errors=["refused"])

        assert list(request.session.keys()) == [f"{prg.SESSION_PREFIX}k:2"]
        assert prg.refused_errors(request, "k:2") == ["refused"]
        frozen.tick(datetime.timedelta(seconds=prg.STASH_MAX_AGE + 1))
        prg.refused_redirect(request, "/other/", key="k:3", errors=["late"])
        frozen.tick(datetime.timedelta(seconds=prg.STASH_MAX_AGE + 1))
        assert prg.refused_errors(request, "k:3") == []
