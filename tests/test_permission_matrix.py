"""The permission matrix of docs/architecture.md, for every route of the URL configuration.

Each route has an entry: how to call it with an object in and out of the caller's scope, and
the status each role gets. A new route without an entry fails ``test_every_route_is_in_the_matrix``.

The matrix checks content too: the world carries marker values (a BSN, care record texts, a
religion, a confidential co-guardian's contact data, staff names; see MARKER_KINDS) and the body
of every response is read for the markers its role must not see (NEVER, GUARDED, and the
exceptions an entry lists in ``shows``, each with its reason).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import html
import itertools
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TypedDict

import polib
import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from audit.constants import Outcome
from audit.models import AccessEvent

ROLES = (
    "anonymous",
    "director",
    "administration",
    "care_coordinator",
    "teacher",
    "privacy_officer",
    "guardian",
    "guardian_limited",
)


@dataclass(frozen=True)
class Entry:
    """How to call a route; ``expect`` maps role to (status in scope, status out of scope).
    ``data`` is a dict, or a callable (world, role, in_scope) -> dict for scoped bodies."""

    url: Callable  # (world, role, in_scope: bool) -> str
    expect: dict[str, tuple[int, int]]
    method: str = "get"
    data: dict | Callable | None = None
    api: bool = False
    fixture: str = "world"  # the world to call it in (request_world adds privacy requests)
    # A public page (password reset, invitation link) answers the same for everyone; its 404
    # is a dead link, not a refused look at someone's data, so it leaves no access event.
    public: bool = False
    # Markers that roles legitimately see in this route's answers (each with the reason):
    # a GUARDED kind shows nowhere else; a kind NEVER forbids for a role cannot be allowed.
    shows: tuple[Shows, ...] = ()


@dataclass(frozen=True)
class Shows:
    """An exception to the content check: these roles see these marker kinds on a route."""

    roles: tuple[str, ...]
    kinds: tuple[str, ...]
    reason: str


def _all(status_in: int, status_out: int | None = None, /, **overrides: tuple[int, int]) -> dict:
    result = {role: (status_in, status_in if status_out is None else status_out) for role in ROLES}
    result.update(overrides)
    return result


def fixed(name: str) -> Callable:
    return lambda world, role, in_scope: reverse(name)


def student_url(name: str) -> Callable:
    def build(world, role, in_scope):
        student = world.in_scope(role) if in_scope else world.out_of_scope(role)
        return reverse(name, args=[student.pk])

    return build


def care_url(name: str) -> Callable:
    def build(world, role, in_scope):
        record = world.care_in_scope(role) if in_scope else world.care_out_of_scope(role)
        return reverse(name, args=[record.student_id, record.pk])

    return build


def application_url(name: str, key: str = "open") -> Callable:
    """An application of the caller's school (in) or of the other school of the board (out)."""

    def build(world, role, in_scope):
        application = world.applications[key if in_scope else f"other_{key}"]
        return reverse(name, args=[application.pk])

    return build


def decide_url(world, role, in_scope):
    record = world.care["pending"] if in_scope else world.care["other"]
    return reverse("care-withholding-decide", args=[record.pk])


def _school(world, role, in_scope):
    """The caller's own school, or one outside (for the board's privacy officer, a school of
    another board)."""
    if in_scope:
        return world.school
    return world.foreign_school if role == "privacy_officer" else world.other_school


def school_query(name: str) -> Callable:
    """A page about one school, chosen with ``?school=``: the caller's own or one outside."""

    def build(world, role, in_scope):
        return f"{reverse(name)}?school={_school(world, role, in_scope).pk}"

    return build


def school_arg(name: str) -> Callable:
    """An action on one school named in the path: the caller's own or one outside."""

    def build(world, role, in_scope):
        return reverse(name, args=[_school(world, role, in_scope).pk])

    return build


def purpose_url(world, role, in_scope):
    school = world.school if in_scope else world.other_school
    return reverse("consent-purpose-edit", args=[school.purposes.get(code="website").pk])


def publication_url(name: str, kind: str = "publications") -> Callable:
    def build(world, role, in_scope):
        objects = getattr(world, kind)
        if role == "teacher":
            item = objects["teacher"] if in_scope else objects["school"]
        else:
            item = objects["school"] if in_scope else objects["other"]
        return reverse(name, args=[item.pk])

    return build


def photo_list_url(world, role, in_scope):
    group = world.group3
    if not in_scope:
        group = world.group5 if role == "teacher" else world.other_group
    return reverse("consent-photo-list", args=[group.pk])


def supplier_url(name: str, *, item: str | None = None) -> Callable:
    """A supplier page of the caller's board (in) or of another board (out)."""

    def build(world, role, in_scope):
        supplier = world.suppliers["supplier" if in_scope else "foreign_supplier"]
        args = [supplier.pk]
        if item:
            key = item if in_scope else f"foreign_{item}"
            args.append(world.suppliers[key].pk)
        return reverse(name, args=args)

    return build


def export_url(name: str, *, with_token: bool = False) -> Callable:
    """An export of the caller's own (in) or of a colleague (out)."""

    def build(world, role, in_scope):
        exports = world.suppliers["exports"]
        if role in exports:
            own = exports[role]
            other = exports["administration" if role == "director" else "director"]
        else:
            own = other = exports["director"]
        export = own if in_scope else other
        if not with_token:
            return reverse(name, args=[export.pk])
        from suppliers.api import download_url

        user = world.users.get(role)
        return download_url(export, user) if user else reverse(name, args=[export.pk, "x"])

    return build


