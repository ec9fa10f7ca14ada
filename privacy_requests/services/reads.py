"""Reads that leave evidence: opening a request, or a package to review, is an access event,
so these are services; the selectors they call only read, and record a refusal."""

from __future__ import annotations

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record
from students.selectors import not_found, scoped_get

from ..constants import PackageStatus
from ..models import AccessPackage, PrivacyRequest
from ..selectors import REQUEST_FUNCTIONS, request_for_action, requests_visible_to


def request_open_for(*, user, request_id) -> PrivacyRequest:
    """A request in the user's scope (403 without a request function, else 404); every look
    is an access event."""
    request = scoped_get(
        user=user,
        queryset=requests_visible_to(user),
        raw_id=request_id,
        object_type="privacy_request",
        function=REQUEST_FUNCTIONS,
        data_kind=DataKind.REQUEST,
    )
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="privacy_request",
        object_id=request.pk,
        student_id=request.student_id,
        school_id=request.school_id,
        data_kind=DataKind.REQUEST,
    )
    return request


def package_open_for_review(*, user, request_id) -> AccessPackage:
    """A built or released package for the director or care coordinator of the school. Its
    content includes care data, so the review itself is a special-category read."""
    request = request_for_action(
        user=user, request_id=request_id, function=Function.RELEASE_PACKAGES
    )
    # Once the download period has ended the files are deleted (retention.expiry): nothing
    # is left to review.
    package = (
        AccessPackage.objects.filter(
            request=request, status__in=[PackageStatus.BUILT, PackageStatus.RELEASED]
        )
        .exclude(json_file="")
        .first()
    )
    if package is None:
        raise not_found(
            user=user,
            object_type="access_package",
            raw_id=request_id,
            data_kind=DataKind.CARE,
            school_id=request.school_id,
        )
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="access_package",
        object_id=package.pk,
        student_id=request.student_id,
        school_id=request.school_id,
        data_kind=DataKind.CARE,
    )
    return package
