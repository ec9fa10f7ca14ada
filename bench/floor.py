"""Floor views: the least a Django view can do to show the same pupils.

Each floor view answers the same request as its product counterpart, in the same process and
through the same middleware (session, authentication, CSP, no-store), and produces the same
output: the product's own template, or the API's JSON shape. It reads its pupils with one
plain query (no permission subqueries, no scope), records no audit event and uses no
serializer. The difference between a product view and its floor is therefore what the
portal adds on top of Django: access control, audit and serialisation.

The pupil's guardians come from the same query (a LEFT JOIN: one row per guardian), as the
product shows them to a teacher. Sections of the pupil page that need yet other tables (group
history, limits) are rendered empty: one plain query cannot fill them as well, so the floor
page is, if anything, too fast.

Mounted only by ``bench.urls``; never part of the product.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import render

from students.forms import StudentSearchForm
from students.models import Student
from students.selectors import StudentAccess

# What the list shows (page and API), and what the pupil page and API show of the pupil.
LIST_FIELDS = (
    "id",
    "given_name",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "school__id",
    "school__name",
    "group__id",
    "group__name",
)
DETAIL_FIELDS = (
    "id",
    "given_name",
    "first_names",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "sex",
    "year_group",
    "enrolled_on",
    "withdrawn_on",
    "withdrawal_destination",
    "street",
    "house_number",
    "postal_code",
    "city",
    "school__id",
    "school__name",
    "group__id",
    "group__name",
)
# What a teacher in scope sees: contact data and guardians, not the BSN.
TEACHER_ACCESS = StudentAccess(contact=True, bsn=False, guardians=True, is_staff_view=True)
NO_LINKS = dict.fromkeys(
    ("progress", "care", "religion", "access_log", "consent", "paper_request", "legal_hold"),
    False,
)


# The guardian columns joined to the pupil (one row per guardian; none without guardians).
GUARDIAN_FIELDS = {
    "g_id": "guardian_links__guardian__id",
    "g_first_name": "guardian_links__guardian__first_name",
    "g_surname_prefix": "guardian_links__guardian__surname_prefix",
    "g_surname": "guardian_links__guardian__surname",
    "g_email": "guardian_links__guardian__email",
    "g_phone": "guardian_links__guardian__phone",
    "g_address": "guardian_links__guardian__address",
    "g_confidential": "guardian_links__guardian__contact_confidential",
    "g_authority": "guardian_links__has_authority",
}


def _guardians(rows) -> list[dict]:
    """The guardians as ``guardians_of_for`` gives them to staff in scope, from joined rows
    (attributes of model instances or keys of dicts)."""

    def get(row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    found = [row for row in rows if get(row, "g_id") is not None]
    found.sort(key=lambda row: (get(row, "g_surname"), get(row, "g_first_name"), get(row, "g_id")))
    return [
        {
            "id": get(row, "g_id"),
            "name": " ".join(
                part
                for part in (
                    get(row, "g_first_name"),
                    get(row, "g_surname_prefix"),
                    get(row, "g_surname"),
                )
                if part
            ),
            "has_authority": get(row, "g_authority"),
            "contact_hidden": False,
            "email": get(row, "g_email"),
            "phone": get(row, "g_phone"),
            "address": get(row, "g_address"),
            "contact_confidential": get(row, "g_confidential"),
        }
        for row in found
    ]


def _joined(student_id: int):
    return Student.objects.filter(pk=student_id).annotate(
        **{alias: F(path) for alias, path in GUARDIAN_FIELDS.items()}
    )


def _group_pupils(request):
    return (
        Student.objects.filter(group_id=int(request.GET["group"]), withdrawn_on__isnull=True)
        .select_related("school", "group")
        .order_by("surname", "given_name", "id")
    )


def _ref(row: dict, name: str) -> dict | None:
    pk = row[f"{name}__id"]
    return None if pk is None else {"id": pk, "name": row[f"{name}__name"]}


def _last_name(row: dict) -> str:
    return f"{row['surname_prefix']} {row['surname']}".strip()


def student_list(request):
    pupils = list(_group_pupils(request).only(*LIST_FIELDS)[:25])
    return render(
        request,
        "students/student_list.html",
        {
            "form": StudentSearchForm(None, groups=[]),
            "page": Paginator(pupils, 25).get_page(1),
            "query": "",
        },
    )


def student_list_json(request):
    rows = _group_pupils(request).values(*LIST_FIELDS)[:25]
    results = [
        {
            "id": row["id"],
            "first_name": row["given_name"],
            "last_name": _last_name(row),
            "group": _ref(row, "group"),
            "school": _ref(row, "school"),
        }
        for row in rows
    ]
    return JsonResponse({"count": len(results), "next": None, "previous": None, "results": results})


def student_detail(request, student_id: int):
    rows = list(_joined(student_id).select_related("school", "group").only(*DETAIL_FIELDS))
    if not rows:
        raise Http404
    student = rows[0]
    return render(
        request,
        "students/student_detail.html",
        {
            "student": student,
            "access": TEACHER_ACCESS,
            "guardians": _guardians(rows),
            "placements": [],
            "links": NO_LINKS,
            "limits": [],
            "guardian_accounts": [],
        },
    )


def student_detail_json(request, student_id: int):
    rows = list(_joined(student_id).values(*DETAIL_FIELDS, *GUARDIAN_FIELDS))
    if not rows:
        raise Http404
    row = rows[0]
    line1 = f"{row['street']} {row['house_number']}".strip()
    line2 = f"{row['postal_code']} {row['city']}".strip()
    address = ", ".join(part for part in (line1, line2) if part)
    return JsonResponse(
        {
            "id": row["id"],
            "first_name": row["given_name"],
            "first_names": row["first_names"],
            "last_name": _last_name(row),
            "date_of_birth": row["date_of_birth"],
            "sex": row["sex"],
            "year_group": row["year_group"],
            "group": _ref(row, "group"),
            "school": _ref(row, "school"),
            "enrolled_on": row["enrolled_on"],
            "withdrawn_on": row["withdrawn_on"],
            "withdrawal_destination": row["withdrawal_destination"],
            "address": address,
            "guardians": _guardians(rows),
        }
    )