def import_job_url(name: str) -> Callable:
    """An import job of the caller's own school (in) or of another school (out); finished, so
    a confirmation or a retry sent to it changes nothing."""

    def build(world, role, in_scope):
        import datetime

        from django.utils import timezone

        from suppliers.constants import ImportStatus
        from suppliers.models import ImportJob

        job = ImportJob.objects.create(
            school=world.school if in_scope else world.other_school,
            uploaded_by=world.users["director"],
            file_name="school.xml",
            status=ImportStatus.DONE,
            result={"counts": {}},
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
        return reverse(name, args=[job.pk])

    return build


def export_create_data(world, role, in_scope):
    agreement = world.suppliers["agreement" if in_scope else "foreign_agreement"]
    return {"agreement": agreement.pk, "format": "csv"}


def group_url(world, role, in_scope):
    group = world.group3
    if not in_scope:
        group = world.group5 if role == "teacher" else world.other_group
    return reverse("api:group-detail", args=[group.pk])


def school_url(world, role, in_scope):
    school = world.school if in_scope else world.other_school
    return reverse("api:school-detail", args=[school.pk])


def _privacy_request(world, role, in_scope, key: str = "access"):
    """A request in the caller's scope, or one just outside it. The care coordinator only
    sees access requests whose package is there to review, so theirs is the built one."""
    requests = world.requests
    if in_scope:
        return requests["built" if role == "care_coordinator" and key == "access" else key]
    # Outside: another family in the other school of the board (which the privacy officer
    # oversees, so theirs is a request of a school of another board).
    return requests["foreign" if role == "privacy_officer" else "other"]


def request_url(name: str, key: str = "access", *extra: str) -> Callable:
    def build(world, role, in_scope):
        return reverse(name, args=[_privacy_request(world, role, in_scope, key).pk, *extra])

    return build


def request_list_url(name: str) -> Callable:
    def build(world, role, in_scope):
        world.requests["access"]  # a request on the list
        return reverse(name)

    return build


def request_create_url(world, role, in_scope):
    """The parent's form, for a child of their own (in) or of another family (out)."""
    child = world.pupil3 if in_scope else world.pupil5
    return f"{reverse('request-create')}?child={child.pk}"


def limit_url(world, role, in_scope):
    limit = world.requests["limit" if in_scope else "other_limit"]
    return reverse("limit-lift", args=[limit.pk])


def package_download_url(world, role, in_scope):
    """The caller's own link to the released package of their child (in) or of the child of
    another family (out); whoever asks gets a link signed for their own login."""
    from privacy_requests.views import download_url

    request = world.requests["released" if in_scope else "other"]
    user = world.users.get(role)
    if user is None:
        return reverse("request-package-download", args=[request.pk, "pdf", "x"])
    return download_url(request.package, user, "pdf")


def _retention_key(role: str, in_scope: bool) -> str:
    """The caller's own school (in), or one outside: the other school of the board, or for the
    privacy officer (who oversees the whole board) a school of another board."""
    if in_scope:
        return "school"
    return "foreign" if role == "privacy_officer" else "other"


def retention_rule_url(world, role, in_scope):
    rule = world.retention["rules"][_retention_key(role, in_scope)]["pupil_file"]
    return reverse("retention-rule", args=[rule.pk])


def retention_rule_data(world, role, in_scope):
    rule = world.retention["rules"][_retention_key(role, in_scope)]["pupil_file"]
    prefix = f"rule{rule.pk}"
    return {f"{prefix}-period_months": 20, f"{prefix}-action": "anonymise"}


def retention_rule_api_url(world, role, in_scope):
    """A rule of the caller's own school (in) or of a school outside (out), by category."""
    school = world.retention["rules"][_retention_key(role, in_scope)]["pupil_file"].school
    return reverse("api:retention-rule", args=[school.pk, "pupil_file"])


def board_url(name: str) -> Callable:
    """The board of the caller's school (in), or another board (out)."""

    def build(world, role, in_scope):
        school = world.school if in_scope else world.foreign_school
        return reverse(name, args=[school.board_id])

    return build


def retention_run_url(world, role, in_scope):
    key = _retention_key(role, in_scope)
    return reverse("retention-run", args=[world.retention["rules"][key]["pupil_file"].school_id])


def retention_set_up_url(world, role, in_scope):
    key = _retention_key(role, in_scope)
    return reverse("retention-set-up", args=[world.retention["rules"][key]["pupil_file"].school_id])


def retention_object_url(name: str, kind: str) -> Callable:
    """A run or a legal hold of the caller's school (in) or of a school outside (out)."""

    def build(world, role, in_scope):
        return reverse(name, args=[world.retention[kind][_retention_key(role, in_scope)].pk])

    return build


def reset_link(world, role, in_scope):
    """A password-reset link: a working one (it forwards to the form, 302) or one whose token
    is not valid (the page says so, 200). Whoever opens it gets the same answer."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world.operations["colleague"]
    token = default_token_generator.make_token(user) if in_scope else "c0ffee-not-a-token"
    return reverse(
        "accounts:password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), token]
    )


def invitation_link(world, role, in_scope):
    """A guardian's invitation link that works (in), or one a newer invitation replaced (out)."""
    tokens = world.operations["tokens"]
    return reverse("accounts:invitation", args=[tokens["invitation" if in_scope else "replaced"]])


def staff_invitation_link(world, role, in_scope):
    """A colleague's invitation link that works (in), or one the director revoked (out)."""
    tokens = world.operations["staff_tokens"]
    return reverse(
        "accounts:staff-invitation", args=[tokens["staff_invitation" if in_scope else "revoked"]]
    )


def staff_invite_data(world, role, in_scope):
    """An invitation of a teacher of the school's Groep 3 (in), or of a group of another
    school (out: a crafted POST)."""
    group = world.group3 if in_scope else world.other_group
    return {
        "school": world.school.pk,
        "full_name": "Nieuwe Collega",
        "email": "nieuwe.collega@t.example",
        "roles": ["teacher"],
        "groups": [group.pk],
    }


def _application(world, *, confirmed: bool):
    """An online application for the school (admissions.views.public): unconfirmed, with
    the confirmation link's token in ``application.token``, or confirmed."""
    import datetime
    import secrets

    from django.utils import timezone

    from admissions.constants import ApplicationStatus
    from admissions.models import Application
    from admissions.services.applications import token_hash

    token = secrets.token_urlsafe(32)
    today = timezone.localdate()
    application = Application.objects.create(
        school=world.school,
        reference=f"T-{secrets.token_hex(4).upper()}",
        email="aanvrager@t.example",
        status=ApplicationStatus.UNCONFIRMED if not confirmed else ApplicationStatus.RECEIVED,
        confirmation_hash="" if confirmed else token_hash(token),
        confirmation_expires_at=None
        if confirmed
        else timezone.now() + datetime.timedelta(hours=48),
        complete_on=today if confirmed else None,
        decision_due_on=today + datetime.timedelta(weeks=6) if confirmed else None,
        first_names="Lotte",
        given_name="Lotte",
        surname="Aanvrager",
        date_of_birth=today.replace(year=today.year - 3, day=1),
        desired_start_date=today.replace(year=today.year + 1, day=1),
    )
    application.token = token  # type: ignore[attr-defined]
    return application


def application_confirm_link(world, role, in_scope):
    """A confirmation link that works (in), or one that does not (out): the page says so."""
    token = _application(world, confirmed=False).token if in_scope else "c0ffee-not-a-token"
    return reverse("application-confirm", args=[token])


def application_follow_link(world, role, in_scope):
    """The follow link of a confirmed application (in), or a tampered one (out)."""
    from admissions.follow import follow_path

    path = follow_path(_application(world, confirmed=True))
    return path if in_scope else f"{path[:-4]}xx/"


def application_follow_letter_link(world, role, in_scope):
    """The refusal letter behind the follow link of a refused application (in), and behind
    that of an open one (out: it has no letter)."""
    from admissions.follow import follow_token
    from tests.admissions.factories_decisions import ApplicationFactory

    application = ApplicationFactory.create(school=world.school, refused=in_scope)
    return reverse("application-follow-letter", kwargs={"token": follow_token(application)})


def application_school_form(world, role, in_scope):
    """The application form of a school of the installation (in), or of none (out)."""
    return reverse("application-form", args=[world.school.pk if in_scope else 987654])


def _statement(world):
    from students.models import PrivacyStatement
    from students.services.statements import statement_publish

    return PrivacyStatement.objects.filter(school=world.school).first() or statement_publish(
        user=world.users["director"],
        school=world.school,
        text_nl="## Wie wij zijn\n\nWij bewaren alleen wat nodig is.",
        published_on=datetime.date(2026, 8, 1),
    )


def statement_school_url(world, role, in_scope):
    """The statement of a school of the installation (in), or of none (out)."""
    _statement(world)
    return reverse("privacy-statement-school", args=[world.school.pk if in_scope else 987654])


def statement_version_url(world, role, in_scope):
    """Version 1 of the school's statement (in), or a version it does not have (out)."""
    _statement(world)
    return reverse("privacy-statement-version", args=[world.school.pk, 1 if in_scope else 2])


def operations_url(name: str, key: str) -> Callable:
    """An object of world.operations at the school (``key``) or at the other school of the
    board (``other_key``)."""

    def build(world, role, in_scope):
        item = world.operations[key if in_scope else f"other_{key}"]
        return reverse(name, args=[item.pk])

    return build


def api_token_url(name: str) -> Callable:
    """One of the role's own API tokens (in), or one of another account (out). Anyone
    logged in has tokens of their own; no one reaches someone else's."""

    def build(world, role, in_scope):
        from accounts.models import ApiToken
        from accounts.services import api_token_issue

        owner = role if role != "anonymous" else "director"
        if not in_scope:
            owner = "teacher" if owner == "director" else "director"
        user = world.users[owner]
        api_token_issue(user=user, label="Rooster-app")
        return reverse(name, args=[ApiToken.objects.filter(user=user).latest("id").pk])

    return build


def authority_url(world, role, in_scope, name="guardian-authority"):
    """The link between a pupil and a guardian at the school (in) or at the other school."""
    if in_scope:
        student, guardian = world.pupil5, world.operations["guardian"]
    else:
        student, guardian = world.other_pupil, world.operations["other_guardian"]
    return reverse(name, args=[student.pk, guardian.pk])


def authority_confirm_url(world, role, in_scope):
    return authority_url(world, role, in_scope, name="guardian-authority-confirm")


# -- The school's edits, with history (issue 24, part 1: students/views/editing.py) ----------


def guardian_edit_url(name: str) -> Callable:
    """The guardian of pupil3 with the marker phone (in), or a guardian of the pupil of the
    other school (out)."""

    def build(world, role, in_scope):
        from students.models import Guardianship

        student = world.pupil3 if in_scope else world.other_pupil
        if in_scope:
            guardian_id = world.users["guardian"].guardian.pk
        else:
            guardian_id = (
                Guardianship.objects.filter(student=student)
                .values_list("guardian_id", flat=True)
                .first()
            )
        return reverse(name, args=[student.pk, guardian_id])

    return build


def history_url(world, role, in_scope):
    """pupil3's history (in) or that of the pupil out of scope, each holding: the pupil's
    BSN typed anew with its street (the BSN's value is never kept), and the confidential
    co-guardian's phone changed (never kept); so the page must show neither."""
    from students.models import ChangeRecord, Guardian
    from students.services.history import change_record

    student = world.in_scope(role) if in_scope else world.out_of_scope(role)
    change_record(
        actor=world.users["administration"],
        subject=ChangeRecord.Subject.PUPIL,
        channel=ChangeRecord.Channel.SCHOOL,
        student=student,
        before={"bsn": "123456782", "street": "Oudeweg"},
        after={"bsn": student.bsn, "street": student.street},
    )
    vera = Guardian.objects.filter(contact_confidential=True, links__student=world.pupil3).first()
    if vera is not None:
        change_record(
            actor=world.users["administration"],
            subject=ChangeRecord.Subject.GUARDIAN,
            channel=ChangeRecord.Channel.SCHOOL,
            guardian=vera,
            before={"phone": "06-10101010"},
            after={"phone": vera.phone},
            confidential=True,
        )
    return reverse("student-history", args=[student.pk])


# A change of parental authority is recorded with the court decision and a confirmation.
AUTHORITY_CHANGE = {
    "has_authority": "0",
    "decided_on": "2026-03-02",
    "reference": "C/13/712345 / FA RK 26-1234",
    "confirm": "on",
}


def substitute_data(world, role, in_scope):
    """The throwaway colleague as a substitute for Groep 3 of the school (in) or for the group
    of the other school (out: not among the form's choices)."""
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    group = world.group3 if in_scope else world.other_group
    return {
        "teacher": world.operations["colleague"].pk,
        "group": group.pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=7)).isoformat(),
    }


def rollover_data(world, role, in_scope):
    return {"school": _school(world, role, in_scope).pk}


def registration_url(name: str, *, with_token: bool = False) -> Callable:
    """A funding registration of the caller's school (in) or of the other school (out); both
    produced through the gate (``funding_world``)."""

    def build(world, role, in_scope):
        registration = world.registrations["school" if in_scope else "other"]
        if not with_token:
            return reverse(name, args=[registration.pk])
        from admissions.views.funding import download_url

        user = world.users.get(role)
        url = download_url(registration, user) if user else None
        return url or reverse(name, args=[registration.pk, "x"])

    return build


def breach_url(name: str, *extra: str) -> Callable:
    """A breach of the caller's school (in), or one outside: for the director a breach of the
    other school of the board, for the board's privacy officer one of another board."""

    def build(world, role, in_scope):
        return reverse(name, args=[world.breaches[_retention_key(role, in_scope)].pk, *extra])

    return build


DECISION = {"risk": "unlikely", "notify_authority": "no", "reason": "Versleuteld, geen risico"}


def okr_url(name: str, *, sent: bool) -> Callable:
    """The education report of a pupil who left: pupil3 of the school (in; the teachers'
    care record marked by the director, the report sent when ``sent``), or for the school's
    staff the pupil of the other school, for a guardian pupil5 of another family (out)."""

    def build(world, role, in_scope):
        from tests.admissions.okr_setup import matrix_reports

        matrix_reports(world, sent=sent)
        student = world.pupil3 if in_scope else world.out_of_scope(role)
        return reverse(name, args=[student.pk])

    return build


def okr_care_data(world, role, in_scope):
    record = world.care["teachers"]
    return {f"mark_{record.pk}": "on", f"reason_{record.pk}": "Nodig voor de rekenles"}


STAFF_PUPIL_ROLES = ("director", "administration", "care_coordinator", "teacher")
FORBIDDEN = 403


class Anonymous(TypedDict):
    anonymous: tuple[int, int]


ANON_PAGE: Anonymous = {"anonymous": (302, 302)}
ANON_API: Anonymous = {"anonymous": (401, 401)}


STAFF_ONLY = _all(200, anonymous=(302, 302), guardian=(403, 403), guardian_limited=(403, 403))


def scoped(*roles: str, ok: int = 200, **extra) -> dict:
    """Everyone 403 except: the given roles (ok in scope, 404 out of scope) and extra."""
    return _all(FORBIDDEN, **{role: (ok, 404) for role in roles}, **extra)


# Content, not only status (a template that showed the BSN to a teacher passed every
# status check). The ``markers`` fixture puts these values into the world; the body of every
# response of the matrix is read for them (HTML and JSON decoded, a PDF's text extracted).
MARKER_KINDS = {
    "bsn": "the pupil's BSN",
    "contact": "the pupil's address and a guardian's phone number",
    "care_team": "the text of a care record for the care team only",
    "care_teachers": "the text of a care record marked for the group's teachers",
    "withheld": "the text and reason of a care record withheld from guardians",
    "withheld_title": "the kind of that record, its heading (a Meldcode signal)",
    "religion": "the pupil's religion",
    "confidential_contact": "the contact data of a co-guardian who marked it confidential",
    "staff_names": "the names of the school's staff other than the child's teacher and director",
    "teacher_name": "the name of the teacher of the child's group",
    "director_name": "the name of the school's director",
    "pupil_name": "the names of the board's pupils",
    "outsider": "the name and BSN of the pupil outside the caller's scope",
    "application_sealed": "the support needs and religion given in an application for a place",
    "application_contact": "the e-mail address, phone and address of a parent in an application",
    "invitee": "the name and e-mail address of a colleague invited to the school",
}
CARE_KINDS = ("care_team", "care_teachers", "withheld", "withheld_title")
# What a role sees on no route at all (DESIGN's permission table); no entry can allow it.
NEVER: dict[str, frozenset[str]] = {
    "anonymous": frozenset(MARKER_KINDS),
    "director": frozenset({"outsider"}),
    "administration": frozenset({*CARE_KINDS, "outsider"}),
    # She advises on an application's sealed answers, never its parents' contact data.
    "care_coordinator": frozenset({"bsn", "religion", "outsider", "application_contact"}),
    "teacher": frozenset(
        {"bsn", "religion", "care_team", "withheld", "withheld_title", "outsider"}
    ),
    # The board's oversight: staff names, schools, groups, pupil numbers; never a pupil.
    "privacy_officer": frozenset(MARKER_KINDS) - {"staff_names", "teacher_name", "director_name"},
    # The access log shows a role and a date, never who; a withheld record appears nowhere a
    # guardian looks; a co-guardian's confidential contact data is never shown to them.
    "guardian": frozenset(
        {"withheld", "withheld_title", "confidential_contact", "staff_names", "outsider"}
    ),
}
# An application's sealed answers: only the director and the care coordinator read them (the
# administration that handles the inbox never does).
for _role in ("administration", "teacher", "privacy_officer", "guardian"):
    NEVER[_role] = NEVER[_role] | {"application_sealed"}
# An applicant's contact data: the school's staff who handle applications, nobody else.
for _role in ("teacher", "privacy_officer", "guardian"):
    NEVER[_role] = NEVER[_role] | {"application_contact"}
