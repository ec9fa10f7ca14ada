"""Reads for suppliers, agreements, exports and the disclosure register, scoped per user."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.constants import Function
from audit.constants import DataKind
from students.models import (
    GroupUserObjectPermission,
    Guardianship,
    School,
    SchoolUserObjectPermission,
    Student,
)
from students.selectors import (
    function_require,
    not_found,
    parse_id,
    school_ids_with,
    scoped_get,
    students_visible_to,
    teaching_group_ids,
)

from .constants import LEGAL_RECIPIENT_KINDS, AgreementStatus
from .models import (
    EXPIRING_DAYS,
    Agreement,
    AgreementAttribute,
    DisclosedPupil,
    Disclosure,
    Export,
    ImportJob,
    Product,
    ProductAttribute,
    Recipient,
    Supplier,
)


def board_ids_for(user) -> set[int]:
    """The boards the user works for: through any school or group permission."""
    schools = set(
        SchoolUserObjectPermission.objects.filter(user_id=user.pk).values_list(
            "content_object__board_id", flat=True
        )
    )
    groups = set(
        GroupUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id__in=teaching_group_ids(user)
        ).values_list("content_object__school__board_id", flat=True)
    )
    return schools | groups


def agreements_visible_to(user) -> QuerySet[Agreement]:
    function_require(user=user, function=Function.VIEW_SUPPLIERS, object_type="agreement")
    return (
        Agreement.objects.filter(supplier__board_id__in=board_ids_for(user))
        .select_related("supplier")
        .prefetch_related(
            "products",
            Prefetch("attributes", queryset=AgreementAttribute.objects.order_by("id")),
        )
        .order_by("supplier__name", "-valid_from", "id")
    )


def suppliers_visible_to(user) -> QuerySet[Supplier]:
    function_require(user=user, function=Function.VIEW_SUPPLIERS, object_type="supplier")
    return (
        Supplier.objects.filter(board_id__in=board_ids_for(user))
        .prefetch_related(
            Prefetch(
                "products",
                queryset=Product.objects.prefetch_related(
                    Prefetch("attributes", queryset=ProductAttribute.objects.order_by("id")),
                    "groups",
                ),
            ),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.prefetch_related("attributes", "products"),
            ),
        )
        .order_by("name")
    )


def agreement_get_for(*, user, agreement_id) -> Agreement:
    return scoped_get(
        user=user,
        queryset=agreements_visible_to(user),
        raw_id=agreement_id,
        object_type="agreement",
    )


def agreements_expiring_for(user) -> list[Agreement]:
    """For the start page of whoever manages the suppliers (the director) or watches over them
    for the board (the privacy officer): the agreements that expire within 60 days or have
    expired, and have not been followed by a newer agreement with the supplier (renewed)."""
    if not (
        user.has_function(Function.MANAGE_SUPPLIERS)
        or user.has_function(Function.VIEW_PRIVACY_OVERVIEW)
    ):
        return []
    horizon = timezone.localdate() + datetime.timedelta(days=EXPIRING_DAYS)
    successor = Agreement.objects.filter(
        supplier_id=OuterRef("supplier_id"),
        terminated_on__isnull=True,
        signed_on__isnull=False,
        valid_from__gt=OuterRef("valid_from"),
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    agreements = (
        Agreement.objects.filter(
            supplier__board_id__in=board_ids_for(user),
            valid_until__isnull=False,
            valid_until__lte=horizon,
            terminated_on__isnull=True,
        )
        .exclude(Exists(successor))
        .select_related("supplier")
        .order_by("valid_until", "supplier__name", "pk")
    )
    return [
        a for a in agreements if a.status in (AgreementStatus.EXPIRING, AgreementStatus.EXPIRED)
    ]


def manageable_boards(user) -> set[int]:
    return set(
        SchoolUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename="manage_school_suppliers"
        ).values_list("content_object__board_id", flat=True)
    )


def supplier_for_manage(*, user, supplier_id) -> Supplier:
    return scoped_get(
        user=user,
        queryset=Supplier.objects.filter(board_id__in=manageable_boards(user)),
        raw_id=supplier_id,
        object_type="supplier",
        function=Function.MANAGE_SUPPLIERS,
    )


def export_school_for(*, user, school_id=None) -> School:
    """A school whose pupils this user may export (director, administration)."""
    function_require(
        user=user, function=Function.RUN_EXPORTS, object_type="export", data_kind=DataKind.BASICS
    )
    schools = School.objects.filter(pk__in=school_ids_with(user, "run_school_exports"))
    pk = parse_id(school_id) if school_id not in (None, "") else None
    school = (schools.filter(pk=pk) if pk else schools.order_by("name")).first()
    if school is None:
        raise not_found(user=user, object_type="export", raw_id=school_id or "", model=School)
    return school


def export_targets_for(
    *, user, school: School, agreement_id=None, product_id=None, recipient_id=None
):
    """The agreement/product or recipient named in an export request, within the board."""
    agreement = product = recipient = None
    if agreement_id not in (None, ""):
        pk = parse_id(agreement_id)
        agreement = (
            Agreement.objects.filter(pk=pk, supplier__board_id=school.board_id)
            .select_related("supplier")
            .first()
            if pk
            else None
        )
        if agreement is None:
            raise not_found(user=user, object_type="agreement", raw_id=agreement_id)
    if product_id not in (None, ""):
        pk = parse_id(product_id)
        product = (
            Product.objects.filter(pk=pk, supplier__board_id=school.board_id).first()
            if pk
            else None
        )
        if product is None:
            raise not_found(user=user, object_type="product", raw_id=product_id)
    if recipient_id not in (None, ""):
        pk = parse_id(recipient_id)
        recipient = (
            Recipient.objects.filter(pk=pk, board_id=school.board_id).first() if pk else None
        )
        if recipient is None:
            raise not_found(user=user, object_type="recipient", raw_id=recipient_id)
    return agreement, product, recipient


def export_targets_offered(school: School) -> tuple[QuerySet[Agreement], QuerySet[Recipient]]:
    """What the export form offers for a school the user may export (checked by the caller):
    the board's agreements with their products, and its recipients. The gate decides."""
    agreements = (
        Agreement.objects.filter(supplier__board_id=school.board_id)
        .select_related("supplier")
        .prefetch_related("products")
    )
    # A recipient on a legal obligation gets named pupils only, through its own form.
    recipients = Recipient.objects.filter(board_id=school.board_id).exclude(
        kind__in=LEGAL_RECIPIENT_KINDS
    )
    return agreements, recipients


