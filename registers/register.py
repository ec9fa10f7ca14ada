"""The register of processing activities (AVG art. 30), generated from what the portal holds:
the purposes (learning, guidance, organisation, each consent purpose, each supplier product in
use), the categories of data and of people, the recipients, transfers outside the EEA (from the
privacybijsluiters), the retention periods (from the retention rules) and the security
measures (a maintained text). Nothing in it that the portal does not hold."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consent.models import ConsentPurpose
from retention.constants import Category
from retention.services import rules_for_schools
from students.attributes import CATALOGUE, DataCategory
from suppliers.constants import RecipientKind
from suppliers.models import Agreement, Product, Recipient

from .models import SecurityMeasures

PUPILS_AND_GUARDIANS = ("pupils", "guardians")


def _people() -> dict[str, str]:
    return {"pupils": _("Pupils"), "guardians": _("Guardians"), "staff": _("Staff")}


def _categories(codes) -> list[str]:
    return [str(DataCategory(code).label) for code in codes]


def _attribute_categories(attributes) -> list[str]:
    seen = []
    for code in attributes:
        if code in CATALOGUE and CATALOGUE[code].category not in seen:
            seen.append(CATALOGUE[code].category)
    return _categories(seen)


def _retention(rules, *categories) -> list[str]:
    labels = dict(Category.choices)
    return [
        _("%(school)s: %(data)s, %(months)s months, then %(action)s")
        % {
            "school": rule.school.name,
            "data": labels[rule.category],
            "months": rule.period_months,
            "action": rule.get_action_display().lower(),
        }
        for rule in rules
        if rule.category in categories
    ]


def processing_register(*, schools) -> dict:
    schools = list(schools)
    board_ids = sorted({s.board_id for s in schools})
    people = _people()
    per_school = rules_for_schools(schools=schools)
    rules = [rule for school in schools for rule in per_school[school.pk]]
    products = list(
        Product.objects.filter(supplier__board_id__in=board_ids, agreements__isnull=False)
        .select_related("supplier")
        .prefetch_related(
            "attributes",
            Prefetch("agreements", queryset=Agreement.objects.order_by("-valid_from", "-id")),
        )
        .distinct()
        .order_by("supplier__name", "name")
    )
    products = [p for p in products if any(a.permits_disclosure for a in p.agreements.all())]
    recipients = list(Recipient.objects.filter(board_id__in=board_ids).order_by("kind", "name"))
    legal = [r for r in recipients if r.kind != RecipientKind.CONSENT]
    activities = [
        {
            "purpose": _("Learning: teaching and keeping track of progress"),
            "basis": _("Legal task of the school (Wet op het primair onderwijs)"),
            "categories": _categories(
                [DataCategory.IDENTITY, DataCategory.ORGANISATION, DataCategory.PROGRESS]
            ),
            "people": [people[p] for p in PUPILS_AND_GUARDIANS],
            "recipients": [f"{p.supplier.name} / {p.name}" for p in products],
            "outside_eea": [],
            "retention": _retention(rules, Category.PUPIL_FILE, Category.PUPIL_FILE_SPECIAL),
        },
        {
            "purpose": _("Guidance: support and care, including health and welfare data"),
            "basis": _("Legal task of the school; special-category data under UAVG art. 30"),
            "categories": _categories([DataCategory.HEALTH, DataCategory.PROGRESS]),
            "people": [people["pupils"]],
            "recipients": [_("Nobody outside the school except the guardians (right of access)")],
            "outside_eea": [],
            "retention": _retention(rules, Category.PUPIL_FILE, Category.PUPIL_FILE_SPECIAL),
        },
        {
            # A public school has no legal task that needs a pupil's religion: it rests on the
            # parents' explicit consent alone (students.models.ReligionConsent).
            "purpose": _(
                "Religion or belief, only when the parents state it: taking it into account "
                "(religious holidays, food, lessons in religion or humanism)"
            ),
            "basis": _(
                "Explicit consent of a parent with parental authority (AVG art. 9(2)(a)), "
                "which can be withdrawn at any time; withdrawing deletes the entry at once"
            ),
            "categories": _categories([DataCategory.RELIGION]),
            "people": [people["pupils"]],
            "recipients": [_("Nobody outside the school except the guardians (right of access)")],
            "outside_eea": [],
            "retention": [
                _("Deleted at once when the consent is withdrawn"),
                _(
                    "Given in an application for a place: deleted with the application, or "
                    "with the pupil file once the child is enrolled"
                ),
                *_retention(rules, Category.PUPIL_FILE, Category.PUPIL_FILE_SPECIAL),
            ],
        },
        {
            "purpose": _("Organisation: enrolment, groups, contact, funding, legal reports"),
            "basis": _("Legal task and legal obligations of the school"),
            "categories": _categories(
                [
                    DataCategory.IDENTITY,
                    DataCategory.CONTACT,
                    DataCategory.ADMINISTRATION,
                    DataCategory.GUARDIANS,
                    DataCategory.ORGANISATION,
                ]
            ),
            "people": [people[p] for p in PUPILS_AND_GUARDIANS],
            "recipients": [
                r.name
                if str(r.get_kind_display()).startswith(r.name)
                else f"{r.name} ({r.get_kind_display()})"
                for r in legal
            ],
            "outside_eea": [],
            "retention": _retention(rules, Category.ENROLMENT),
        },
        {
            "purpose": _(
                "Admissions: deciding on an application for a place within the duty of care"
            ),
            "basis": _(
                "Legal task of the school (Wet op het primair onderwijs) and its duty of care "
                "(Wet passend onderwijs): support needs only when the parents give them, sealed "
                "(religion given in an application: see the parents' explicit consent)"
            ),
            "categories": _categories(
                [
                    DataCategory.IDENTITY,
                    DataCategory.CONTACT,
                    DataCategory.GUARDIANS,
                    DataCategory.HEALTH,
                ]
            ),
            "people": [people[p] for p in PUPILS_AND_GUARDIANS],
            "recipients": [_("Nobody outside the school; the parents read their own letters")],
            "outside_eea": [],
            "retention": [
                _("Unconfirmed applications: deleted when the confirmation link expires"),
                *_retention(rules, Category.APPLICATIONS),
            ],
        },
    ]
    purposes = (
        ConsentPurpose.objects.filter(school__in=[s.pk for s in schools], is_active=True)
        .select_related("current_version")
        .order_by("school_id", "position", "id")
    )
    by_school: dict[int, list[ConsentPurpose]] = {}
    for purpose in purposes:
        by_school.setdefault(purpose.school_id, []).append(purpose)
    for school in schools:
        for purpose in by_school.get(school.pk, []):
            receiving = [
                r
                for r in recipients
                if r.kind == RecipientKind.CONSENT and r.consent_purpose_code == purpose.code
            ]
            activities.append(
                {
                    "purpose": _("With consent: %(purpose)s (%(school)s)")
                    % {"purpose": purpose.title, "school": school.name},
                    "basis": _("Consent of the guardians, which can be withdrawn at any time"),
                    "categories": _attribute_categories(
                        [a for r in receiving for a in r.attributes]
                    )
                    or [_("Photos and video")],
                    "people": [people["pupils"]],
                    "recipients": [r.name for r in receiving]
                    or ([purpose.organisation] if purpose.organisation else []),
                    "outside_eea": [],
                    "retention": _retention(rules, Category.CONSENT_EVIDENCE),
                }
            )
    for product in products:
        agreement = next(a for a in product.agreements.all() if a.permits_disclosure)
        activities.append(
            {
                "purpose": _("Learning materials: %(supplier)s / %(product)s")
                % {"supplier": product.supplier.name, "product": product.name},
                "basis": _("Processing agreement (%(model)s), valid until %(until)s")
                % {
                    "model": agreement.get_model_display(),
                    "until": date_format(agreement.valid_until, "DATE_FORMAT")
                    if agreement.valid_until
                    else "-",
                },
                "description": product.purposes,
                "categories": _attribute_categories(
                    [a.attribute for a in product.attributes.all()]
                ),
                "people": [people["pupils"]],
                "recipients": [product.supplier.name]
                + ([product.sub_processors] if product.sub_processors else []),
                "outside_eea": [product.storage_location] if product.outside_eea else [],
                "retention": [product.retention],
            }
        )
    activities.append(
        {
            "purpose": _("Security: recording who looked at which data"),
            "basis": _("Legal obligation to secure the data (AVG art. 32)"),
            "categories": [_("Account, role and access events")],
            "people": [people["staff"], people["guardians"]],
            "recipients": [_("The board's privacy officer")],
            "outside_eea": [],
            "retention": _retention(rules, Category.AUDIT_EVENTS),
        }
    )
    measures = SecurityMeasures.objects.filter(board_id__in=board_ids).first()
    return {
        "generated_at": timezone.now().isoformat(),
        "controller": sorted({s.board.name for s in schools}),
        "schools": [{"id": s.pk, "name": s.name, "brin": s.brin} for s in schools],
        "activities": activities,
        "retention_rules": [
            {
                "school": rule.school.name,
                "category": rule.category,
                "label": str(rule.get_category_display()),
                "period_months": rule.period_months,
                "action": rule.action,
                "enabled": rule.enabled,
            }
            for rule in rules
        ],
        "security_measures": measures.text if measures else "",
    }