# Without parental authority: basics and progress only.
NEVER["guardian_limited"] = NEVER["guardian"] | {
    "bsn",
    "contact",
    "care_team",
    "care_teachers",
    "religion",
}
# Identifying and special-category data: shown only on the routes whose entry says so (never
# in lists, search or generic exports), also to roles that may see it. A guardian learns the
# teacher's name where an entry says so (the access package names the group's teachers), and
# the director's where an entry says so (the child's page names whom to ask about privacy).
GUARDED_DATA = frozenset(
    {
        "bsn",
        "contact",
        "care_team",
        "care_teachers",
        "withheld",
        "religion",
        "confidential_contact",
        "application_sealed",
        "application_contact",
        "invitee",
    }
)
GUARDED: dict[str, frozenset[str]] = {
    role: GUARDED_DATA
    | ({"teacher_name", "director_name"} if role.startswith("guardian") else set())
    for role in ROLES
}
SCHOOL_STAFF = ("director", "administration", "care_coordinator", "teacher")
# The reasons shared by several entries.
PUPIL_FILE = Shows(
    SCHOOL_STAFF,
    ("contact", "confidential_contact"),
    "Staff with the pupil in scope see its address and its guardians' contact data.",
)
PUPIL_BSN = Shows(
    ("director", "administration"), ("bsn",), "The school's director and administration."
)
CHILD_FILE = Shows(
    ("guardian",),
    ("bsn", "contact"),
    "A guardian with authority sees their own child's BSN and address.",
)
CARE_FILE = Shows(
    ("director", "care_coordinator"),
    ("care_team", "care_teachers", "withheld"),
    "The care file: the director and the care coordinator read every record.",
)
CARE_FOR_TEACHERS = Shows(
    ("teacher",), ("care_teachers",), "The group's teacher reads the records marked for them."
)
CHILD_CARE = Shows(
    ("guardian",),
    ("care_team", "care_teachers"),
    "A guardian with authority reads their child's care records, except withheld ones.",
)
RELIGION_READERS = Shows(
    ("director", "administration"),
    ("religion",),
    "Religion: the director, and administration from the enrolment.",
)
CHILD_RELIGION = Shows(
    ("guardian",), ("religion",), "A guardian with authority sees what they stated."
)
OKR_MARKING = Shows(
    ("director",),
    ("care_team", "care_teachers"),
    "The director decides which care records go with the education report: the records that "
    "may go (never a withheld one).",
)
OKR_MARKED = Shows(
    ("director",),
    ("care_teachers",),
    "The care record the director marked necessary for the new school, in the report.",
)
OKR_COPY = Shows(
    ("guardian",),
    ("care_teachers",),
    "A guardian with authority gets a copy of exactly what was sent (a marked care record).",
)
APPLICATION_ANSWERS = Shows(
    ("director", "care_coordinator"),
    ("application_sealed",),
    "An application's support needs and religion: the director and the care coordinator.",
)

APPLICATION_CONTACT = Shows(
    ("director", "administration"),
    ("application_contact",),
    "An application's parents and their contact data: those who handle applications.",
)


INVITEES = Shows(
    ("director",),
    ("invitee",),
    "The director sees the colleagues she invited to her school until they accept.",
)


PRIVACY_CONTACTS = Shows(
    ("guardian", "guardian_limited"),
    ("teacher_name", "director_name"),
    "Questions about privacy: the child's page names the child's teacher and the school's "
    "director (by name only; the board's privacy officer by role).",
)


LEAVING_NOTICE = Shows(
    ("director", "administration"),
    ("bsn", "contact"),
    "The notice to the attendance officer as the gate produced it: the BSN and address it sent.",
)


# The school's edits, with history (issue 24, part 1).
EDIT_PAGE = Shows(
    ("director", "administration"),
    ("contact", "bsn"),
    "The edit pages show the values they edit; the BSN as text beside its empty field.",
)
GUARDIAN_EDIT_PAGE = Shows(
    ("director", "administration"),
    ("contact",),
    "The guardian's edit page shows the details it edits.",
)
HISTORY_VALUES = Shows(
    SCHOOL_STAFF,
    ("contact",),
    "The history keeps the old and new address of the pupil; never a BSN or a confidential "
    "guardian's contact data.",
)


def leaving_form() -> dict:
    """A leaving to another school that confirmed the enrolment, today."""
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    return {
        "left_on": today,
        "reason": "other_school",
        "destination_name": "OBS De Regenboog",
        "destination_brin": "07QX",
        "enrolment_confirmed_on": today,
    }


