"""Erasure on request (AVG art. 17): remove the categories the director approved, keep what the
law requires, and say which is which. And this app's own erasure and expiry handlers
(registered in ``privacy_requests/apps.py``).

The erasing goes through the core's erasure registry (``students/erasure.py``), the one way
pupil data is removed: each category's owner removes it, a legal hold refuses, and each
category leaves a tombstone line under the request. The pupil row itself is never deleted:
basic and enrolment data stay as long as the school must keep them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import models, transaction

from accounts.models import User
from students import erasure, expiry
from students.models import Student

from .constants import ErasureCategory, PackageStatus
from .models import AccessPackage, PrivacyRequest, RequestStep


def always_kept() -> list[dict]:
    """What an erasure request cannot take away, and why (each app registers its own)."""
    return erasure.kept()


@transaction.atomic
def erase_categories(
    *, actor: User, student: Student, categories: list[str], request_id: int | None = None
) -> dict[str, int]:
    """Erase the chosen categories of one pupil in one transaction through the erasure
    registry, which leaves a tombstone line per category under the request; returns a count
    per category."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    return erasure.request_erase(
        actor=actor, student=student, categories=categories, request_id=request_id
    )


# --- Handlers -------------------------------------------------------------------------------


def package_files_remove(students: Sequence[Student], action: str) -> dict[int, int]:
    """The stored files of the pupils' access packages go (once the transaction commits);
    per pupil, how many packages had files."""
    removed: dict[int, int] = {}
    packages = (
        AccessPackage.objects.filter(request__student_id__in=[s.pk for s in students])
        .exclude(json_file="", pdf_file="")
        .select_related("request")
        .only("json_file", "pdf_file", "request__student")
    )
    for package in packages:
        erasure.files_delete_on_commit([package.json_file, package.pdf_file])
        AccessPackage.objects.filter(pk=package.pk).update(json_file="", pdf_file="")
        student_id = package.request.student_id
        removed[student_id] = removed.get(student_id, 0) + 1
    return removed


def requests_anonymise(students: Sequence[Student], action: str) -> dict[int, int]:
    """The pupils' privacy requests keep their dates and outcome for the on-time record;
    the free text the guardians and staff typed goes, and the access packages' files. Counts
    nothing: the requests stay."""
    for student in students:
        requests = PrivacyRequest.objects.filter(student=student)
        RequestStep.objects.filter(request__in=requests).update(note="")
        requests.update(
            description="",
            correction_value="",
            correction_old_value="",
            outcome="",
            decision_reason="",
            extension_reason="",
        )
        # The reasons staff typed for keeping data on an erasure request are free text too;
        # which categories were erased or kept, and how many, stays.
        for request in requests.exclude(erasure_assessment={}, erasure_result={}):
            if "keep" in request.erasure_assessment:
                request.erasure_assessment["keep"] = dict.fromkeys(
                    request.erasure_assessment["keep"], ""
                )
            for item in request.erasure_result.get("kept", []):
                item["reason"] = ""
            request.save(update_fields=["erasure_assessment", "erasure_result"])
        package_files_remove([student], action)
    return {}


def packages_expire(now: datetime.datetime) -> int:
    """A released access package's JSON and PDF leave storage once its download period has
    ended; the row stays with its evidence. Never released: no end, left alone."""
    return expiry.files_expire(
        AccessPackage,
        ("json_file", "pdf_file"),
        models.Q(status=PackageStatus.RELEASED, expires_at__lte=now),
    )


def erasure_handlers_register() -> None:
    erasure.handler_register(erasure.PUPIL_FILE, "package_files", package_files_remove, order=50)
    erasure.handler_register(erasure.ENROLMENT, "requests", requests_anonymise, order=40)
    erasure.labels_register(ErasureCategory.choices)
    expiry.expiry_register("packages", packages_expire, order=10)
