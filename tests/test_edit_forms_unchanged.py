"""An edit form saved unchanged changes nothing, in Dutch and in English.

Every view that edits an existing object with a form says so (``edits_object = True``, see
``kernel.editing``) and has an entry in ``EDIT_FORMS``: who may use it and how to find its
object in the test world. Every other view that accepts a POST is listed in
``NOT_EDIT_FORMS`` with the reason it is no edit form. A new view that is in neither fails
``test_every_view_that_accepts_a_post_is_classified``, a marked view without an entry
``test_every_edit_view_is_registered``.

For each entry the test opens the page with the form as a person with that role, reads the
form from the HTML the way a browser does (a value a date, time or number input cannot read
is sent empty, line breaks are sent as CR LF), sends it back unchanged and checks that the
object's values (sealed fields decrypted), its related rows, the row count of every table of
the project and the audit trail's change events are all as before, and that the person is
told that nothing was changed.

Next to it, a guard: every form of the project renders dates, times and numbers with the
project's ISO inputs (``kernel.widgets``), so a new form cannot bring the defect back.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db.models import FileField
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from rest_framework.views import APIView

from audit.constants import Action
from audit.models import AccessEvent
from kernel.editing import NOTHING_CHANGED
from kernel.widgets import ISO_WIDGETS, TYPED_WIDGETS, IsoDateInput, iso_formfield

PROJECT_APPS = (
    "accounts",
    "admissions",
    "students",
    "audit",
    "audit_trail",
    "consent",
    "suppliers",
    "privacy_requests",
    "retention",
    "registers",
)
CHANGE_ACTIONS = (Action.CREATE, Action.UPDATE, Action.DELETE)
LANGUAGES = ("nl", "en")


# --- reading a form the way a browser does ----------------------------------------------------

_DATE = r"\d{4,}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"
_SANITISED = {
    # The value sanitisation algorithm of the HTML standard: anything else becomes "".
    "date": re.compile(rf"^{_DATE}$"),
    "time": re.compile(rf"^{_TIME}$"),
    "datetime-local": re.compile(rf"^{_DATE}[T ]{_TIME}$"),
    "number": re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$"),
    "month": re.compile(r"^\d{4,}-\d{2}$"),
}
_NOT_SENT = {"submit", "button", "image", "reset", "file"}


def _sanitise(kind: str, value: str) -> str:
    pattern = _SANITISED.get(kind)
    if pattern is None:
        return value
    if not pattern.match(value):
        return ""
    if kind == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return ""
    if kind == "datetime-local":
        value = value.replace(" ", "T")
    return value


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: list[tuple[str, str]]


class _FormReader(HTMLParser):
    """The forms of a page with the name/value pairs a browser would submit unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = HtmlForm(attrs.get("action") or "", (attrs.get("method") or "get"), [])
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in _NOT_SENT:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.fields.append((name, attrs.get("value") or "on"))
                return
            self._form.fields.append((name, _sanitise(kind, attrs.get("value") or "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "text": "",
            }
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            # The parser drops one line break right after <textarea>.
            text = text[1:] if text.startswith("\n") else text
            self._form.fields.append((self._textarea["name"], text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            for option in options:
                if option["value"] is None:
                    option["value"] = " ".join(option["text"].split())
            chosen = [o for o in options if o["selected"]]
            if not self._select["multiple"] and not chosen and options:
                chosen = options[:1]  # a drop-down always sends its first option
            if not self._select["multiple"]:
                chosen = chosen[-1:]
            self._form.fields.extend((self._select["name"], o["value"]) for o in chosen)
            self._select = None


def form_posting_to(html: str, action: str, page: str) -> HtmlForm:
    reader = _FormReader()
    reader.feed(html)
    # A second form to the same address that names another step (the religion page's
    # withdrawal: action=withdraw) is not the edit form.
    found = [
        form
        for form in reader.forms
        if form.method.lower() == "post"
        and urlsplit(form.action or page).path == action
        and not any(name == "action" and value != "save" for name, value in form.fields)
    ]
    assert len(found) == 1, f"expected one form posting to {action} on {page}, found {len(found)}"
    return found[0]


def as_submitted(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form data as a browser sends it: every line break as CR LF."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
        data.setdefault(name, []).append(value)
    return data


# --- the edit views of the URL configuration -------------------------------------------------


def _class_routes(patterns=None, namespace=None):
    """(route name, view class) for every class-based route of the URL configuration."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _class_routes(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None and not issubclass(view_class, APIView):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, view_class


def _edits_object(view_class) -> bool:
    from django.views.generic.edit import BaseUpdateView

    return issubclass(view_class, BaseUpdateView) or getattr(view_class, "edits_object", False)


def _accepts_post(view_class) -> bool:
    return any(hasattr(view_class, method) for method in ("post", "put", "patch"))


@dataclass
class Target:
    page: str  # the page that shows the form
    action: str  # where the form posts to
    state: Callable[[], dict]  # the edited object's values and related rows, read afresh


@dataclass(frozen=True)
class Case:
    role: str
    target: Callable  # (world, client) -> Target
    fixture: str = "world"
    label: str = ""


def _values(obj) -> dict:
    """Every stored value of a row, read afresh (sealed fields come back decrypted)."""
    fresh = type(obj).objects.get(pk=obj.pk)
    values = {}
    for field in fresh._meta.concrete_fields:
        value = getattr(fresh, field.attname)
        values[field.attname] = str(value) if isinstance(field, FileField) else value
    return values


def _rows(queryset, *fields) -> list:
    return sorted(queryset.values_list("pk", *fields))


def _agreement(world, client) -> Target:
    agreement = world.suppliers["agreement"]
    url = reverse("agreement-edit", args=[agreement.supplier_id, agreement.pk])
    return Target(
        url,
        url,
        lambda: {
            **_values(agreement),
            "products": _rows(agreement.products.all()),
            "attributes": _rows(agreement.attributes.all(), "attribute"),
        },
    )


def _product(world, client) -> Target:
    product = world.suppliers["product"]
    product.never_used_for = "Reclame\r\nProfilering"  # two lines, as a browser sends them
    product.save(update_fields=["never_used_for"])
    url = reverse("product-edit", args=[product.supplier_id, product.pk])
    return Target(
        url,
        url,
        lambda: {
            **_values(product),
            "groups": _rows(product.groups.all()),
            "attributes": _rows(product.attributes.all(), "attribute", "reason"),
        },
    )


def _care_record(world, client) -> Target:
    record = world.care["teachers"]
    url = reverse("care-record-edit", args=[record.student_id, record.pk])
    return Target(url, url, lambda: _values(record))


def _religion(name, *, consented: bool = False):
    """The religion form; ``consented``: as it stands now, on a parent's consent (saved again
    unchanged, it must not record that consent a second time)."""

    def target(world, client) -> Target:
        from students.constants import ReligionConsentChannel
        from students.models import ReligionRecord
        from students.services.records import religion_consent_give

        if consented:
            religion_consent_give(
                user=world.users["guardian"],
                student=world.pupil3,
                guardian_id=world.users["guardian"].guardian.pk,
                channel=ReligionConsentChannel.PORTAL,
            )
        record = ReligionRecord.objects.get(student=world.pupil3)
        url = reverse(name, args=[world.pupil3.pk])
        return Target(url, url, lambda: _values(record))

    return target


def _purpose(world, client) -> Target:
    purpose = world.school.purposes.get(code="website")
    url = reverse("consent-purpose-edit", args=[purpose.pk])
    return Target(
        url,
        url,
        lambda: {
            **_values(purpose),
            "versions": _rows(purpose.versions.all(), "title_nl", "text_nl", "text_en"),
        },
    )


def _rule(category):
    def target(world, client) -> Target:
        from retention.models import RetentionRule
        from retention.services import rules_seed

        rules_seed(school=world.school)
        rule = RetentionRule.objects.get(school=world.school, category=category)
        return Target(
            f"{reverse('retention')}?school={world.school.pk}",
            reverse("retention-rule", args=[rule.pk]),
            lambda: {**_values(rule), "changes": _rows(rule.changes.all())},
        )

    return target


def _log_policy(world, client) -> Target:
    from retention.models import BoardLogPolicy, RetentionRule

    board = world.school.board
    url = reverse("retention-log-policy", args=[board.pk])
    return Target(
        url,
        url,
        lambda: {
            "policy": _rows(BoardLogPolicy.objects.filter(board=board), "access_event_months"),
            "rules": _rows(RetentionRule.objects.filter(school__board=board), "period_months"),
        },
    )


def _breach(action):
    def target(world, client) -> Target:
        from registers.services import breach_decide, breach_record, breach_update

        director = world.users["director"]
        now = timezone.now()
        breach = breach_record(
            user=director,
            board_id=world.school.board_id,
            school=world.school,
            occurred_at=now - datetime.timedelta(days=3),
            aware_at=now - datetime.timedelta(days=2),
            description="Klassenlijst naar de verkeerde ouder gemaild",
            categories=["identity"],
        )
        breach_decide(
            user=director, breach=breach, risk="risk", notify_authority=True, reason="Adressen"
        )
        breach_update(
            user=director,
            breach=breach,
            authority_notified_on=timezone.localdate() - datetime.timedelta(days=1),
            authority_reference="AP-2026-17",
            people_informed=True,
            informed_how="Brief aan de ouders",
            measures="Adreslijsten alleen nog via het portaal",
        )
        return Target(
            reverse("breach-detail", args=[breach.pk]),
            reverse("breach-action", args=[breach.pk, action]),
            lambda: {**_values(breach), "steps": _rows(breach.steps.all())},
        )

    return target


def _measures(world, client) -> Target:
    from registers.models import SecurityMeasures

    measures = SecurityMeasures.objects.create(
        board=world.school.board, text="Versleutelde laptops en MFA voor al het personeel"
    )
    return Target(
        reverse("processing-register"), reverse("security-measures"), lambda: _values(measures)
    )


def _rollover_plan(world, client) -> Target:
    from students.models import RolloverPlan

    from .students.factories import GroupFactory

    for year in (4, 6):
        GroupFactory.create(school=world.school, name=f"Groep {year}", year_group_low=year)
    page = f"{reverse('rollover')}?school={world.school.pk}"
    action = reverse("rollover-plan", args=[world.school.pk])
    # The director saves a plan first (keeping pupil5 back); that saved plan is then edited.
    form = form_posting_to(client.get(page).content.decode(), action, page)
    data = as_submitted(form.fields)
    data["keep_back"] = [str(world.pupil5.pk)]
    assert client.post(action, data).status_code == 302
    plan = RolloverPlan.objects.get(school=world.school)
    return Target(page, action, lambda: _values(plan))


def _okr(name: str, action: str | None = None):
    """The education report of pupil3, who left: prepared (the summary with line breaks, one
    result, the teachers' care record marked by the director), or sent (with the parents'
    view given) for the guardians' form."""

    def target(world, client) -> Target:
        from tests.admissions.okr_setup import matrix_reports

        sent = name == "okr-parent"
        departure = matrix_reports(world, sent=sent)["pupil3"]
        report = departure.report
        report.summary = "Leest vlot.\nRekent met de kaart."
        report.save(update_fields=["summary"])
        if sent:
            departure.parents_view = "Wij zien het anders.\nHij rekent thuis goed."
            departure.save(update_fields=["parents_view"])
        page = reverse(name, args=[world.pupil3.pk])
        return Target(
            page,
            reverse(action or name, args=[world.pupil3.pk]),
            lambda: {
                **_values(report),
                "departure": _values(departure),
                "progress": _rows(report.progress_records.all()),
                "care": _rows(report.care_marks.all(), "care_record_id", "reason"),
            },
        )

    return target


def _leaving_destination(world, client) -> Target:
    """pupil3 withdrawn by the core (as the rollover does for Groep 8), the new school of the
    leaving named since (with a BRIN), its education report not yet sent."""
    from admissions.models import Departure
    from students.constants import WithdrawalDestination
    from students.services.pupils import student_withdraw

    student_withdraw(
        actor=None,
        student=world.pupil3,
        on=timezone.localdate(),
        destination=WithdrawalDestination.SECONDARY_SCHOOL,
    )
    departure = Departure.objects.get(student=world.pupil3)
    departure.destination_name = "Het Baken, Zwolle"
    departure.destination_brin = "12AB"
    departure.save(update_fields=["destination_name", "destination_brin"])
    return Target(
        reverse("leaving-detail", args=[world.pupil3.pk]),
        reverse("leaving-destination", args=[world.pupil3.pk]),
        lambda: _values(departure),
    )


def _my_contact(world, client) -> Target:
    """The parent's own phone and contact e-mail (issue 24, part 2)."""
    from students.models import ChangeRecord

    guardian = world.users["guardian"].guardian
    url = reverse("my-contact")
    return Target(
        url, url, lambda: {**_values(guardian), "history": _rows(ChangeRecord.objects.all())}
    )


def _emergency_contacts(world, client) -> Target:
    """pupil3's emergency contacts, two of four rows filled (issue 24, part 2)."""
    from students.models import ChangeRecord, EmergencyContact
    from students.services.emergency import EmergencyContactDetails, emergency_contacts_replace

    emergency_contacts_replace(
        actor=world.users["administration"],
        student=world.pupil3,
        contacts=[
            EmergencyContactDetails(name="Oma Jans", phone="06 12121212", relation="oma"),
            EmergencyContactDetails(name="Buurman Piet", phone="020-1234567"),
        ],
        channel=ChangeRecord.Channel.SCHOOL,
    )
    url = reverse("child-emergency-contacts", args=[world.pupil3.pk])
    return Target(
        url,
        url,
        lambda: {
            "contacts": _rows(
                EmergencyContact.objects.filter(student=world.pupil3),
                "name",
                "relation",
                "phone",
                "position",
            ),
            "history": _rows(ChangeRecord.objects.all()),
        },
    )


def _privacy_statement(world, client) -> Target:
    """Version 1 of the school's privacy statement: headings, paragraphs, both languages, the
    media guidance and a date in the past."""
    from students.models import PrivacyStatement
    from students.services.statements import statement_publish

    statement_publish(
        user=world.users["director"],
        school=world.school,
        text_nl="## Wie wij zijn\n\nWij bewaren alleen wat nodig is.\nOok op papier.",
        text_en="## Who we are\n\nWe keep only what we need.",
        media_guidance_nl="## Eerst denken dan delen\n\nPlaats geen foto's van anderen.",
        published_on=datetime.date(2026, 8, 1),
    )
    return Target(
        reverse("privacy-statement-edit", args=[world.school.pk]),
        reverse("privacy-statement-edit", args=[world.school.pk]),
        lambda: {"versions": [_values(v) for v in PrivacyStatement.objects.order_by("pk")]},
    )


# -- The school's edits, with history (issue 24, part 1) ---------------------------------------


def _student_edit(*, born_abroad: bool = False):
    def target(world, client) -> Target:
        pupil = world.pupil3
        if born_abroad:
            pupil.born_abroad = True
            pupil.arrived_in_netherlands_on = datetime.date(2022, 3, 14)
            pupil.previous_school = "Kinderopvang 't Vlindertje"
            pupil.save(
                update_fields=["born_abroad", "arrived_in_netherlands_on", "previous_school"]
            )
        url = reverse("student-edit", args=[pupil.pk])
        return Target(url, url, lambda: {**_values(pupil), "changes": _rows(pupil.changes.all())})

    return target


def _guardian_edit(*, confidential: bool = False):
    def target(world, client) -> Target:
        guardian = world.users["guardian"].guardian
        if confidential:
            guardian.contact_confidential = True
            guardian.save(update_fields=["contact_confidential"])
        url = reverse("guardian-edit", args=[world.pupil3.pk, guardian.pk])
        return Target(url, url, lambda: _values(guardian))

    return target


def _school_emergency_contacts(world, client) -> Target:
    from students.services.emergency import EmergencyContactDetails, emergency_contacts_replace

    pupil = world.pupil3
    emergency_contacts_replace(
        actor=world.users["administration"],
        student=pupil,
        contacts=[
            EmergencyContactDetails(name="Oma Joke", phone="06-12121212", relation="oma"),
            EmergencyContactDetails(name="Buurman Piet", phone="020 1234567"),
        ],
        channel="school",
    )
    url = reverse("student-emergency-contacts", args=[pupil.pk])
    return Target(
        url,
        url,
        lambda: {"contacts": _rows(pupil.emergency_contacts.all(), "name", "relation", "phone")},
    )


EDIT_FORMS: dict[str, tuple[Case, ...]] = {
    "okr-edit": (
        Case("administration", _okr("okr-edit")),
        Case("director", _okr("okr-edit")),
    ),
    "okr-care": (Case("director", _okr("okr-edit", "okr-care")),),
    "okr-parent": (Case("guardian", _okr("okr-parent")),),
    "agreement-edit": (Case("director", _agreement),),
    "product-edit": (Case("director", _product),),
    "care-record-edit": (
        Case("care_coordinator", _care_record),
        Case("director", _care_record),
    ),
    "student-religion": (
        Case("administration", _religion("student-religion")),
        Case("administration", _religion("student-religion", consented=True), label="consented"),
    ),
    "child-religion": (
        Case("guardian", _religion("child-religion")),
        Case("guardian", _religion("child-religion", consented=True), label="consented"),
    ),
    "consent-purpose-edit": (Case("director", _purpose),),
    "retention-rule": (
        Case("director", _rule("pupil_file"), label="pupil file"),
        Case("director", _rule("audit_events"), label="access events (the board's period)"),
    ),
    "retention-log-policy": (Case("privacy_officer", _log_policy),),
    "breach-action": (
        Case("director", _breach("decide"), label="decide"),
        Case("director", _breach("follow-up"), label="follow-up"),
        Case("privacy_officer", _breach("follow-up"), label="follow-up"),
    ),
    "security-measures": (Case("privacy_officer", _measures),),
    "rollover-plan": (Case("director", _rollover_plan),),
    "leaving-destination": (
        Case("administration", _leaving_destination),
        Case("director", _leaving_destination),
    ),
    "my-contact": (Case("guardian", _my_contact),),
    "child-emergency-contacts": (
        Case("guardian", _emergency_contacts),
        Case("guardian_limited", _emergency_contacts),
    ),
    "privacy-statement-edit": (Case("director", _privacy_statement),),
    "student-edit": (
        Case("administration", _student_edit()),
        Case("director", _student_edit(born_abroad=True), label="born abroad"),
    ),
    "guardian-edit": (
        Case("administration", _guardian_edit()),
        Case("director", _guardian_edit(confidential=True), label="confidential"),
    ),
    "student-emergency-contacts": (Case("administration", _school_emergency_contacts),),
}

_CREATES = "creates a new object"
_STEP = "one step of a workflow or a one-click action: sending it is the change"
_SESSION = "signs in or out, or sets up the person's own second factor or password"
NOT_EDIT_FORMS: dict[str, str] = {
    "accounts:login": _SESSION,
    "accounts:logout": _SESSION,
    "accounts:mfa-setup": _SESSION,
    "accounts:mfa-verify": _SESSION,
    "accounts:mfa-backup-codes": _SESSION + " (new backup codes)",
    "accounts:password_reset": _SESSION,
    "accounts:password_reset_confirm": _SESSION,
    "accounts:invitation": _SESSION + " (accepts an invitation)",
    "accounts:api-token-revoke": _STEP,
    "accounts:invitation-create": _CREATES,
    "student-enrol": _CREATES + " (a new pupil and their guardians)",
    "accounts:invitation-revoke": _STEP,
    "accounts:staff-deactivate": _STEP,
    "accounts:substitute-create": _CREATES,
    "accounts:staff-invitation-create": _CREATES + " (an invitation of a colleague)",
    "accounts:staff-invitation-resend": _STEP + " (a new link for the invitation)",
    "accounts:staff-invitation-revoke": _STEP,
    "accounts:staff-invitation": _SESSION + " (accepts a colleague's invitation)",
    "accounts:teacher-proposal-confirm": _STEP,
    "accounts:teacher-proposal-dismiss": _STEP,
    "student-progress": _CREATES + " (a result)",
    "care-record-create": _CREATES,
    "care-record-withhold": _STEP,
    "guardian-authority": _STEP
    + " (records the opposite of the current value, with the court decision, once confirmed)",
    "student-consent": _CREATES + " (a paper decision: consent evidence is append-only)",
    "child-consent": _CREATES + " (a decision: consent evidence is append-only)",
    "consent-campaigns": _CREATES,
    "consent-publications": _CREATES,
    "consent-publication": _STEP + " (marks it published)",
    "consent-publication-remove": _STEP,
    "consent-takedown-resolve": _STEP,
    "supplier-create": _CREATES,
    "product-create": _CREATES + " (the edit view without an object)",
    "agreement-create": _CREATES + " (the edit view without an object)",
    "export-list": _CREATES + " (an export)",
    "legal-disclosure-create": _CREATES,
    "edexml-import": _STEP + " (an import)",
    "import-job-apply": _STEP + " (an import)",
    "import-job-retry": _STEP + " (an import)",
    "care-withholding-decide": _STEP,
    "request-create": _CREATES,
    "request-register": _CREATES,
    "limit-lift": _STEP,
    "request-action": _STEP + " (each form of a privacy request is a step of its handling)",
    "retention-run": _STEP,
    "retention-set-up": _STEP + " (saves the default rules, idempotent; a button, no form)",
    "retention-hold": _CREATES,
    "retention-hold-lift": _STEP,
    "breach-list": _CREATES,
    "rollover-apply": _STEP,
    "rollover-schedule": _STEP,
    "application-form": _CREATES + " (a parent's application for a place, no account)",
    "application-confirm": _STEP + " (confirms the applicant's e-mail address)",
    "application-follow-request": _STEP + " (e-mails a fresh link to follow an application)",
    "okr-send": _STEP + " (sends the education report, once)",
    "application-extend": _STEP + " (extends the decision period once, with a reason)",
    "application-refuse": _STEP + " (the decision to refuse, with its letter)",
    "application-withdraw": _STEP + " (records that the parents withdrew the application)",
    "application-enrol": _CREATES + " (the pupil, from the application)",
    "leaving-record": _STEP + " (checks the leaving and shows what will happen)",
    "leaving-confirm": _STEP + " (records the leaving: the pupil is withdrawn)",
    "leaving-notice-sent": _STEP + " (marks the attendance officer's notice sent)",
    "registration-produce": _STEP + " (produces the registration through the gate)",
    "registration-mark-sent": _STEP + " (marks the registration sent to DUO)",
    "my-address": _CREATES + " (a parent's report of a move; withdrawing it is a step)",
    "address-change-detail": _STEP + " (the decision on a reported move, once)",
}


def test_every_edit_view_is_registered():
    edit_routes = {name for name, view in _class_routes() if _edits_object(view)}
    creating = {name for name, reason in NOT_EDIT_FORMS.items() if reason.startswith(_CREATES)}
    assert edit_routes - creating == set(EDIT_FORMS), (
        "Every view that edits an object with a form needs an entry in EDIT_FORMS, and every "
        "entry a view marked edits_object = True."
    )


def test_every_view_that_accepts_a_post_is_classified():
    posting = {name for name, view in _class_routes() if _accepts_post(view)}
    unclassified = posting - set(EDIT_FORMS) - set(NOT_EDIT_FORMS)
    assert not unclassified, (
        f"{sorted(unclassified)}: does it edit an existing object with a form? Then mark the "
        "view edits_object = True and add it to EDIT_FORMS; else say why in NOT_EDIT_FORMS."
    )
    assert not set(NOT_EDIT_FORMS) - posting, "NOT_EDIT_FORMS names a route that is gone"
    marked = {name for name, view in _class_routes() if _edits_object(view)}
    assert marked >= set(EDIT_FORMS), "an EDIT_FORMS route whose view is not marked"


def _row_counts() -> dict[str, int]:
    counts = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model is not AccessEvent and model._meta.managed:
                counts[model._meta.label] = model._default_manager.count()
    counts["change events"] = AccessEvent.objects.filter(action__in=CHANGE_ACTIONS).count()
    return counts


CASES = [
    pytest.param(
        name, index, case, id=f"{name}-{case.role}{'-' + case.label if case.label else ''}"
    )
    for name, cases in EDIT_FORMS.items()
    for index, case in enumerate(cases)
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "index", "case"), CASES)
def test_nothing_changes_when_edit_form_is_saved_unchanged(
    world, request, name, index, case, language
):
    if case.fixture != "world":
        world = request.getfixturevalue(case.fixture)
    client = Client(headers={"accept-language": language})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(world.users[case.role])
    target = case.target(world, client)

    page = client.get(target.page)
    assert page.status_code == 200
    assert page.headers["Content-Language"] == language
    form = form_posting_to(page.content.decode(), target.action, target.page)
    before, counts = target.state(), _row_counts()

    response = client.post(target.action, as_submitted(form.fields))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert target.state() == before
    assert _row_counts() == counts
    with translation.override(language):
        told = str(NOTHING_CHANGED)
    assert told in [str(m) for m in get_messages(response.wsgi_request)]


# --- the inputs: ISO in every language -----------------------------------------------------


def _project_forms() -> list[type[forms.BaseForm]]:
    """Every form class defined in the project's apps (each module imported once)."""
    for label in PROJECT_APPS:
        package = importlib.import_module(label)
        for module in pkgutil.walk_packages(package.__path__, f"{label}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_APPS:
                found.append(sub)
    return found


def _fields_of(form_class) -> dict[str, forms.Field]:
    fields = dict(form_class.base_fields)
    # Fields made in __init__ as well; a form that needs arguments: its declared fields.
    with contextlib.suppress(TypeError):
        fields.update(form_class().fields)
    return fields


def test_every_date_time_and_number_input_of_the_project_is_iso():
    project_forms = _project_forms()
    assert len(project_forms) > 30  # the walk found the project's forms
    wrong = [
        f"{form_class.__module__}.{form_class.__name__}.{name}: {type(field.widget).__name__}"
        for form_class in project_forms
        for name, field in _fields_of(form_class).items()
        if (isinstance(field.widget, TYPED_WIDGETS) and not isinstance(field.widget, ISO_WIDGETS))
        or field.localize
    ]
    assert not wrong, (
        "Use the inputs of kernel.widgets (IsoDateInput, IsoTimeInput, IsoDateTimeInput, "
        "IsoNumberInput; formfield_callback=iso_formfield for a ModelForm) and no "
        f"localize=True: {wrong}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_inputs_render_iso_and_read_it_back_in_every_language(language):
    from kernel.widgets import IsoDateTimeInput, IsoNumberInput, IsoTimeInput

    class Sample(forms.Form):
        day = forms.DateField(widget=IsoDateInput)
        hour = forms.TimeField(widget=IsoTimeInput)
        moment = forms.DateTimeField(widget=IsoDateTimeInput)
        grade = forms.DecimalField(widget=IsoNumberInput, localize=True)

    values = {
        "day": datetime.date(2026, 1, 20),
        "hour": datetime.time(8, 30),
        "moment": timezone.make_aware(datetime.datetime(2026, 1, 20, 8, 30)),  # noqa: DTZ001
        "grade": Decimal("7.5"),
    }
    with translation.override(language):
        html = str(Sample(initial=values))
        reader = _FormReader()
        reader.feed(f"<form method='post'>{html}</form>")
        sent = dict(reader.forms[0].fields)
        assert sent == {
            "day": "2026-01-20",
            "hour": "08:30",
            "moment": "2026-01-20T08:30",
            "grade": "7.5",
        }
        bound = Sample(data=sent)
        assert bound.is_valid(), bound.errors
        assert bound.cleaned_data["day"] == values["day"]
        assert bound.cleaned_data["hour"] == values["hour"]
        assert bound.cleaned_data["moment"] == values["moment"]
        assert bound.cleaned_data["grade"] == values["grade"]
        assert not Sample(data=sent, initial=values).has_changed()


def test_browser_sends_empty_when_a_date_is_not_iso():
    # The reader's own check, on the markup Django's localised DateInput wrote in Dutch.
    with translation.override("nl"):
        html = forms.DateInput(attrs={"type": "date"}).render("day", datetime.date(2026, 1, 20))
    assert 'value="20-01-2026"' in html
    reader = _FormReader()
    reader.feed(f"<form method='post'>{html}</form>")
    assert reader.forms[0].fields == [("day", "")]


def test_model_form_gets_iso_inputs_from_the_callback():
    from students.models import CareRecord

    class CareModelForm(forms.ModelForm):
        class Meta:
            model = CareRecord
            fields = ["review_date", "kind"]
            formfield_callback = iso_formfield

    form = CareModelForm()
    assert isinstance(form.fields["review_date"].widget, IsoDateInput)
    with translation.override("nl"):
        html = str(CareModelForm(initial={"review_date": datetime.date(2027, 6, 30)}))
    assert 'type="date"' in html
    assert 'value="2027-06-30"' in html


def test_plan_saved_again_with_the_same_choices_writes_nothing(world):
    # The rollover plan's form is hand-written HTML: the service itself compares.
    from students.models import RolloverPlan
    from students.rollover.services import plan_save

    from .students.factories import GroupFactory

    for year in (4, 6):
        GroupFactory.create(school=world.school, name=f"Groep {year}", year_group_low=year)
    choices = {"kept_back": [world.pupil5.pk], "destinations": {}, "teachers": {"Groep 4": []}}
    director = world.users["director"]
    plan = plan_save(user=director, school=world.school, **choices)
    stored, changes = _values(plan), AccessEvent.objects.filter(action=Action.UPDATE).count()

    plan_save(user=world.users["administration"], school=world.school, **choices)

    assert _values(RolloverPlan.objects.get(pk=plan.pk)) == stored
    assert AccessEvent.objects.filter(action=Action.UPDATE).count() == changes


def test_period_sent_for_the_access_event_rule_is_refused_and_recorded_when_else_unchanged(
    world, client
):
    # Not "nothing changed": a period for the board's rule is an attempt the service records.
    from audit.constants import Outcome

    target = _rule("audit_events")(world, client)
    client.force_login(world.users["director"])
    form = form_posting_to(client.get(target.page).content.decode(), target.action, target.page)
    data = as_submitted(form.fields)
    prefix = next(name for name in data if name.endswith("-action")).removesuffix("action")
    data[f"{prefix}period_months"] = ["12"]
    before = target.state()

    response = client.post(target.action, data)

    assert response.status_code == 400
    assert target.state() == before
    assert AccessEvent.objects.filter(
        action=Action.UPDATE, outcome=Outcome.DENIED, object_type="retention_rule"
    ).exists()