# Pages answer an anonymous caller with a redirect to the login page (302);
# the API answers 401.
MATRIX: dict[str, Entry] = {
    "home": Entry(fixed("home"), _all(200, anonymous=(302, 302))),
    "accounts:login": Entry(fixed("accounts:login"), _all(302, anonymous=(200, 200))),
    "accounts:logout": Entry(fixed("accounts:logout"), _all(302), method="post"),
    # The second factor is for staff only: a guardian is refused. Setting up is open to a
    # staff member without an app; giving a code at login to one who has an app.
    "accounts:mfa-setup": Entry(fixed("accounts:mfa-setup"), STAFF_ONLY),
    "accounts:mfa-verify": Entry(fixed("accounts:mfa-verify"), STAFF_ONLY, fixture="mfa_world"),
    "accounts:mfa-backup-codes": Entry(fixed("accounts:mfa-backup-codes"), STAFF_ONLY),
    "set_language": Entry(
        fixed("set_language"), _all(302), method="post", data={"language": "en", "next": "/"}
    ),
    "healthz": Entry(fixed("healthz"), _all(200)),
    "favicon": Entry(fixed("favicon"), _all(302)),
    "student-list": Entry(
        fixed("student-list"),
        _all(
            FORBIDDEN,
            anonymous=(302, 302),
            director=(200, 200),
            administration=(200, 200),
            care_coordinator=(200, 200),
            teacher=(200, 200),
        ),
    ),
    "student-detail": Entry(
        student_url("student-detail"),
        _all(FORBIDDEN, anonymous=(302, 302), **{role: (200, 404) for role in STAFF_PUPIL_ROLES}),
        shows=(PUPIL_FILE, PUPIL_BSN),
    ),
    # Enrolment from a paper application: the director and administration of the school.
    "student-enrol": Entry(
        school_query("student-enrol"),
        scoped("director", "administration", **ANON_PAGE),
    ),
    "child-detail": Entry(
        student_url("child-detail"),
        _all(FORBIDDEN, anonymous=(302, 302), guardian=(200, 404), guardian_limited=(200, 404)),
        shows=(CHILD_FILE, PRIVACY_CONTACTS),
    ),
    "audit-event-list": Entry(
        fixed("audit-event-list"),
        _all(FORBIDDEN, anonymous=(302, 302), director=(200, 200), privacy_officer=(200, 200)),
    ),
    "api:auth-token": Entry(
        fixed("api:auth-token"),
        _all(400),
        method="post",
        api=True,
        data={"email": "nobody@t.example", "password": "wrong-password"},
    ),
    # Everyone's own API tokens: listed and revoked by their owner only.
    "accounts:api-tokens": Entry(fixed("accounts:api-tokens"), _all(200, **ANON_PAGE)),
    "accounts:api-token-revoke": Entry(
        api_token_url("accounts:api-token-revoke"),
        _all(302, 404, **ANON_PAGE),
        method="post",
    ),
    "api:auth-token-list": Entry(fixed("api:auth-token-list"), _all(200, **ANON_API), api=True),
    "api:auth-token-revoke": Entry(
        api_token_url("api:auth-token-revoke"),
        _all(204, 404, **ANON_API),
        method="delete",
        api=True,
    ),
    "api:student-list": Entry(
        fixed("api:student-list"),
        _all(200, anonymous=(401, 401), privacy_officer=(403, 403)),
        api=True,
    ),
    "api:student-detail": Entry(
        student_url("api:student-detail"),
        _all(
            404,
            404,
            anonymous=(401, 401),
            privacy_officer=(403, 403),
            **{role: (200, 404) for role in (*STAFF_PUPIL_ROLES, "guardian", "guardian_limited")},
        ),
        api=True,
        shows=(PUPIL_FILE, PUPIL_BSN, CHILD_FILE),
    ),
    "api:group-list": Entry(
        fixed("api:group-list"),
        _all(FORBIDDEN, anonymous=(401, 401), **{role: (200, 200) for role in STAFF_PUPIL_ROLES}),
        api=True,
    ),
    "api:group-detail": Entry(
        group_url,
        _all(FORBIDDEN, anonymous=(401, 401), **{role: (200, 404) for role in STAFF_PUPIL_ROLES}),
        api=True,
    ),
    "api:school-list": Entry(
        fixed("api:school-list"),
        _all(FORBIDDEN, anonymous=(401, 401), **{role: (200, 200) for role in STAFF_PUPIL_ROLES}),
        api=True,
    ),
    "api:school-detail": Entry(
        school_url,
        _all(
            FORBIDDEN,
            anonymous=(401, 401),
            **{
                role: (200, 404)
                for role in ("director", "administration", "care_coordinator", "teacher")
            },
        ),
        api=True,
    ),
    "api:audit-event-list": Entry(
        fixed("api:audit-event-list"),
        _all(FORBIDDEN, anonymous=(401, 401), director=(200, 200), privacy_officer=(200, 200)),
        api=True,
    ),
    # Progress, care data and religion.
    "student-progress": Entry(
        student_url("student-progress"),
        scoped("director", "care_coordinator", "teacher", **ANON_PAGE),
    ),
    "student-care": Entry(
        student_url("student-care"),
        scoped("director", "care_coordinator", "teacher", **ANON_PAGE),
        shows=(CARE_FILE, CARE_FOR_TEACHERS),
    ),
    "care-record-create": Entry(
        student_url("care-record-create"), scoped("director", "care_coordinator", **ANON_PAGE)
    ),
    "care-record-detail": Entry(
        care_url("care-record-detail"),
        scoped("director", "care_coordinator", "teacher", **ANON_PAGE),
        shows=(CARE_FILE, CARE_FOR_TEACHERS),
    ),
    "care-record-edit": Entry(
        care_url("care-record-edit"),
        scoped("director", "care_coordinator", **ANON_PAGE),
        shows=(CARE_FILE,),
    ),
    "care-record-withhold": Entry(
        care_url("care-record-withhold"),
        scoped("director", "care_coordinator", ok=302, **ANON_PAGE),
        method="post",
        data={"reason": "Meldcode: veiligheid van het kind"},
    ),
    "care-withholdings": Entry(
        fixed("care-withholdings"), _all(FORBIDDEN, director=(200, 200), **ANON_PAGE)
    ),
    "care-withholding-decide": Entry(
        decide_url,
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        data={"decision": "approve"},
    ),
    "student-religion": Entry(
        student_url("student-religion"),
        scoped("director", "administration", **ANON_PAGE),
        shows=(RELIGION_READERS,),
    ),
    "student-access-log": Entry(
        student_url("student-access-log"), scoped("director", "privacy_officer", **ANON_PAGE)
    ),
    "child-care": Entry(
        student_url("child-care"),
        scoped("guardian", guardian_limited=(403, 404), **ANON_PAGE),
        shows=(CHILD_CARE,),
    ),
    "child-religion": Entry(
        student_url("child-religion"),
        scoped("guardian", guardian_limited=(403, 404), **ANON_PAGE),
        shows=(CHILD_RELIGION,),
    ),
    "child-access-log": Entry(
        student_url("child-access-log"),
        scoped("guardian", guardian_limited=(403, 404), **ANON_PAGE),
    ),
    "audit-event-export": Entry(
        fixed("audit-event-export"),
        _all(FORBIDDEN, director=(200, 200), privacy_officer=(200, 200), **ANON_PAGE),
    ),
    "audit-care-summary": Entry(
        fixed("audit-care-summary"),
        _all(FORBIDDEN, director=(200, 200), privacy_officer=(200, 200), **ANON_PAGE),
    ),
    "api:student-progress": Entry(
        student_url("api:student-progress"),
        scoped(
            "director", "care_coordinator", "teacher", "guardian", "guardian_limited", **ANON_API
        ),
        api=True,
    ),
    "api:student-care-records": Entry(
        student_url("api:student-care-records"),
        scoped(
            "director",
            "care_coordinator",
            "teacher",
            "guardian",
            guardian_limited=(403, 404),
            **ANON_API,
        ),
        api=True,
        shows=(CARE_FILE, CARE_FOR_TEACHERS, CHILD_CARE),
    ),
    "api:student-care-record": Entry(
        care_url("api:student-care-record"),
        scoped(
            "director",
            "care_coordinator",
            "teacher",
            "guardian",
            guardian_limited=(403, 404),
            **ANON_API,
        ),
        api=True,
        shows=(CARE_FILE, CARE_FOR_TEACHERS, CHILD_CARE),
    ),
    "api:student-religion": Entry(
        student_url("api:student-religion"),
        scoped("director", "administration", "guardian", guardian_limited=(403, 404), **ANON_API),
        api=True,
        shows=(RELIGION_READERS, CHILD_RELIGION),
    ),
    "api:student-access-log": Entry(
        student_url("api:student-access-log"),
        scoped("director", "privacy_officer", "guardian", guardian_limited=(403, 404), **ANON_API),
        api=True,
    ),
    # Consent.
    "child-consent": Entry(
        student_url("child-consent"),
        scoped("guardian", guardian_limited=(403, 404), **ANON_PAGE),
    ),
    "student-consent": Entry(
        student_url("student-consent"),
        scoped("director", "administration", "care_coordinator", "teacher", **ANON_PAGE),
    ),
    "api:student-consents": Entry(
        student_url("api:student-consents"),
        scoped(
            "director",
            "administration",
            "care_coordinator",
            "teacher",
            "guardian",
            guardian_limited=(403, 404),
            **ANON_API,
        ),
        api=True,
    ),
    "consent-dashboard": Entry(
        school_query("consent-dashboard"), scoped("director", "privacy_officer", **ANON_PAGE)
    ),
    # The board's consent overview: the schools in the caller's scope (no school to pick).
    "consent-board": Entry(
        fixed("consent-board"),
        _all(FORBIDDEN, director=(200, 200), privacy_officer=(200, 200), **ANON_PAGE),
    ),
    "consent-dashboard-export": Entry(
        school_query("consent-dashboard-export"),
        scoped("director", "privacy_officer", **ANON_PAGE),
    ),
    "api:consent-dashboard": Entry(
        school_query("api:consent-dashboard"),
        scoped("director", "privacy_officer", **ANON_API),
        api=True,
    ),
    "consent-purposes": Entry(school_query("consent-purposes"), scoped("director", **ANON_PAGE)),
    "consent-purpose-edit": Entry(purpose_url, scoped("director", **ANON_PAGE)),
    "consent-campaigns": Entry(school_query("consent-campaigns"), scoped("director", **ANON_PAGE)),
    "consent-publications": Entry(
        fixed("consent-publications"),
        _all(
            FORBIDDEN,
            **{r: (200, 200) for r in ("director", "administration", "teacher")},
            **ANON_PAGE,
        ),
    ),
    "consent-publication": Entry(
        publication_url("consent-publication"),
        scoped("director", "administration", "teacher", **ANON_PAGE),
    ),
    "consent-publication-remove": Entry(
        publication_url("consent-publication-remove"),
        scoped("director", "administration", "teacher", ok=302, **ANON_PAGE),
        method="post",
        data={"student": "0"},
    ),
    "consent-takedown-resolve": Entry(
        publication_url("consent-takedown-resolve", kind="takedowns"),
        scoped("director", "administration", "teacher", ok=302, **ANON_PAGE),
        method="post",
    ),
    "consent-photo-list": Entry(
        photo_list_url,
        scoped("director", "administration", "care_coordinator", "teacher", **ANON_PAGE),
    ),
    # Suppliers, exports and disclosures.
    "supplier-list": Entry(
        fixed("supplier-list"),
        _all(200, guardian=(403, 403), guardian_limited=(403, 403), **ANON_PAGE),
    ),
    "supplier-create": Entry(
        fixed("supplier-create"), _all(FORBIDDEN, director=(200, 200), **ANON_PAGE)
    ),
    "supplier-detail": Entry(supplier_url("supplier-detail"), scoped("director", **ANON_PAGE)),
    "product-create": Entry(supplier_url("product-create"), scoped("director", **ANON_PAGE)),
    "product-edit": Entry(
        supplier_url("product-edit", item="product"), scoped("director", **ANON_PAGE)
    ),
    "agreement-create": Entry(supplier_url("agreement-create"), scoped("director", **ANON_PAGE)),
    "agreement-edit": Entry(
        supplier_url("agreement-edit", item="agreement"), scoped("director", **ANON_PAGE)
    ),
    "export-list": Entry(
        school_query("export-list"), scoped("director", "administration", **ANON_PAGE)
    ),
    "export-detail": Entry(
        export_url("export-detail"), scoped("director", "administration", **ANON_PAGE)
    ),
    # a disclosure the law requires, for named pupils of the caller's own school.
    "legal-disclosure-create": Entry(
        school_query("legal-disclosure-create"),
        scoped("director", "administration", **ANON_PAGE),
    ),
    "export-download": Entry(
        export_url("export-download", with_token=True),
        scoped("director", "administration", **ANON_PAGE),
    ),
    # Funding registrations for DUO: the school's director and administration; the board's
    # privacy officer sees them in the disclosure register only.
    "registration-list": Entry(
        fixed("registration-list"),
        _all(FORBIDDEN, director=(200, 200), administration=(200, 200), **ANON_PAGE),
        fixture="funding_world",
    ),
    "registration-produce": Entry(
        registration_url("registration-produce"),
        scoped("director", "administration", ok=303, **ANON_PAGE),
        method="post",
        fixture="funding_world",
    ),
    "registration-mark-sent": Entry(
        registration_url("registration-mark-sent"),
        scoped("director", "administration", ok=303, **ANON_PAGE),
        method="post",
        fixture="funding_world",
    ),
    "registration-download": Entry(
        registration_url("registration-download", with_token=True),
        scoped("director", "administration", **ANON_PAGE),
        fixture="funding_world",
        shows=(
            Shows(
                ("director", "administration"),
                ("bsn", "contact"),
                "The registration for DUO carries the pupil's BSN and postal code (BRON).",
            ),
        ),
    ),
    "disclosure-list": Entry(
        fixed("disclosure-list"),
        _all(
            FORBIDDEN,
            **{r: (200, 200) for r in ("director", "administration", "privacy_officer")},
            **ANON_PAGE,
        ),
    ),
    "disclosure-export": Entry(
        fixed("disclosure-export"),
        _all(
            FORBIDDEN,
            **{r: (200, 200) for r in ("director", "administration", "privacy_officer")},
            **ANON_PAGE,
        ),
    ),
    "edexml-import": Entry(
        school_query("edexml-import"), scoped("director", "administration", **ANON_PAGE)
    ),
    # the import runs as a job, seen by the school's importing staff only.
    "import-job": Entry(
        import_job_url("import-job"), scoped("director", "administration", **ANON_PAGE)
    ),
    "import-job-apply": Entry(
        import_job_url("import-job-apply"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
    ),
    "import-job-retry": Entry(
        import_job_url("import-job-retry"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
    ),
    "child-recipients": Entry(
        student_url("child-recipients"),
        scoped("guardian", "guardian_limited", **ANON_PAGE),
    ),
    "api:student-recipients": Entry(
        student_url("api:student-recipients"),
        scoped("guardian", "guardian_limited", **ANON_API),
        api=True,
    ),
    "api:agreement-list": Entry(
        fixed("api:agreement-list"),
        _all(200, guardian=(403, 403), guardian_limited=(403, 403), **ANON_API),
        api=True,
    ),
    "api:export-create": Entry(
        fixed("api:export-create"),
        _all(FORBIDDEN, director=(202, 404), administration=(202, 404), **ANON_API),
        method="post",
        data=export_create_data,
        api=True,
    ),
    "api:export-detail": Entry(
        export_url("api:export-detail"),
        scoped("director", "administration", **ANON_API),
        api=True,
    ),
    "api:disclosure-list": Entry(
        fixed("api:disclosure-list"),
        _all(
            FORBIDDEN,
            **{r: (200, 200) for r in ("director", "administration", "privacy_officer")},
            **ANON_API,
        ),
        api=True,
    ),
    # Privacy requests.
    "request-list": Entry(
        request_list_url("request-list"),
        _all(200, teacher=(403, 403), **ANON_PAGE),
        fixture="request_world",
    ),
    "request-create": Entry(
        request_create_url,
        # The form offers only the parent's own children (another child in ?child= is not
        # preselected); a guardian without authority is refused whichever child is named.
        _all(FORBIDDEN, guardian=(200, 200), guardian_limited=(403, 403), **ANON_PAGE),
    ),
    "request-register": Entry(
        student_url("request-register"), scoped("director", "administration", **ANON_PAGE)
    ),
    "limit-lift": Entry(
        limit_url,
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        data={"reason": "Bezwaar ingetrokken door de ouder"},
        fixture="request_world",
    ),
    "request-detail": Entry(
        request_url("request-detail"),
        scoped(
            "director",
            "administration",
            "care_coordinator",
            "privacy_officer",
            "guardian",
            guardian_limited=(404, 404),
            **ANON_PAGE,
        ),
        fixture="request_world",
    ),
    "request-package-review": Entry(
        request_url("request-package-review", "built"),
        scoped("director", "care_coordinator", **ANON_PAGE),
        fixture="request_world",
        shows=(
            Shows(
                ("director", "care_coordinator"),
                ("contact", "care_team", "care_teachers"),
                "Those who release a package read it as the guardians will receive it.",
            ),
            Shows(("director",), ("bsn", "religion"), "The director also sees BSN and religion."),
        ),
    ),
    "request-package-download": Entry(
        package_download_url,
        # Only the requester's side downloads; staff review the package on its own page.
        _all(404, guardian=(200, 404), **ANON_PAGE),
        fixture="request_world",
        shows=(
            Shows(
                ("guardian",),
                ("bsn", "contact", "care_team", "care_teachers", "religion", "teacher_name"),
                "The access right: all the school holds on their child but withheld records.",
            ),
        ),
    ),
    "request-action": Entry(
        request_url("request-action", "access", "start"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
        fixture="request_world",
    ),
    "api:privacy-request-list": Entry(
        request_list_url("api:privacy-request-list"),
        _all(200, teacher=(403, 403), **ANON_API),
        api=True,
        fixture="request_world",
    ),
    "api:privacy-request-detail": Entry(
        request_url("api:privacy-request-detail"),
        scoped(
            "director",
            "administration",
            "care_coordinator",
            "privacy_officer",
            "guardian",
            guardian_limited=(404, 404),
            **ANON_API,
        ),
        api=True,
        fixture="request_world",
    ),
    "api:privacy-request-package": Entry(
        request_url("api:privacy-request-package"),
        scoped("director", "administration", ok=202, **ANON_API),
        method="post",
        api=True,
        fixture="request_world",
    ),
    "api:privacy-request-release": Entry(
        request_url("api:privacy-request-release", "built"),
        scoped("director", "care_coordinator", **ANON_API),
        method="post",
        api=True,
        fixture="request_world",
    ),
    # Retention: the director previews and enables; the board's privacy officer
    # reads every school of the board; everyone else has no business here.
    "retention": Entry(
        school_query("retention"),
        scoped("director", "privacy_officer", **ANON_PAGE),
        fixture="retention_world",
    ),
    "retention-rule": Entry(
        retention_rule_url,
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        data=retention_rule_data,
        fixture="retention_world",
    ),
    "retention-run": Entry(
        retention_run_url,
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        data={"categories": ["pupil_file"]},
        fixture="retention_world",
    ),
    "retention-set-up": Entry(
        retention_set_up_url,
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="retention_world",
    ),
    "retention-run-detail": Entry(
        retention_object_url("retention-run-detail", "runs"),
        scoped("director", "privacy_officer", **ANON_PAGE),
        fixture="retention_world",
    ),
    "retention-hold": Entry(
        student_url("retention-hold"), scoped("director", **ANON_PAGE), fixture="retention_world"
    ),
    "retention-hold-lift": Entry(
        retention_object_url("retention-hold-lift", "holds"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="retention_world",
    ),
    "api:retention-preview": Entry(
        school_query("api:retention-preview"),
        scoped("director", "privacy_officer", **ANON_API),
        api=True,
        fixture="retention_world",
    ),
    # The director changes her school's rules within their bounds; the board's privacy officer
    # alone sets how long the board keeps access events.
    "api:retention-rule": Entry(
        retention_rule_api_url,
        scoped("director", **ANON_API),
        method="patch",
        data={"enabled": False},
        api=True,
        fixture="retention_world",
    ),
    "retention-log-policy": Entry(
        board_url("retention-log-policy"), scoped("privacy_officer", **ANON_PAGE)
    ),
    "api:retention-log-policy": Entry(
        board_url("api:retention-log-policy"), scoped("privacy_officer", **ANON_API), api=True
    ),
    # School operations. Password reset and the invitation link are public: the
    # same answer whoever asks, logged in or not.
    "accounts:password_reset": Entry(fixed("accounts:password_reset"), _all(200), public=True),
    "accounts:password_reset_done": Entry(
        fixed("accounts:password_reset_done"), _all(200), public=True
    ),
    "accounts:password_reset_confirm": Entry(
        reset_link, _all(302, 200), public=True, fixture="operations_world"
    ),
    "accounts:password_reset_complete": Entry(
        fixed("accounts:password_reset_complete"), _all(200), public=True
    ),
    "accounts:invitation": Entry(
        invitation_link, _all(200, 404), public=True, fixture="operations_world"
    ),
    # Administration and the director invite guardians of their school's pupils.
    "accounts:invitation-create": Entry(
        operations_url("accounts:invitation-create", "guardian"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
        fixture="operations_world",
    ),
    "accounts:invitation-revoke": Entry(
        operations_url("accounts:invitation-revoke", "invitation"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
        fixture="operations_world",
    ),
    "guardian-authority": Entry(
        authority_url,
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
        data=AUTHORITY_CHANGE,
        fixture="operations_world",
    ),
    # The page before it: what will happen, and the court decision's date and reference.
    "guardian-authority-confirm": Entry(
        authority_confirm_url,
        scoped("director", "administration", **ANON_PAGE),
        fixture="operations_world",
    ),
    # The school's edits (issue 24): administration and the director of the pupil's school.
    "student-edit": Entry(
        student_url("student-edit"),
        scoped("director", "administration", **ANON_PAGE),
        shows=(EDIT_PAGE,),
    ),
    "guardian-edit": Entry(
        guardian_edit_url("guardian-edit"),
        scoped("director", "administration", **ANON_PAGE),
        shows=(GUARDIAN_EDIT_PAGE,),
    ),
    "student-emergency-contacts": Entry(
        student_url("student-emergency-contacts"),
        scoped("director", "administration", **ANON_PAGE),
    ),
    # The history: whoever sees the pupil page; never a BSN or confidential contact data.
    "student-history": Entry(
        history_url,
        _all(FORBIDDEN, anonymous=(302, 302), **{role: (200, 404) for role in STAFF_PUPIL_ROLES}),
        shows=(HISTORY_VALUES,),
    ),
    "api:student-guardian": Entry(
        guardian_edit_url("api:student-guardian"),
        scoped("director", "administration", **ANON_API),
        api=True,
        shows=(GUARDIAN_EDIT_PAGE,),
    ),
    # The director manages the school's staff.
    "accounts:staff": Entry(
        fixed("accounts:staff"),
        _all(FORBIDDEN, director=(200, 200), **ANON_PAGE),
        fixture="operations_world",
        shows=(INVITEES,),
    ),
    # Staff invitations: the director invites colleagues to her school (never a director or a
    # privacy officer; only groups of her school), re-sends and revokes; the colleague's link
    # is public, like a guardian's.
    "accounts:staff-invitation-create": Entry(
        fixed("accounts:staff-invitation-create"),
        # A group of another school is refused at its field (back to the form: 303).
        _all(FORBIDDEN, director=(302, 303), **ANON_PAGE),
        method="post",
        data=staff_invite_data,
    ),
    "accounts:staff-invitation-resend": Entry(
        operations_url("accounts:staff-invitation-resend", "staff_invitation"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="staff_invitation_world",
    ),
    "accounts:staff-invitation-revoke": Entry(
        operations_url("accounts:staff-invitation-revoke", "staff_invitation"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="staff_invitation_world",
    ),
    "accounts:staff-invitation": Entry(
        staff_invitation_link, _all(200, 404), public=True, fixture="staff_invitation_world"
    ),
    "accounts:staff-deactivate": Entry(
        operations_url("accounts:staff-deactivate", "colleague"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        data={"confirm": "on"},
        fixture="operations_world",
    ),
    # The page before it: what ending the account does, confirmed.
    "accounts:staff-deactivate-confirm": Entry(
        operations_url("accounts:staff-deactivate-confirm", "colleague"),
        scoped("director", **ANON_PAGE),
        fixture="operations_world",
    ),
    "accounts:substitute-create": Entry(
        fixed("accounts:substitute-create"),
        # A group of another school is not among the form's choices: the form says so (400).
        _all(FORBIDDEN, director=(302, 400), **ANON_PAGE),
        method="post",
        data=substitute_data,
        fixture="operations_world",
        shows=(INVITEES,),  # the refused form is shown on the staff page itself
    ),
    # Groups an import proposed for the school's teachers: only the director decides.
    "accounts:teacher-proposal-confirm": Entry(
        operations_url("accounts:teacher-proposal-confirm", "proposal"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="operations_world",
    ),
    "accounts:teacher-proposal-dismiss": Entry(
        operations_url("accounts:teacher-proposal-dismiss", "proposal"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="operations_world",
    ),
    "api:staff-list": Entry(
        fixed("api:staff-list"),
        _all(FORBIDDEN, director=(200, 200), **ANON_API),
        api=True,
        fixture="operations_world",
    ),
    # The director's staff invitations (POST invites: tests/students/test_staff_invitations.py).
    "api:staff-invitation-list": Entry(
        fixed("api:staff-invitation-list"),
        _all(FORBIDDEN, director=(200, 200), **ANON_API),
        api=True,
        fixture="staff_invitation_world",
        shows=(INVITEES,),
    ),
    "api:staff-deactivate": Entry(
        operations_url("api:staff-deactivate", "colleague"),
        scoped("director", **ANON_API),
        method="post",
        api=True,
        fixture="operations_world",
    ),
    # The director turns the school year.
    "rollover": Entry(
        school_query("rollover"), scoped("director", **ANON_PAGE), fixture="operations_world"
    ),
    "rollover-plan": Entry(
        school_arg("rollover-plan"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        data={"keep_back": []},
        fixture="operations_world",
    ),
    "rollover-apply": Entry(
        school_arg("rollover-apply"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="operations_world",
    ),
    "rollover-schedule": Entry(
        school_arg("rollover-schedule"),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        fixture="operations_world",
    ),
    "api:rollover-preview": Entry(
        school_query("api:rollover-preview"),
        scoped("director", **ANON_API),
        api=True,
        fixture="operations_world",
    ),
    "api:rollover-apply": Entry(
        fixed("api:rollover-apply"),
        scoped("director", **ANON_API),
        method="post",
        data=rollover_data,
        api=True,
        fixture="operations_world",
    ),
    # Registers: the director for their school, the board's privacy officer for
    # every school of the board (and board-wide breaches); the overview and the security
    # measures text are the privacy officer's alone.
    "privacy-overview": Entry(
        fixed("privacy-overview"),
        _all(FORBIDDEN, privacy_officer=(200, 200), **ANON_PAGE),
        fixture="breach_world",
    ),
    "breach-list": Entry(
        fixed("breach-list"),
        _all(FORBIDDEN, director=(200, 200), privacy_officer=(200, 200), **ANON_PAGE),
        fixture="breach_world",
    ),
    "breach-detail": Entry(
        breach_url("breach-detail"),
        scoped("director", "privacy_officer", **ANON_PAGE),
        fixture="breach_world",
    ),
    "breach-notices": Entry(
        breach_url("breach-notices"),
        scoped("director", "privacy_officer", **ANON_PAGE),
        fixture="breach_world",
    ),
    "breach-action": Entry(
        breach_url("breach-action", "decide"),
        scoped("director", "privacy_officer", ok=302, **ANON_PAGE),
        method="post",
        data=DECISION,
        fixture="breach_world",
    ),
    "processing-register": Entry(
        fixed("processing-register"),
        _all(FORBIDDEN, director=(200, 200), privacy_officer=(200, 200), **ANON_PAGE),
        fixture="breach_world",
    ),
    "security-measures": Entry(
        fixed("security-measures"),
        _all(FORBIDDEN, privacy_officer=(302, 302), **ANON_PAGE),
        method="post",
        data={"text": "Twee-factorauthenticatie voor alle medewerkers."},
    ),
    "api:breach-list": Entry(
        fixed("api:breach-list"),
        _all(FORBIDDEN, director=(200, 200), privacy_officer=(200, 200), **ANON_API),
        api=True,
        fixture="breach_world",
    ),
    "api:processing-register": Entry(
        fixed("api:processing-register"),
        _all(FORBIDDEN, director=(200, 200), privacy_officer=(200, 200), **ANON_API),
        api=True,
    ),
    # The education report of a pupil who left (admissions, OKR): the school's director and
    # administration prepare and send it; only the director marks care records and reads
    # them; the guardians with authority get their copy.
    "okr-edit": Entry(
        okr_url("okr-edit", sent=False),
        scoped("director", "administration", **ANON_PAGE),
        shows=(OKR_MARKING,),
        fixture="okr_world",
    ),
    "okr-care": Entry(
        okr_url("okr-care", sent=False),
        scoped("director", ok=302, **ANON_PAGE),
        method="post",
        data=okr_care_data,
        fixture="okr_world",
    ),
    "okr-send": Entry(
        okr_url("okr-send", sent=False),
        scoped("director", "administration", **ANON_PAGE),
        shows=(OKR_MARKED,),
        fixture="okr_world",
    ),
    "okr-download": Entry(
        okr_url("okr-download", sent=True),
        scoped("director", administration=(403, 404), **ANON_PAGE),
        shows=(OKR_MARKED,),
        fixture="okr_world",
    ),
    "okr-parent": Entry(
        okr_url("okr-parent", sent=True),
        _all(FORBIDDEN, guardian=(200, 404), guardian_limited=(403, 404), **ANON_PAGE),
        fixture="okr_world",
    ),
    "okr-parent-download": Entry(
        okr_url("okr-parent-download", sent=True),
        _all(FORBIDDEN, guardian=(200, 404), guardian_limited=(403, 404), **ANON_PAGE),
        shows=(OKR_COPY,),
        fixture="okr_world",
    ),
    # Admissions: the director and the administration handle applications; the care
    # coordinator opens the open applications to advise on their sealed answers (the child,
    # the clock and those answers only: no decided tab, letter, API or contact data); the
    # director decides; the administration also records a withdrawal. The sealed answers
    # only for the director and the care coordinator.
    "application-inbox": Entry(
        fixed("application-inbox"),
        _all(
            FORBIDDEN,
            director=(200, 200),
            administration=(200, 200),
            care_coordinator=(200, 200),
            **ANON_PAGE,
        ),
        fixture="decisions_world",
    ),
    "application-detail": Entry(
        application_url("application-detail"),
        scoped("director", "administration", "care_coordinator", **ANON_PAGE),
        fixture="decisions_world",
        shows=(APPLICATION_ANSWERS, APPLICATION_CONTACT),
    ),
    "application-extend": Entry(
        application_url("application-extend"),
        scoped("director", **ANON_PAGE),
        fixture="decisions_world",
    ),
    "application-refuse": Entry(
        application_url("application-refuse"),
        scoped("director", **ANON_PAGE),
        fixture="decisions_world",
    ),
    "application-withdraw": Entry(
        application_url("application-withdraw"),
        scoped("director", "administration", **ANON_PAGE),
        fixture="decisions_world",
    ),
    "application-enrol": Entry(
        application_url("application-enrol"),
        scoped("director", **ANON_PAGE),
        fixture="decisions_world",
        shows=(APPLICATION_CONTACT,),  # the enrolment form, filled in from the application
    ),
    "application-refusal-letter": Entry(
        application_url("application-refusal-letter", "refused"),
        scoped("director", "administration", **ANON_PAGE),
        fixture="decisions_world",
    ),
    "api:application-list": Entry(
        fixed("api:application-list"),
        _all(
            FORBIDDEN,
            director=(200, 200),
            administration=(200, 200),
            **ANON_API,
        ),
        api=True,
        fixture="decisions_world",
    ),
    # Leaving (uitschrijving): the director and administration of the school record it and
    # read it; a parent with parental authority downloads the proof of withdrawal, a parent
    # without it does not (404: it is not theirs to ask for).
    "leaving-record": Entry(
        student_url("leaving-record"), scoped("director", "administration", **ANON_PAGE)
    ),
    "leaving-confirm": Entry(
        student_url("leaving-confirm"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
        data=lambda world, role, in_scope: leaving_form(),
    ),
    "leaving-detail": Entry(
        student_url("leaving-detail"),
        scoped("director", "administration", **ANON_PAGE),
        fixture="leaving_world",
        shows=(LEAVING_NOTICE,),
    ),
    "leaving-notice-sent": Entry(
        student_url("leaving-notice-sent"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
        fixture="leaving_world",
    ),
    # Naming the new school (of a leaving the rollover or an import recorded without one).
    "leaving-destination": Entry(
        student_url("leaving-destination"),
        scoped("director", "administration", ok=302, **ANON_PAGE),
        method="post",
        data={"destination_name": "Het Baken, Zwolle", "destination_brin": "12AB"},
        fixture="leaving_world",
    ),
    "leaving-proof": Entry(
        student_url("leaving-proof"),
        scoped("director", "administration", **ANON_PAGE),
        fixture="leaving_world",
    ),
    "leaving-proof-parent": Entry(
        student_url("leaving-proof-parent"),
        _all(FORBIDDEN, anonymous=(302, 302), guardian=(200, 404), guardian_limited=(404, 404)),
        fixture="leaving_world",
    ),
    "schema": Entry(fixed("schema"), _all(200), api=True),
    "api-docs": Entry(fixed("api-docs"), _all(200)),
    # The online application needs no account: the same pages for everyone, logged in or not
    # (a parent with an account applies for a younger child the same way). They show nothing
    # of anyone's data; a link that does not work says what to do.
    "application-start": Entry(fixed("application-start"), _all(200), public=True),
    "application-form": Entry(application_school_form, _all(200, 404), public=True),
    "application-sent": Entry(fixed("application-sent"), _all(200), public=True),
    "application-confirm": Entry(application_confirm_link, _all(200), public=True),
    "application-confirmed": Entry(fixed("application-confirmed"), _all(200), public=True),
    "application-follow-request": Entry(
        fixed("application-follow-request"), _all(200), public=True
    ),
    "application-follow": Entry(application_follow_link, _all(200, 404), public=True),
    # The parents' refusal letter: whoever holds the link of a refused application.
    "application-follow-letter": Entry(application_follow_letter_link, _all(200, 404), public=True),
    # The privacy statement is public: the same pages for everyone, logged in or not. The
    # footer's /privacy/ takes whoever has one school (a parent, the school's staff) straight
    # to its statement, and lists the schools for a visitor and the board's privacy officer.
    "privacy-statement": Entry(
        fixed("privacy-statement"),
        _all(302, anonymous=(200, 200), privacy_officer=(200, 200)),
        public=True,
    ),
    "privacy-statement-school": Entry(statement_school_url, _all(200, 404), public=True),
    "privacy-statement-version": Entry(statement_version_url, _all(200, 404), public=True),
    # Only the school's director writes it; the board's privacy officer reads, never edits.
    "privacy-statement-edit": Entry(
        school_arg("privacy-statement-edit"), scoped("director", **ANON_PAGE)
    ),
}


# Issue 24, part 2: parents keep their own data current (students/views/self_service.py). The
# ``address_world`` has a move reported by the confidential co-guardian of pupil3: its new
# street counts as her confidential contact data, which the other guardian never sees.
def address_change_url(world, role, in_scope):
    """A move reported for a child of the school (in), or of the other school (out)."""
    change = world.address_changes["school" if in_scope else "other"]
    return reverse("address-change-detail", args=[change.pk])


OWN_DATA_PAGE = _all(
    FORBIDDEN, anonymous=(302, 302), guardian=(200, 200), guardian_limited=(200, 200)
)
MATRIX.update(
    {
        "my-contact": Entry(
            fixed("my-contact"),
            OWN_DATA_PAGE,
            fixture="address_world",
            shows=(
                Shows(("guardian",), ("contact",), "A guardian sees and changes their own phone."),
            ),
        ),
        "my-address": Entry(fixed("my-address"), OWN_DATA_PAGE, fixture="address_world"),
        # With or without parental authority: it is about reaching someone.
        "child-emergency-contacts": Entry(
            student_url("child-emergency-contacts"),
            _all(
                FORBIDDEN,
                anonymous=(302, 302),
                guardian=(200, 404),
                guardian_limited=(200, 404),
            ),
            fixture="address_world",
        ),
        "address-change-list": Entry(
            fixed("address-change-list"),
            _all(
                FORBIDDEN,
                anonymous=(302, 302),
                director=(200, 200),
                administration=(200, 200),
            ),
            fixture="address_world",
        ),
        "address-change-detail": Entry(
            address_change_url,
            scoped("director", "administration", **ANON_PAGE),
            fixture="address_world",
            shows=(
                Shows(
                    ("director", "administration"),
                    ("contact", "confidential_contact"),
                    "Who confirms a move checks the parent's old and new address and the "
                    "children's current address.",
                ),
            ),
        ),
    }
)

CONFIDENTIAL_MOVE = {"street": "Schuilhoeve", "postal_code": "7411 QZ", "city": "Deventer"}


@pytest.fixture
def address_world(world, markers):
    """``world`` with a move reported by pupil3's confidential co-guardian (Vera Schuil, of
    ``markers``), and one by the guardian of the other school's pupil."""
    import datetime

    from students.models import AddressChange, Guardian

    vera = Guardian.objects.get(first_name="Vera", surname="Schuil")
    other = Guardian.objects.filter(links__student=world.other_pupil).first()
    world.address_changes = {}
    for key, guardian, pupil in (
        ("school", vera, world.pupil3),
        ("other", other, world.other_pupil),
    ):
        change = AddressChange.objects.create(
            guardian=guardian,
            house_number="3",
            moves_on=datetime.date(2026, 9, 1),
            previous_address=guardian.address,
            **CONFIDENTIAL_MOVE,
        )
        change.students.set([pupil])
        world.address_changes[key] = change
    for values in markers.values():
        values["confidential_contact"] = (
            *values["confidential_contact"],
            CONFIDENTIAL_MOVE["street"],
            CONFIDENTIAL_MOVE["postal_code"],
        )
    return world


@pytest.fixture
def mfa_world(world):
    """``world`` where every staff member has set up an authenticator app (not yet given a
    code in this session)."""
    from accounts.models import AuthenticatorDevice

    for user in world.users.values():
        if user.is_school_staff:
            AuthenticatorDevice.objects.create(user=user, name="app", confirmed=True)
    return world


APPLICATION_SUPPORT = "Logopedie & 'ambulante begeleiding' cluster 2"
APPLICATION_RELIGION = "Remonstrantse Broederschap"
APPLICATION_GUARDIAN = {
    "email": "j.terpstra@prive-adres.example",
    "phone": "06-13572468",
    "address": "Berkenhof 'achterom' 9, 8012 ZX Zwolle",
}


@pytest.fixture
def okr_world(world):
    """``world`` for the education report's routes: their URLs make pupil3 a pupil who left
    (the report is of a leaving), so they run apart from the routes that read pupil3 enrolled
    (tests/test_csv_files.py walks all routes of one world in one database)."""
    return world


@pytest.fixture
def decisions_world(world):
    """``world`` plus applications in ``world.applications``: per school (the caller's and
    ``other_`` for the other school of the board) one open and one refused, each with the
    sealed answers and a parent's contact data (the ``application_sealed`` and
    ``application_contact`` markers)."""
    from tests.admissions.factories_decisions import ApplicationFactory

    sealed = {
        "support_needs": APPLICATION_SUPPORT,
        "religion": APPLICATION_RELIGION,
        "guardians": [{"first_name": "Jelle", "surname": "Terpstra", **APPLICATION_GUARDIAN}],
    }
    world.applications = {
        "open": ApplicationFactory.create(school=world.school, **sealed),
        "refused": ApplicationFactory.create(school=world.school, refused=True, **sealed),
        "other_open": ApplicationFactory.create(school=world.other_school, **sealed),
        "other_refused": ApplicationFactory.create(
            school=world.other_school, refused=True, **sealed
        ),
    }
    return world


@pytest.fixture
def leaving_world(world, markers):
    """``world`` where the Groep 3 pupil left abroad (the board's attendance officer got the
    notice) and the pupil of the other school left for another school."""
    from django.utils import timezone

    from admissions.services.leaving import pupil_leave
    from suppliers.constants import RecipientKind
    from suppliers.models import Recipient

    Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.ATTENDANCE_OFFICER,
        name="Leerplichtambtenaar",
        legal_basis="Leerplichtwet 1969",
        attributes=["first_name", "last_name", "date_of_birth", "address", "bsn"],
    )
    today = timezone.localdate()
    pupil_leave(
        actor=world.users["administration"],
        student=world.pupil3,
        left_on=today,
        reason="abroad",
    )
    pupil_leave(
        actor=None,
        student=world.other_pupil,
        left_on=today,
        reason="other_school",
        destination_brin="07QX",
        destination_name="OBS De Regenboog",
        enrolment_confirmed_on=today,
    )
    return world


# The marker values: unlike anything else on a page, several with characters that HTML escapes
# (' and &) or that JSON may write as \u escapes (ë).
PUPILS = {  # surname, BSN (valid by the 11-test)
    "pupil3": ("Wittenbroek", "274619350"),
    "pupil5": ("Zuidervaart", "582037165"),
    "other_pupil": ("Hoogkamer", "369148277"),
    "foreign_pupil": ("Elderveld", "491705827"),
}
PUPIL3_FIRST_NAMES = "Timotheus Adriaan"
PUPIL3_ADDRESS = {"street": "Lindelaan", "house_number": "41", "postal_code": "8011 PK"}
GUARDIAN_PHONE = "06-24681357"
CARE_TEXTS = {  # record: (content, justification)
    "care_team": (
        "Gesprekken met de jeugdarts over 'slapen & eten'",
        "Afstemming met wijkteam Oost",
    ),
    "teachers": ("Dyscalculie: rekenkaart 'tafels' & extra tijd", "Rekentoetsen met een hulpkaart"),
    "withheld": ("Signaal: blauwe plek 'bovenarm' & angst", "Meldcode stap 2 en 3 gezet"),
}
WITHHOLD_REASON = "Veilig Thuis ingeschakeld, ouders nog niet ingelicht"
RELIGION = "Hernhutter Broedergemeente"
CONFIDENTIAL = {
    "email": "vera.schuil@veilig-adres.example",
    "phone": "06-90807060",
    "address": "Postbus 77 'geheim', Zwolle",
}
# A colleague invited to the school who has not accepted yet.
INVITEE = {"name": "Marloes van 't Veld", "email": "m.vantveld@nieuwe-collega.example"}
STAFF_NAMES = {
    "director": "Henriëtte Oosterhuis",
    "administration": "Bram Klaassens",
    "care_coordinator": "Ingrid 't Hart",
    "teacher": "Joost Leeuwarden",
    "privacy_officer": "Fatima El Idrissi",
}


@pytest.fixture
def funding_world(world):
    """``world`` plus a funding registration (enrolment) of pupil3 of the school and one of the
    other school's pupil, each produced through the gate, in ``world.registrations``."""
    from admissions.constants import RegistrationKind
    from admissions.models import FundingRegistration
    from admissions.services.funding import duo_recipient_ensure, registration_produce

    duo_recipient_ensure(board=world.school.board)
    world.registrations = {}
    for key, pupil in (("school", world.pupil3), ("other", world.other_pupil)):
        registration = FundingRegistration.objects.create(
            school=pupil.school,
            student=pupil,
            kind=RegistrationKind.ENROLMENT,
            event_on=pupil.enrolled_on,
            due_on=pupil.enrolled_on,
        )
        world.registrations[key] = registration_produce(
            user=world.users["administration"], registration=registration
        )
    return world


@pytest.fixture
def markers(world) -> dict[str, dict[str, tuple[str, ...]]]:
    """Puts the marker values into ``world``; returns per role the values of each kind."""
    from django.conf import settings
    from django.utils import translation

    from audit.constants import Action, DataKind
    from audit.services import event_record
    from kernel.crypto import lookup_hash
    from students.constants import CareKind

    from .students.factories import GuardianFactory, link_guardian

    for key, (surname, bsn) in PUPILS.items():
        pupil = getattr(world, key)
        pupil.surname, pupil.bsn, pupil.bsn_hash = surname, bsn, lookup_hash(bsn)
        fields = ["surname", "bsn", "bsn_hash"]
        if key == "pupil3":
            pupil.first_names = PUPIL3_FIRST_NAMES
            for name, value in PUPIL3_ADDRESS.items():
                setattr(pupil, name, value)
            fields += ["first_names", *PUPIL3_ADDRESS]
        pupil.save(update_fields=fields)
    for key, (content, justification) in CARE_TEXTS.items():
        record = world.care[key]
        record.content, record.justification = content, justification
        record.withhold_reason = WITHHOLD_REASON if key == "withheld" else record.withhold_reason
        record.save(update_fields=["content", "justification", "withhold_reason"])
    religion = world.pupil3.religion
    religion.religion = RELIGION
    religion.save(update_fields=["religion"])
    parent = world.users["guardian"].guardian
    parent.phone = GUARDIAN_PHONE
    parent.save(update_fields=["phone"])
    link_guardian(
        GuardianFactory.create(
            first_name="Vera", surname="Schuil", contact_confidential=True, **CONFIDENTIAL
        ),
        world.pupil3,
    )
    for role, name in STAFF_NAMES.items():
        user = world.users[role]
        user.full_name = name
        user.save(update_fields=["full_name"])
        # Every staff member looked at the child: the guardians' access log has their reads.
        event_record(
            user=user,
            action=Action.VIEW,
            object_type="student",
            object_id=world.pupil3.pk,
            student_id=world.pupil3.pk,
            school_id=world.pupil3.school_id,
            data_kind=DataKind.BASICS,
        )
    # A colleague invited to the school, not yet accepted (students.models.StaffInvitation).
    import datetime

    from django.utils.timezone import now as timezone_now

    from students.models import StaffInvitation

    StaffInvitation.objects.create(
        school=world.school,
        email=INVITEE["email"],
        full_name=INVITEE["name"],
        roles=["administration"],
        token_hash="f" * 64,
        created_by=world.users["director"],
        expires_at=timezone_now() + datetime.timedelta(days=7),
    )
    titles = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            titles.append(str(CareKind.CHILD_PROTECTION.label))
    care = {key: (*texts,) for key, texts in CARE_TEXTS.items()}
    values = {
        "bsn": (PUPILS["pupil3"][1],),
        "contact": (PUPIL3_ADDRESS["street"], PUPIL3_ADDRESS["postal_code"], GUARDIAN_PHONE),
        "care_team": care["care_team"],
        "care_teachers": care["teachers"],
        "withheld": (*care["withheld"], WITHHOLD_REASON),
        # Its heading in each language, and its kind as the API writes it.
        "withheld_title": (*titles, CareKind.CHILD_PROTECTION.value),
        "religion": (RELIGION,),
        "confidential_contact": tuple(CONFIDENTIAL.values()),
        "staff_names": tuple(
            name for role, name in STAFF_NAMES.items() if role not in ("teacher", "director")
        ),
        "teacher_name": (STAFF_NAMES["teacher"],),
        "director_name": (STAFF_NAMES["director"],),
        "application_sealed": (APPLICATION_SUPPORT, APPLICATION_RELIGION),
        "application_contact": tuple(APPLICATION_GUARDIAN.values()),
        "invitee": tuple(INVITEE.values()),
        "pupil_name": (
            PUPIL3_FIRST_NAMES,
            *(PUPILS[key][0] for key in ("pupil3", "pupil5", "other_pupil")),
        ),
    }
    outsiders = {getattr(world, key).pk: value for key, value in PUPILS.items()}
    return {role: {**values, "outsider": outsiders[world.out_of_scope(role).pk]} for role in ROLES}


def forbidden_kinds(route: str, role: str) -> frozenset[str]:
    """The marker kinds this role must not see in this route's answers."""
    allowed = {kind for item in MATRIX[route].shows if role in item.roles for kind in item.kinds}
    return NEVER[role] | (GUARDED[role] - allowed)


PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
PDF_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.S)
PDF_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")
PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b""}


def _pdf_unescape(raw: bytes) -> bytes:
    def one(match):
        code = match[1]
        if code[:1] in b"01234567" and code[:1]:
            return bytes([int(code, 8) & 0xFF])
        return PDF_ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def pdf_texts(body: bytes) -> list[str]:
    """The text a PDF of the portal (fpdf2) draws, without whitespace (a table cell wraps a
    long value over several lines). Its strings are two-byte glyph ids of an embedded font
    subset, which each font's ToUnicode map turns back into text. Every string is decoded with
    every font's map and each result kept: simpler than following the fonts, and harmless, as a
    string read with another font's map is gibberish that no marker matches."""
    maps, strings = [], []
    for raw in PDF_STREAM.findall(body):
        try:
            data = zlib.decompress(raw)
        except zlib.error:
            data = raw
        if b"begincmap" in data:
            maps.append(
                {
                    bytes.fromhex(code.decode()): bytes.fromhex(text.decode()).decode("utf-16-be")
                    for code, text in PDF_BFCHAR.findall(data)
                }
            )
        else:
            strings += [_pdf_unescape(each) for each in PDF_STRING.findall(data)]
    texts = [
        "".join(cmap.get(s[i : i + 2], "") for s in strings for i in range(0, len(s) - 1, 2))
        for cmap in maps
    ]
    return [re.sub(r"\s+", "", text) for text in texts]


def body_texts(response) -> tuple[list[str], bool]:
    """What a response says, in each form a marker may take in it, and whether whitespace was
    taken out (a PDF). HTML with its entities resolved, so an escaped apostrophe or ampersand
    still matches; JSON parsed, so a \\u escape still matches; CSV as text; a PDF's drawn text
    (a PDF whose text cannot be read fails: passing it unread would hide a leak)."""
    # The test client closes a streamed response once it is read. Closing it here again would
    # send request_finished, which on PostgreSQL closes the test's connection.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"%PDF-"):
        texts = pdf_texts(body)
        assert any(texts), "a PDF whose text the content check cannot read"
        return texts, True
    text = body.decode("utf-8", errors="replace")
    texts = [text, html.unescape(text)]
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            texts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return texts, False


def leaks(response, values: dict[str, tuple[str, ...]]) -> list[str]:
    """The marker kinds (with the value) of ``values`` that the response's body contains."""
    texts, squeezed = body_texts(response)
    found = []
    for kind, kind_values in values.items():
        for value in kind_values:
            needle = re.sub(r"\s+", "", value) if squeezed else value
            if any(needle in text for text in texts):
                found.append(f"{kind} ({value!r})")
    return found


def _route_names(patterns=None, namespace="") -> set[str]:
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else repr(pattern))
    return names


def test_every_route_is_in_the_matrix():
    missing = _route_names() - set(MATRIX)
    assert not missing, f"routes without a permission-matrix entry: {sorted(missing)}"
    stale = set(MATRIX) - _route_names()
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


def test_every_entry_names_every_role():
    for name, entry in MATRIX.items():
        assert set(entry.expect) == set(ROLES), name


def test_content_exceptions_stay_within_the_design():
    """An entry may let a role see a guarded marker, with its reason; never a kind the
    design's table denies that role on every route."""
    assert set(NEVER) == set(GUARDED) == set(ROLES)
    for role in ROLES:
        assert NEVER[role] | GUARDED[role] <= set(MARKER_KINDS), role
    for name, entry in MATRIX.items():
        for item in entry.shows:
            assert item.reason.strip(), name
            assert set(item.kinds) <= set(MARKER_KINDS), f"{name}: {item.kinds}"
            assert set(item.roles) <= set(ROLES), f"{name}: {item.roles}"
            for role in item.roles:
                denied = NEVER[role] & set(item.kinds)
                assert not denied, f"{name} lets {role} see {sorted(denied)}, never theirs"


def test_content_check_reads_escaped_json_and_pdf_bodies():
    """The content check finds a marker however a body writes it: HTML-escaped, as JSON
    \\u escapes, and in a PDF (glyph ids of a font subset, a long value wrapped over lines)."""
    from django.http import HttpResponse, JsonResponse

    from privacy_requests.document import package_pdf

    value = CARE_TEXTS["care_team"][0]  # has ' and &, which HTML escapes
    name = STAFF_NAMES["director"]  # has ë, which JSON may escape
    escaped = HttpResponse(f"<p>{html.escape(value)}</p>".encode())
    assert "&#x27;" in escaped.content.decode()
    assert leaks(escaped, {"care_team": (value,)}) == [f"care_team ({value!r})"]
    as_json = JsonResponse({"name": name})
    assert "\\u00eb" in as_json.content.decode()
    assert leaks(as_json, {"staff_names": (name,)}) == [f"staff_names ({name!r})"]
    long_text = f"{value}. " + "Een lange tekst die over meerdere regels loopt. " * 6 + name
    pdf = HttpResponse(
        package_pdf({"care_records": [{"content": long_text}]}, title="Inzage", school_name="OBS"),
        content_type="application/pdf",
    )
    assert leaks(pdf, {"care_team": (value, long_text), "bsn": ("274619350",)}) == [
        f"care_team ({value!r})",
        f"care_team ({long_text!r})",
    ]


class _VisibleText(HTMLParser):
    """The Dutch text a person sees on a page: text nodes outside scripts, styles, templates
    and textareas; never an attribute's value (an option's ``value="bsn"`` is for the
    browser), and not what is marked as another language (``lang="en"``: the English draft of
    a letter, the language switch)."""

    # A textarea's content is a form's value (a text typed in English on purpose), as an
    # input's value attribute is.
    HIDDEN = frozenset({"script", "style", "template", "textarea"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.foreign: list[list] = []  # [tag, depth] of each open element in another language

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        if self.foreign and self.foreign[-1][0] == tag:
            self.foreign[-1][1] += 1
        lang = dict(attrs).get("lang")
        if lang and not lang.startswith("nl"):
            self.foreign.append([tag, 1])
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        if self.foreign and self.foreign[-1][0] == tag:
            self.foreign[-1][1] -= 1
            if not self.foreign[-1][1]:
                self.foreign.pop()
                self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(body: str) -> str:
    parser = _VisibleText()
    parser.feed(body)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


# Codes that are also ordinary Dutch words (or the names people write), so a Dutch page may
# show them as words: a code that occurs as a word in the Dutch translations, and these.
CODES_THAT_ARE_DUTCH_WORDS = frozenset({"website", "spelling", "portal", "login"})
WORDS = re.compile(r"\w[\w'\u2019-]*")
PLACEHOLDERS = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")


@functools.cache
def _dutch_catalogue() -> polib.POFile:
    return polib.pofile(str(settings.BASE_DIR / "locale" / "nl" / "LC_MESSAGES" / "django.po"))


@functools.cache
def code_pattern() -> re.Pattern:
    """Every registered code (kernel/labels.py) a page must not show as text, as one pattern:
    codes with an underscore and English words; not one-letter codes (sex: M, F, X) and not
    codes that are Dutch words too (``open``, ``school``, ``export``)."""
    from kernel.labels import known_codes

    dutch = set(CODES_THAT_ARE_DUTCH_WORDS)
    for entry in _dutch_catalogue():
        for text in (entry.msgstr, *entry.msgstr_plural.values()):
            # A placeholder ("%(bsn)s") is a name in the code, not a Dutch word.
            dutch |= set(WORDS.findall(PLACEHOLDERS.sub("", text)))
    codes = sorted((c for c in known_codes() if len(c) > 2 and c not in dutch), key=len)
    # A whole word: not part of an email address, a path or a longer word.
    alternatives = "|".join(re.escape(code) for code in reversed(codes))
    return re.compile(rf"(?<![\w@/.-])(?:{alternatives})(?![\w@/-]|\.\w)")


@functools.cache
def english_msgids() -> dict[tuple[str, str], list[str]]:
    """The English texts of at least two words that have a different Dutch translation, by
    their first two words (to find candidates in a page quickly). A text with placeholders
    gives its literal pieces of at least three words."""
    found: dict[tuple[str, str], list[str]] = {}
    # English the Dutch texts use themselves ("juridische blokkade (legal hold)") is Dutch.
    dutch = "\n".join(
        text
        for entry in _dutch_catalogue()
        for text in (entry.msgstr, *entry.msgstr_plural.values())
    )
    for entry in _dutch_catalogue():
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            pieces = re.split(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}", msgid)
            for piece in pieces:
                piece = re.sub(r"\s+", " ", piece).strip(" .,:;")
                words = WORDS.findall(piece)
                shortest = 2 if len(pieces) == 1 else 3
                if len(words) < shortest or piece in dutch or not all(translations):
                    continue
                found.setdefault((words[0], words[1]), []).append(piece)
    return found


def wording_faults(response) -> list[str]:
    """What an HTML page (rendered in Dutch) says in the database's or the source's words:
    a registered code as visible text, or an English text the Dutch catalogue translates."""
    if "text/html" not in response.get("Content-Type", ""):
        return []
    text = visible_text(response.content.decode("utf-8", errors="replace"))
    faults = [
        f"code {m[0]!r} in “…{text[max(0, m.start() - 40) : m.end() + 40]}…”"
        for m in code_pattern().finditer(text)
    ]
    words = WORDS.findall(text)
    candidates = english_msgids()
    seen = set()
    for pair in itertools.pairwise(words):
        for msgid in candidates.get(pair, ()):
            if msgid not in seen and msgid in text:
                seen.add(msgid)
                faults.append(f"untranslated {msgid!r}")
    return faults


def test_wording_check_reads_what_a_person_sees():
    """The wording check finds a code or English in the visible text, and only there: not in
    attribute values, scripts, form values or text marked as English; not a code that is a
    Dutch word too, nor a code inside an email address."""
    from django.http import HttpResponse

    page = HttpResponse(
        "<html><head><title>Personeel</title><style>.bsn{}</style></head><body>"
        '<p data-role="care_coordinator">Ingrid, care_coordinator@t.example: care_coordinator</p>'
        '<select><option value="bsn">BSN of onderwijsnummer</option></select>'
        "<ul><li>Gegevens: date_of_birth, bsn.</li><li>De school is open.</li></ul>"
        "<textarea>We may publish photos</textarea><script>var x = 'newsletter';</script>"
        '<pre lang="en">Back to the dashboard</pre><p>Back to the dashboard</p></body></html>'
    )
    assert [fault.split(" in “")[0] for fault in wording_faults(page)] == [
        "code 'care_coordinator'",
        "code 'date_of_birth'",
        "code 'bsn'",
        "untranslated 'Back to the dashboard'",
    ]
    assert wording_faults(HttpResponse("bsn", content_type="text/csv")) == []


@pytest.mark.parametrize("route", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_status_matches_the_matrix_for_role_and_route(world, markers, request, route, role):
    """The status of each call, and its body: no marker the role must not see there."""
    entry = MATRIX[route]
    if entry.fixture != "world":
        world = request.getfixturevalue(entry.fixture)
    client = APIClient() if entry.api else __import__("django.test").test.Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    hidden = {kind: markers[role][kind] for kind in sorted(forbidden_kinds(route, role))}
    got, exposed, unreadable = [], [], []
    for in_scope in (True, False):
        url = entry.url(world, role, in_scope)
        data = entry.data(world, role, in_scope) if callable(entry.data) else entry.data
        call = getattr(client, entry.method)
        response = call(url, data or {}, format="json") if entry.api else call(url, data or {})
        got.append(response.status_code)
        scope = "in scope" if in_scope else "out of scope"
        exposed += [f"{scope}: {leak}" for leak in leaks(response, hidden)]
        if entry.method == "get" and response.status_code == 200 and not url.startswith("/api/"):
            # Issue 22: a person reads words, in Dutch; never a code or the English source
            # (the API and its documentation are for programmers).
            unreadable += [f"{scope}: {fault}" for fault in wording_faults(response)]
        if role != "anonymous" and response.status_code in (403, 404) and not entry.public:
            # Every denied attempt of a logged-in user is on the record, although the
            # request failed (an out-of-scope id is an event too).
            assert AccessEvent.objects.filter(
                request_id=response["X-Request-ID"],
                outcome=Outcome.DENIED,
                actor_id=world.users[role].pk,
            ).exists(), f"{route} as {role}: denied attempt left no access event"
    assert tuple(got) == entry.expect[role], (
        f"{route} as {role}: got (in, out) = {tuple(got)}, matrix says {entry.expect[role]}"
    )
    assert not exposed, f"{route} as {role} shows what the role must not see: {exposed}"
    assert not unreadable, f"{route} as {role} shows codes or English: {unreadable}"


# Each step of a privacy request needs its own function (DESIGN: administration handles,
# the director decides, the director and care coordinator release packages).
HANDLERS = frozenset({"director", "administration"})
REQUEST_ACTION_ROLES = {
    "start": HANDLERS,
    "wait": HANDLERS,
    "extend": HANDLERS,
    "complete": HANDLERS,
    "package": HANDLERS,
    "correction": HANDLERS,
    "assess": HANDLERS,
    "reject": frozenset({"director"}),
    "limit": frozenset({"director"}),
    "decide": frozenset({"director"}),
    "release": frozenset({"director", "care_coordinator"}),
}


@pytest.mark.parametrize("action", sorted(REQUEST_ACTION_ROLES))
def test_request_action_is_forbidden_for_roles_without_its_function(request_world, action):
    from django.test import Client

    world = request_world
    got = {}
    for role in ("director", "administration", "care_coordinator", "privacy_officer", "guardian"):
        user = world.users[role]
        # The built request is one every staff role can see (the care coordinator included).
        url = reverse("request-action", args=[world.requests["built"].pk, action])
        client = Client()
        client.force_login(user)
        response = client.post(url, {})
        got[role] = response.status_code
        if response.status_code == 403:
            assert AccessEvent.objects.filter(
                request_id=response["X-Request-ID"], outcome=Outcome.DENIED, actor_id=user.pk
            ).exists(), f"{action} as {role}: denied attempt left no access event"
    refused = {role for role, status in got.items() if status == 403}
    assert refused == set(got) - REQUEST_ACTION_ROLES[action], f"{action}: {got}"
    assert 404 not in got.values(), f"{action}: {got}"


def test_request_form_offers_only_the_parents_own_children(world, client):
    client.force_login(world.users["guardian"])

    response = client.get(reverse("request-create"), {"child": world.pupil5.pk})

    assert response.status_code == 200
    choices = response.context["form"].fields["student"].choices
    assert [pk for pk, _label in choices] == [world.pupil3.pk]
    assert world.pupil5.surname.encode() not in response.content


RETENTION_WRITES = (
    "retention-rule",
    "retention-run",
    "retention-set-up",
    "retention-hold",
    "retention-hold-lift",
)


@pytest.mark.parametrize("route", RETENTION_WRITES)
def test_refused_retention_writes_change_nothing(
    retention_world, django_capture_on_commit_callbacks, route
):
    """Only the director writes retention, and only for their own school: the privacy officer
    (read only) gets 403, the director 404 for a school outside; nothing changes and no run is
    queued."""
    from django.test import Client

    from retention.models import LegalHold, RetentionRule, RetentionRun, RuleChange

    world = retention_world

    def state():
        return (
            list(RetentionRule.objects.values_list("pk", "period_months", "action", "enabled")),
            RuleChange.objects.count(),
            RetentionRun.objects.count(),
            sorted(LegalHold.objects.values_list("pk", "student_id", "lifted_at")),
        )

    def call(role, in_scope):
        if route == "retention-rule":
            url = retention_rule_url(world, role, in_scope)
            data = retention_rule_data(world, role, in_scope)
        elif route == "retention-run":
            url, data = retention_run_url(world, role, in_scope), {"categories": ["pupil_file"]}
        elif route == "retention-set-up":
            url, data = retention_set_up_url(world, role, in_scope), {}
        elif route == "retention-hold":
            student = world.in_scope(role) if in_scope else world.out_of_scope(role)
            url = reverse(route, args=[student.pk])
            data = {"reason": "Geschil", "until": ""}
        else:
            url, data = retention_object_url(route, "holds")(world, role, in_scope), {}
        client = Client()
        client.force_login(world.users[role])
        return client.post(url, data)

    before = state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        got = {
            "privacy_officer in": call("privacy_officer", True).status_code,
            "privacy_officer out": call("privacy_officer", False).status_code,
            "administration in": call("administration", True).status_code,
            "director out": call("director", False).status_code,
        }
    assert got == {
        "privacy_officer in": 403,
        "privacy_officer out": 403,
        "administration in": 403,
        "director out": 404,
    }
    assert state() == before
    assert callbacks == [], "a refused run was queued"
