"""The access package (AVG art. 15): what the school holds about one child, and what the law
says must come with it. Built by a background job through the disclosure gate under the data
subject's own access basis; records withheld from guardians never enter it.

``package_data`` returns a plain dict (the JSON file); ``package_sections`` names its parts
with their counts, which is all that staff who started the job see.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from consent.models import ConsentDecision, ConsentPurpose
from kernel.dates import school_year_label
from kernel.labels import label, labels
from students.attributes import CATALOGUE, DataCategory
from students.models import (
    Placement,
    ProcessingLimit,
    ProgressRecord,
    ReligionConsent,
    Student,
)
from students.selectors import access_log_entries
from students.selectors.history import changes_for_guardian
from students.selectors.self_service import pupil_address_confidential
from suppliers.gate import Plan, access_care_records, access_plan, access_religion, disclose
from suppliers.models import Agreement, DisclosedPupil, Product, Recipient

from .models import PrivacyRequest

# The keys of the package JSON (a fixed interface), in document order.
SECTION_KEYS = (
    "student",
    "guardians",
    "groups",
    "progress",
    "care_records",
    "religion",
    "consents",
    "disclosures",
    "access_log",
    "changes",
    "purposes",
    "categories",
    "recipients",
    "retention",
    "rights",
    "complaint",
    "sources",
)


def section_titles() -> dict[str, str]:
    return {
        "student": _("Your child"),
        "guardians": _("Guardians"),
        "groups": _("Groups and school years"),
        "progress": _("Progress and grades"),
        "care_records": _("Care records"),
        "religion": _("Religion or belief"),
        "consents": _("Consent decisions"),
        "disclosures": _("Data sent outside the school"),
        "access_log": _("Who looked at the data"),
        "changes": _("Changes to the data"),
        "purposes": _("Why the school processes this data"),
        "categories": _("Categories of data"),
        "recipients": _("Recipients"),
        "retention": _("How long data is kept"),
        "rights": _("Your rights"),
        "complaint": _("Complaints"),
        "sources": _("Where the data comes from"),
    }


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _student(student: Student, row: dict[str, str], limits: list[ProcessingLimit]) -> dict:
    return {
        "id": student.pk,
        "first_names": student.first_names,
        "given_name": student.given_name,
        "surname_prefix": student.surname_prefix,
        "surname": student.surname,
        "date_of_birth": row.get("date_of_birth") or None,
        "sex": student.get_sex_display(),
        # Not when it is a guardian's confidential address (the child moved with them): the
        # package may reach the other guardian, as _guardians says.
        "address": None
        if pupil_address_confidential(student)
        else {
            "street": student.street,
            "house_number": student.house_number,
            "postal_code": student.postal_code,
            "city": student.city,
        },
        "bsn": row.get("bsn", ""),
        "school": {"name": student.school.name, "brin": student.school.brin},
        "group": student.group.name if student.group else None,
        "year_group": student.year_group,
        "enrolled_on": _date(student.enrolled_on),
        "previous_school": student.previous_school or None,
        "born_abroad": student.born_abroad,
        "arrived_in_netherlands_on": _date(student.arrived_in_netherlands_on),
        "withdrawn_on": _date(student.withdrawn_on),
        "withdrawal_destination": student.get_withdrawal_destination_display() or None,
        "teachers": row.get("teacher_name", ""),
        "processing_limits": [
            {
                "kind": limit.get_kind_display(),
                "since": _date(limit.started_at),
                "categories": [str(DataCategory(c).label) for c in limit.categories],
                "purposes": labels("purpose", limit.purpose_codes),
            }
            for limit in limits
        ],
    }


def _guardians(student: Student) -> list[dict]:
    result = []
    for link in student.guardian_links.select_related("guardian").order_by("guardian_id"):
        guardian = link.guardian
        item = {
            "name": guardian.display_name,
            "parental_authority": link.has_authority,
            "contact_confidential": guardian.contact_confidential,
        }
        # Confidential contact data never reaches the other guardian, so not this document.
        if not guardian.contact_confidential:
            item.update(email=guardian.email, phone=guardian.phone, address=guardian.address)
        result.append(item)
    return result


def _groups(student: Student) -> list[dict]:
    return [
        {
            "group": placement.group.name,
            "school_year": placement.group.school_year_label,
            "from": _date(placement.started_on),
            "until": _date(placement.ended_on),
        }
        for placement in Placement.objects.filter(student=student)
        .select_related("group")
        .order_by("started_on", "id")
    ]


def _progress(student: Student) -> list[dict]:
    return [
        {
            "subject": record.get_subject_display(),
            "period": record.period,
            "result": record.result,
            "note": record.note,
            "group": record.group.name if record.group else None,
            "recorded_at": _date(record.recorded_at),
        }
        for record in ProgressRecord.objects.filter(student=student)
        .select_related("group")
        .order_by("recorded_at", "id")
    ]


def _care(plan: Plan, student: Student) -> list[dict]:
    return [
        {
            "kind": record.get_kind_display(),
            "content": record.content,
            "source": record.get_source_display(),
            "review_date": _date(record.review_date),
            "recorded_at": _date(record.created_at),
            "changed_at": _date(record.updated_at),
        }
        for record in access_care_records(plan, student)
    ]


def _religion(plan: Plan, student: Student) -> dict | None:
    record = access_religion(plan, student)
    if record is None:
        return None
    return {
        "status": record.get_status_display(),
        "religion": record.religion,
        "recorded_at": _date(record.recorded_at),
    }


def _consents(student: Student) -> list[dict]:
    """Every consent decision about the child, in time order: the consent purposes' and the
    parents' consents to record the child's religion (given, withdrawn or ended)."""
    rows = [
        {
            "purpose": decision.purpose.code,
            "title": decision.version.title,
            "text_version": decision.version.number,
            "text": decision.version.text,
            "decision": decision.get_decision_display(),
            "guardian": decision.guardian.display_name,
            "channel": decision.get_channel_display(),
            "school_year": school_year_label(decision.school_year),
            "recorded_at": decision.recorded_at.isoformat(),
        }
        for decision in ConsentDecision.objects.filter(student=student)
        .select_related("purpose", "version", "guardian")
        .order_by("recorded_at", "id")
    ]
    rows += [
        {
            "purpose": "religion",
            "title": _("Consent to record your child's religion or belief"),
            "text_version": None,
            "text": "",
            "decision": row.get_decision_display(),
            "guardian": row.guardian.display_name,
            "channel": row.get_channel_display(),
            "school_year": None,
            "recorded_at": row.recorded_at.isoformat(),
        }
        for row in ReligionConsent.objects.filter(student=student)
        .select_related("guardian")
        .order_by("recorded_at", "id")
    ]
    return sorted(rows, key=lambda row: row["recorded_at"])


def _disclosures(student: Student) -> list[dict]:
    """What left the school about the child; a disclosure withheld from the guardians (a
    Meldcode report, a prosecutor's demand) never enters the package."""
    return [
        {
            "recipient": link.disclosure.recipient_label,
            "basis": link.disclosure.get_basis_display(),
            "ground": link.disclosure.ground_label or None,
            "data": link.disclosure.attribute_labels,
            "date": _date(link.disclosure.created_at),
        }
        for link in DisclosedPupil.objects.filter(
            student=student, disclosure__withheld_from_guardians=False
        )
        .select_related("disclosure")
        .order_by("disclosure__created_at", "id")
    ]


def _access_log(student: Student) -> list[dict]:
    return [
        {
            "date": _date(entry.created_at),
            "role": ", ".join(labels("role", entry.role)),
            "data": label("data_kind", entry.data_kind),
            "special_category": entry.special_category,
        }
        for entry in access_log_entries(student=student, for_guardians=True)
    ]


def _changes(student: Student, request: PrivacyRequest) -> list[dict]:
    """The history of the data as the requesting guardian sees it on the child's page: never a
    change of another guardian's details, nothing about a guardian whose contact data is
    confidential (students/selectors/history.py)."""
    link = student.guardian_links.filter(guardian_id=request.guardian_id).first()
    if link is None:
        return []
    entries = changes_for_guardian(
        student,
        guardian_id=link.guardian_id,
        user_id=link.guardian.user_id,
        has_authority=link.has_authority,
    )
    return [
        {
            "date": entry.at.isoformat(),
            "what": entry.title,
            "changed": [
                _("%(field)s: %(old)s → %(new)s")
                % {"field": change.label, "old": change.old, "new": change.new}
                if change.shown
                else _("%(field)s changed") % {"field": change.label}
                for change in entry.changes
            ],
            "channel": entry.channel,
            **({"by": entry.by} if entry.by else {}),
        }
        for entry in entries
    ]


def _purposes(student: Student) -> list[dict]:
    purposes = [
        {
            "purpose": _("Learning"),
            "description": _(
                "Teaching the pupil and keeping track of progress, grades and school advice."
            ),
            "basis": _("Legal task of the school (Wet op het primair onderwijs)"),
        },
        {
            "purpose": _("Guidance"),
            "description": _(
                "Supporting the pupil, including care data such as dyslexia or ADHD, which "
                "only the care team and, where marked, the teachers see."
            ),
            "basis": _("Legal task of the school; special-category data under UAVG art. 30"),
        },
        {
            "purpose": _("Organisation"),
            "description": _(
                "Groups, timetables, learning materials, contact with guardians, funding "
                "and the legal reports to DUO and the attendance officer."
            ),
            "basis": _("Legal task and legal obligations of the school"),
        },
    ]
    for purpose in ConsentPurpose.objects.filter(
        school_id=student.school_id, is_active=True
    ).select_related("current_version"):
        purposes.append(
            {
                "purpose": purpose.title,
                "description": purpose.current_version.text if purpose.current_version else "",
                "basis": _("Consent of the guardians, which can be withdrawn at any time"),
            }
        )
    return purposes


def _categories(data: dict) -> list[dict]:
    # None: a confidential guardian's address, left out of this document but held.
    address = data["student"]["address"]
    present = {
        DataCategory.IDENTITY: True,
        DataCategory.CONTACT: address is None or any(address.values()),
        DataCategory.ADMINISTRATION: True,
        DataCategory.GUARDIANS: bool(data["guardians"]),
        DataCategory.ORGANISATION: True,
        DataCategory.PROGRESS: bool(data["progress"]),
        DataCategory.HEALTH: bool(data["care_records"]),
        DataCategory.RELIGION: data["religion"] is not None,
    }
    return [
        {"category": str(category.label), "special_category": category in _SPECIAL}
        for category, held in present.items()
        if held
    ]


_SPECIAL = {DataCategory.HEALTH, DataCategory.RELIGION}


def _recipients(student: Student) -> list[dict]:
    result = []
    if student.group_id:
        for product in (
            Product.objects.filter(groups=student.group_id)
            .select_related("supplier")
            .prefetch_related(
                "attributes",
                Prefetch("agreements", queryset=Agreement.objects.order_by("-valid_from")),
            )
            .order_by("supplier__name", "name")
        ):
            agreement = next(iter(product.agreements.all()), None)
            result.append(
                {
                    "recipient": f"{product.supplier.name} / {product.name}",
                    "role": _("Processor (learning materials) under a processing agreement"),
                    "agreement": agreement.status_label if agreement else _("No agreement"),
                    "data": [
                        str(CATALOGUE[a.attribute].label)
                        for a in product.attributes.all()
                        if a.attribute in CATALOGUE
                    ],
                    "retention": product.retention,
                    "storage_location": product.storage_location,
                    "outside_eea": product.outside_eea,
                }
            )
    for recipient in Recipient.objects.filter(board_id=student.school.board_id):
        result.append(
            {
                "recipient": recipient.name,
                "role": recipient.get_kind_display(),
                "basis": recipient.legal_basis,
                "data": [str(CATALOGUE[c].label) for c in recipient.attributes if c in CATALOGUE],
            }
        )
    return result


def _retention() -> list[dict]:
    return [
        {
            "data": _("Pupil file: progress, guidance and care data"),
            "period": _("2 years after the pupil leaves the school"),
        },
        {
            "data": _("Enrolment and withdrawal data"),
            "period": _("5 years after the pupil leaves the school"),
        },
        {
            "data": _("Pupil who left for special education"),
            "period": _("3 years after leaving"),
        },
        {
            "data": _("Grade lists and school advice (archive)"),
            "period": _("Kept anonymised and restricted"),
        },
        {
            "data": _("Consent decisions"),
            "period": _("As long as the consent is used, to prove it, then removed"),
        },
        {
            "data": _("Record of who looked at the data"),
            "period": _("As set by the school board for security logging"),
        },
    ]


def _rights() -> list[dict]:
    return [
        {"right": _("Access"), "text": _("See the data the school holds (this document).")},
        {"right": _("Correction"), "text": _("Have wrong or incomplete data corrected.")},
        {
            "right": _("Erasure"),
            "text": _("Have data erased that is no longer needed, unless the law requires it."),
        },
        {
            "right": _("Restriction"),
            "text": _("Have the use of data paused while, for example, a correction is checked."),
        },
        {
            "right": _("Objection"),
            "text": _("Object to optional processing, such as the use of photos."),
        },
        {
            "right": _("Withdraw consent"),
            "text": _("Withdraw a consent at any time in the parent portal."),
        },
    ]


def _complaint() -> dict:
    return {
        "authority": "Autoriteit Persoonsgegevens",
        "url": "https://autoriteitpersoonsgegevens.nl",
        "text": _(
            "If you disagree with how the school handles your child's data, you can talk to the "
            "school or the board's privacy officer, and you have the right to complain to the "
            "Autoriteit Persoonsgegevens."
        ),
    }


def _sources(student: Student) -> list[dict]:
    sources = [
        {
            "data": _("Name, date of birth, address, guardians"),
            "source": _("The guardians, at enrolment"),
        },
        {
            "data": _("BSN / education number"),
            "source": _("The guardians, at enrolment (checked with DUO)"),
        },
        {"data": _("Groups, progress and grades"), "source": _("The school's teachers")},
        {
            "data": _("Care data"),
            "source": _("The guardians, the school's care team and specialists' reports"),
        },
        {"data": _("Consent decisions"), "source": _("The guardians, online or on paper")},
    ]
    if student.source_key:
        sources.append(
            {
                "data": _("Basic data"),
                "source": _("Imported from the school's previous administration system"),
            }
        )
    return sources


def package_data(request: PrivacyRequest, *, progress: Callable[[int], None] | None = None) -> dict:
    """Assemble the package for the request's child through the gate (the data subject's own
    access basis); the disclosure is recorded when the school releases it."""
    student = Student.objects.select_related("school", "group").get(pk=request.student_id)
    plan = access_plan(student=student, guardian=request.guardian)
    run = disclose(actor=None, plan=plan, students=Student.objects.filter(pk=student.pk))
    rows = list(run.rows())
    if not rows:  # the gate found nothing it may send (cannot happen for the access basis)
        raise ValueError("the gate returned no row for the access package")
    limits = list(ProcessingLimit.objects.active().filter(student=student).order_by("started_at"))
    steps: list[tuple[str, Callable[[], object]]] = [
        ("student", lambda: _student(student, rows[0], limits)),
        ("guardians", lambda: _guardians(student)),
        ("groups", lambda: _groups(student)),
        ("progress", lambda: _progress(student)),
        ("care_records", lambda: _care(plan, student)),
        ("religion", lambda: _religion(plan, student)),
        ("consents", lambda: _consents(student)),
        ("disclosures", lambda: _disclosures(student)),
        ("access_log", lambda: _access_log(student)),
        ("changes", lambda: _changes(student, request)),
        ("purposes", lambda: _purposes(student)),
        ("recipients", lambda: _recipients(student)),
        ("retention", _retention),
        ("rights", _rights),
        ("complaint", _complaint),
        ("sources", lambda: _sources(student)),
    ]
    data: dict = {}
    for index, (key, build) in enumerate(steps, start=1):
        data[key] = build()
        if progress is not None:
            progress(int(90 * index / len(steps)))
    data["categories"] = _categories(data)
    return {key: data[key] for key in SECTION_KEYS}


def package_sections(data: dict) -> list[dict]:
    """What staff who started the job see: each part and how many entries, never the content."""
    sections = []
    for key in SECTION_KEYS:
        value = data.get(key)
        count = len(value) if isinstance(value, list) else (0 if value is None else 1)
        sections.append({"key": key, "count": count})
    return sections
