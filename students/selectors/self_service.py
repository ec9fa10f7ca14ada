"""What a parent keeps current themselves, and the moves the school confirms: the ways in.

A guardian reaches only their own ``Guardian`` row and their own children (through the
guardianship link, ``children_of``), with or without parental authority: keeping contact data
and emergency contacts current is about reaching someone, not deciding. The school's staff
reach a reported move through the schools where they manage pupils (``manage_school_pupils``)
when at least one child who moves is at one of them. Missing and not yours answer the same 404,
each refusal an access event.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.constants import Function
from audit.constants import DataKind

from ..models import AddressChange, Guardian, Guardianship, Student
from .pupils import children_of, function_require, not_found, parse_id, school_ids_with

# The pupil's structured address, as a move or the school's edit sets it.
PUPIL_ADDRESS_FIELDS = ("street", "house_number", "postal_code", "city")


def own_guardian_get(*, user, function: Function = Function.EDIT_OWN_CONTACT) -> Guardian:
    """The logged-in parent's own ``Guardian`` row: 403 without the function, 404 for an
    account that is no guardian's."""
    function_require(user=user, function=function, object_type="guardian")
    guardian = Guardian.objects.filter(user_id=user.pk).first()
    if guardian is None:
        raise not_found(user=user, object_type="guardian", raw_id="", data_kind=DataKind.BASICS)
    return guardian


def own_child_get(*, user, student_id) -> Student:
    """One of the parent's own children (enrolled or former), with the function to keep
    their emergency contacts: 403 without it, 404 for a child not theirs."""
    function_require(
        user=user,
        function=Function.EDIT_OWN_CONTACT,
        object_type="emergency_contacts",
        object_id=student_id,
        model=Student,
    )
    pk = parse_id(student_id)
    student = (
        children_of(user).filter(pk=pk, anonymised_at__isnull=True).first()
        if pk is not None
        else None
    )
    if student is None:
        raise not_found(
            user=user,
            object_type="emergency_contacts",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.BASICS,
        )
    return student


def own_children_enrolled(guardian: Guardian) -> QuerySet[Student]:
    """The children a parent may say move along with them: every enrolled child of theirs."""
    return (
        Student.objects.filter(
            guardian_links__guardian=guardian,
            withdrawn_on__isnull=True,
            anonymised_at__isnull=True,
        )
        .select_related("school")
        .order_by("date_of_birth", "id")
    )


def address_change_pending_of(guardian: Guardian) -> AddressChange | None:
    return (
        AddressChange.objects.filter(guardian=guardian, status=AddressChange.Status.PENDING)
        .prefetch_related(Prefetch("students", queryset=Student.objects.order_by("id")))
        .first()
    )


def address_change_last_decided_of(guardian: Guardian) -> AddressChange | None:
    """The parent's most recent proposal the school decided on (the page says how it went)."""
    return (
        AddressChange.objects.filter(
            guardian=guardian,
            status__in=[AddressChange.Status.CONFIRMED, AddressChange.Status.REJECTED],
        )
        .order_by("-decided_at", "-id")
        .first()
    )


def _in_staff_schools(user):
    """Condition: a child who moves is at a school where the user manages pupils."""
    return Exists(
        AddressChange.students.through._default_manager.filter(
            addresschange_id=OuterRef("pk"),
            student__school_id__in=school_ids_with(user, "manage_school_pupils"),
        )
    )


def address_changes_pending_for(user) -> QuerySet[AddressChange]:
    """The moves waiting for this user's school(s), oldest first, with their guardian and
    children read in two more queries however many there are."""
    return (
        AddressChange.objects.filter(_in_staff_schools(user), status=AddressChange.Status.PENDING)
        .select_related("guardian")
        .prefetch_related(
            Prefetch(
                "students",
                # Only the children at the user's schools: another school's pupils stay theirs.
                queryset=Student.objects.filter(
                    school_id__in=school_ids_with(user, "manage_school_pupils")
                )
                .select_related("group")
                .order_by("date_of_birth", "id"),
            )
        )
        .order_by("created_at", "id")
    )


def address_changes_pending_count(user) -> int:
    """How many moves wait for this user's school(s): one query; 0 without the function."""
    if not user.has_function(Function.MANAGE_PUPILS):
        return 0
    return AddressChange.objects.filter(
        _in_staff_schools(user), status=AddressChange.Status.PENDING
    ).count()


def address_change_get_for(*, user, change_id) -> AddressChange:
    """One reported move for the school's administration or director: 403 without
    ``MANAGE_PUPILS``, 404 when none of its children is at their school."""
    function_require(
        user=user,
        function=Function.MANAGE_PUPILS,
        object_type="address_change",
        object_id=change_id,
    )
    pk = parse_id(change_id)
    change = (
        AddressChange.objects.filter(_in_staff_schools(user), pk=pk)
        .select_related("guardian", "decided_by")
        .first()
        if pk is not None
        else None
    )
    if change is None:
        raise not_found(
            user=user,
            object_type="address_change",
            raw_id=change_id,
            data_kind=DataKind.BASICS,
            school_id=_school_of(pk),
        )
    return change


def address_change_children_for(*, user, change: AddressChange) -> list[Student]:
    """The children of a reported move at the user's schools (never another school's)."""
    return list(
        change.students.filter(school_id__in=school_ids_with(user, "manage_school_pupils"))
        .select_related("group")
        .order_by("date_of_birth", "id")
    )


def _school_of(change_pk: int | None) -> int | None:
    """The school of a move's children, when it is one school (for the refusal's evidence)."""
    if change_pk is None:
        return None
    schools = list(
        Student.objects.filter(address_changes__pk=change_pk)
        .values_list("school_id", flat=True)
        .distinct()
        .order_by()[:2]
    )
    return schools[0] if len(schools) == 1 else None


def _address_key(text: str) -> str:
    return re.sub(r"[\s,]+", " ", text).strip().casefold()


def pupil_address_hidden_for(*, guardian_id: int | None, student: Student) -> bool:
    """Whether the pupil's address is the confidential address of another guardian of the
    pupil (a parent with confidential contact data moved, and the child with them): then it
    is that guardian's confidential data, and a guardian other than them never sees it. For
    staff (``guardian_id`` None) never."""
    if guardian_id is None:
        return False
    return _address_of_confidential(student, exclude_guardian_id=guardian_id)


def pupil_address_confidential(student: Student) -> bool:
    """Whether the pupil's address is the confidential address of one of its guardians: a
    document that may reach every guardian (the access package) leaves it out."""
    return _address_of_confidential(student, exclude_guardian_id=None)


def _address_of_confidential(student: Student, *, exclude_guardian_id: int | None) -> bool:
    return (
        confidential_guardian_at(
            student_id=student.pk, address=student.address, exclude_guardian_id=exclude_guardian_id
        )
        is not None
    )


def confidential_guardian_at(
    *, student_id: int, address: str, exclude_guardian_id: int | None = None
) -> Guardian | None:
    """The guardian of the pupil (not ``exclude_guardian_id``) whose contact data is
    confidential and whose address is ``address`` (a pupil's one-line address, compared as
    the child page does), or None. One query; none for an empty address."""
    if not address:
        return None
    links = Guardianship.objects.filter(student_id=student_id, guardian__contact_confidential=True)
    if exclude_guardian_id is not None:
        links = links.exclude(guardian_id=exclude_guardian_id)
    key = _address_key(address)
    for guardian in Guardian.objects.filter(pk__in=links.values("guardian_id")).order_by("pk"):
        if guardian.address and _address_key(guardian.address) == key:
            return guardian
    return None
