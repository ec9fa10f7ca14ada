"""The access package: the job that builds it, its release and the guardians' downloads."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record

from ..constants import (
    OPEN_STATUSES,
    PACKAGE_DOWNLOAD_DAYS,
    ActorKind,
    Kind,
    PackageStatus,
    Status,
    Step,
)
from ..models import AccessPackage, PrivacyRequest
from .common import RequestStateError, _complete, _event, _locked, _set_status, _step

logger = logging.getLogger(__name__)


@transaction.atomic
def package_start(*, user: User, request: PrivacyRequest) -> AccessPackage:
    """Start (or restart after a failure) the job; harmless when it is running or done."""
    from ..tasks import package_build_task

    request = _locked(request, *OPEN_STATUSES)
    if request.kind != Kind.ACCESS:
        raise RequestStateError(_("Only an access request has a package."))
    package = AccessPackage.objects.select_for_update().filter(request=request).first()
    if package is not None and package.status != PackageStatus.FAILED:
        return package
    if package is None:
        package = AccessPackage.objects.create(request=request, started_by=user)
    else:
        package.status = PackageStatus.QUEUED
        package.progress = 0
        package.error = ""
        package.started_by = user
        package.started_at = timezone.now()
        package.save(update_fields=["status", "progress", "error", "started_by", "started_at"])
    if request.status != Status.IN_PROGRESS:
        _set_status(request, Status.IN_PROGRESS)
    _step(request, Step.PACKAGE_STARTED, user, shown=False)
    _event(user, request)
    transaction.on_commit(partial(package_build_task.delay, package.pk))
    return package


def package_build(*, package_id: int) -> AccessPackage:
    """The job: assemble, write JSON and PDF, mark built. Safe to run twice: a built or
    released package returns at once; files are replaced, never duplicated."""
    from ..document import package_pdf
    from ..package import package_data, package_sections

    with transaction.atomic():
        package = AccessPackage.objects.select_for_update().get(pk=package_id)
        if package.status in (PackageStatus.BUILT, PackageStatus.RELEASED):
            return package
        package.status = PackageStatus.BUILDING
        package.progress = 1
        package.save(update_fields=["status", "progress"])
    request = PrivacyRequest.objects.select_related("student", "school", "guardian").get(
        pk=package.request_id
    )

    def progress(percent: int) -> None:
        AccessPackage.objects.filter(pk=package.pk).update(progress=max(1, min(percent, 99)))

    try:
        with translation.override(request.language):
            data = package_data(request, progress=progress)
            payload = json.dumps(data, ensure_ascii=False, indent=2).encode()
            title = _("Access to the data of %(name)s") % {"name": request.student.display_name}
            pdf = package_pdf(data, title=title, school_name=request.school.name)
    except Exception as exc:
        logger.exception("access package %s failed", package.pk)
        with transaction.atomic():
            AccessPackage.objects.filter(pk=package.pk).update(
                status=PackageStatus.FAILED, error=type(exc).__name__
            )
            _step(request, Step.PACKAGE_FAILED, None, shown=False)
        raise
    with transaction.atomic():
        locked = AccessPackage.objects.select_for_update().get(pk=package.pk)
        if locked.status in (PackageStatus.BUILT, PackageStatus.RELEASED):
            return locked
        for field in (locked.json_file, locked.pdf_file):
            if field:
                field.delete(save=False)
        locked.json_file.save(f"package-{locked.pk}.json", ContentFile(payload), save=False)
        locked.pdf_file.save(f"package-{locked.pk}.pdf", ContentFile(pdf), save=False)
        locked.checksum = hashlib.sha256(payload).hexdigest()
        locked.sections = package_sections(data)
        locked.status = PackageStatus.BUILT
        locked.progress = 100
        locked.built_at = timezone.now()
        locked.error = ""
        locked.save()
        _step(request, Step.PACKAGE_BUILT, None, shown=False)
    logger.info("access package %s built (%d sections)", locked.pk, len(locked.sections))
    return locked


def package_json(package: AccessPackage) -> dict:
    with package.json_file.open("rb") as handle:
        return json.loads(handle.read().decode())


@transaction.atomic
def package_release(*, user: User, package: AccessPackage) -> AccessPackage:
    """The director or care coordinator has reviewed the package: it leaves the school now,
    through the gate under the access basis (a disclosure is recorded), the request is
    completed and the guardians with authority can download it until the link expires."""
    from suppliers.gate import DisclosureRefusedError, access_disclosure_record

    package = AccessPackage.objects.select_for_update().get(pk=package.pk)
    if package.status != PackageStatus.BUILT:
        raise RequestStateError(_("Only a built package that was not released can be released."))
    request = _locked(package.request, *OPEN_STATUSES)
    try:
        disclosure = access_disclosure_record(
            student=request.student,
            guardian=request.guardian,
            actor=user,
            data=package_json(package),
            checksum=package.checksum,
        )
    except DisclosureRefusedError as exc:  # e.g. the requester lost parental authority
        raise RequestStateError(exc.message) from exc
    package.status = PackageStatus.RELEASED
    package.released_by = user
    package.released_at = timezone.now()
    package.expires_at = package.released_at + datetime.timedelta(days=PACKAGE_DOWNLOAD_DAYS)
    package.disclosure = disclosure
    package.save(update_fields=["status", "released_by", "released_at", "expires_at", "disclosure"])
    _step(request, Step.PACKAGE_RELEASED, user)
    _complete(
        user,
        request,
        _("Your access package is ready: download it in the portal until %(date)s.")
        % {"date": date_format(timezone.localdate(package.expires_at), "DATE_FORMAT")},
    )
    return package


@transaction.atomic
def package_download_record(*, user: User, package: AccessPackage, fmt: str) -> None:
    """Each download is an event; one that carries care data or religion is a
    special-category read like any other."""
    counts = {section["key"]: section["count"] for section in package.sections}
    data_kind = DataKind.REQUEST
    if counts.get("religion"):
        data_kind = DataKind.RELIGION
    if counts.get("care_records"):
        data_kind = DataKind.CARE
    event_record(
        user=user,
        action=Action.EXPORT,
        object_type="access_package",
        object_id=package.pk,
        student_id=package.request.student_id,
        school_id=package.request.school_id,
        data_kind=data_kind,
    )
    _step(package.request, Step.PACKAGE_DOWNLOADED, user, note=fmt.upper(), kind=ActorKind.GUARDIAN)