def legal_recipients_offered(school: School) -> QuerySet[Recipient]:
    """The recipients the law names (attendance officer, DUO, next school, Veilig Thuis, the
    police) of a school the user may export (checked by the caller)."""
    return Recipient.objects.filter(board_id=school.board_id, kind__in=LEGAL_RECIPIENT_KINDS)


# A pupil who left stays on offer this long: DUO hears of the leaving within days, the
# attendance officer may ask about a pupil who left without a new school.
RECENTLY_LEFT_DAYS = 365


def export_pupils_offered(*, user, school: School) -> QuerySet[Student]:
    """The pupils of the school this user may name in a disclosure: in their scope (the
    students selector), enrolled or left within the last year; by group and name."""
    since = timezone.localdate() - datetime.timedelta(days=RECENTLY_LEFT_DAYS)
    return (
        students_visible_to(user, include_former=True)
        .filter(school=school)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=since))
        .only(
            "school",
            "group",
            "given_name",
            "surname_prefix",
            "surname",
            "withdrawn_on",
            "group__name",
        )
        .order_by("group__name", "surname", "given_name", "id")
    )


def export_pupils_for(*, user, school: School, student_ids) -> list[int]:
    """The pupils named in a disclosure request, each within the user's scope at this school,
    or Http404 (a missing pupil and one out of scope look the same)."""
    wanted = []
    for raw in student_ids:
        pk = parse_id(raw)
        if pk is None:
            raise not_found(user=user, object_type="student", raw_id=raw)
        wanted.append(pk)
    found = set(
        export_pupils_offered(user=user, school=school)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise not_found(user=user, object_type="student", raw_id=missing[0])
    return sorted(set(wanted))


def recipients_visible_to(user) -> QuerySet[Recipient]:
    function_require(user=user, function=Function.VIEW_SUPPLIERS, object_type="recipient")
    return Recipient.objects.filter(board_id__in=board_ids_for(user)).order_by("kind", "name")


def exports_of(user) -> QuerySet[Export]:
    function_require(user=user, function=Function.RUN_EXPORTS, object_type="export")
    return Export.objects.filter(requested_by_id=user.pk).select_related(
        "agreement__supplier", "product", "recipient"
    )


def export_get_for(*, user, export_id) -> Export:
    """Only the staff member who asked for an export sees it (404 for anyone else)."""
    return scoped_get(user=user, queryset=exports_of(user), raw_id=export_id, object_type="export")


def disclosures_visible_to(user) -> QuerySet[Disclosure]:
    function_require(user=user, function=Function.VIEW_DISCLOSURES, object_type="disclosure")
    return (
        Disclosure.objects.filter(school_id__in=school_ids_with(user, "view_school_disclosures"))
        .select_related("school", "agreement", "product", "recipient", "created_by")
        .order_by("-created_at", "-id")
    )


def disclosures_filter(
    qs: QuerySet[Disclosure],
    *,
    recipient: str | None = None,
    basis: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Disclosure]:
    if recipient:
        qs = qs.filter(recipient_label__icontains=recipient)
    if basis:
        qs = qs.filter(basis=basis)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs


def child_for_recipients(*, user, student_id) -> Student:
    """A guardian's own child, whose recipients they see; 403 without the function, else 404."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=Function.VIEW_RECIPIENTS,
        object_type="recipients",
        object_id=student_id,
        student_id=pk,
    )
    link = (
        Guardianship.objects.filter(student_id=pk, guardian__user_id=user.pk)
        .select_related("student", "student__group", "student__school")
        .first()
        if pk
        else None
    )
    if link is None:
        raise not_found(user=user, object_type="recipients", raw_id=student_id, student_id=pk)
    return link.student


def child_recipients(*, student: Student) -> dict:
    """For a guardian who reached their child (``child_for_recipients``): the products the
    child's group uses (with purposes and attributes, and whether a valid agreement covers
    them), the other recipients, and past disclosures (never one withheld from guardians)."""
    products = (
        list(
            Product.objects.filter(groups=student.group_id)
            .select_related("supplier")
            .prefetch_related(
                Prefetch("attributes", queryset=ProductAttribute.objects.order_by("id")),
                Prefetch("agreements", queryset=Agreement.objects.order_by("-valid_from")),
            )
            .order_by("supplier__name", "name")
        )
        if student.group_id
        else []
    )
    recipients = list(
        Recipient.objects.filter(board_id=student.school.board_id).order_by("kind", "name")
    )
    # A disclosure withheld from the guardians (a Meldcode report, a prosecutor's demand)
    # is not on this page, nor any trace of it.
    past = list(
        DisclosedPupil.objects.filter(student=student, disclosure__withheld_from_guardians=False)
        .select_related("disclosure")
        .order_by("-disclosure__created_at", "-disclosure_id")[:100]
    )
    return {
        "student": student,
        "products": products,
        "recipients": recipients,
        "disclosures": [p.disclosure for p in past],
    }


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """Import jobs of the schools where this user imports pupils (director, administration):
    the school's export right and its right to enrol pupils, as for the upload itself."""
    return (
        ImportJob.objects.filter(school_id__in=school_ids_with(user, "run_school_exports"))
        .filter(school_id__in=school_ids_with(user, "manage_school_pupils"))
        .select_related("school", "uploaded_by", "applied_by")
    )


def import_job_get_for(*, user, job_id) -> ImportJob:
    """One import job of the user's school: 403 without the functions, 404 for anyone else."""
    function_require(
        user=user,
        function=Function.RUN_EXPORTS,
        object_type="import",
        object_id=job_id,
        model=ImportJob,
    )
    return scoped_get(
        user=user,
        queryset=import_jobs_visible_to(user),
        raw_id=job_id,
        object_type="import",
        function=Function.MANAGE_PUPILS,
    )
