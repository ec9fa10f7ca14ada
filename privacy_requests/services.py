"""Writes for privacy requests: submission, the workflow with its legal deadline, the access
package job and its release, corrections, restrictions and objections, and erasure.

Every transition locks the request row and checks the state it starts from, so two people
acting at once get a clear refusal instead of a lost change. Every step lands on the timeline.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from consent.models import ConsentPurpose
from students.constants import LimitKind
from students.exceptions import StudentError
from students.models import Guardian, Guardianship, ProcessingLimit, Student
from students.services.limits import (
    CorrectionError,
    correction_value_parse,
    current_value,
    processing_limit_lift,
    processing_limit_start,
    student_details_correct,
)
from suppliers.attributes import DataCategory

from .constants import (
    MAX_EXTENSION_MONTHS,
    OPEN_STATUSES,
    PACKAGE_DOWNLOAD_DAYS,
    Channel,
    CorrectableField,
    ErasureCategory,
    IdentityCheck,
    Kind,
    PackageStatus,
    Status,
    Step,
)
from .deadlines import due_date_for
from .erasure import always_kept, erase_categories
from .models import AccessPackage, PrivacyRequest, RequestStep

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 5000


class RequestError(StudentError):
    default_message = gettext_lazy("This request cannot be handled like this.")


class RequestStateError(RequestError):
    """The request is not in a state that allows this step (often: someone was quicker)."""

    status_code = 409


# --- Submission ------------------------------------------------------------------------------


def request_fields_check(
    *,
    school_id: int,
    kind: str,
    description: str,
    correction_field: str = "",
    correction_value: str = "",
    categories: list[str] | None = None,
    purpose_codes: list[str] | None = None,
) -> dict[str, list[str]]:
    """Every problem with a submission, per field, in plain words (empty when it is fine)."""
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose what you are asking for.")]
    text = (description or "").strip()
    if not text:
        errors["description"] = [_("Describe your request in a few words.")]
    elif len(text) > DESCRIPTION_MAX:
        errors["description"] = [
            _("Keep the description under %(max)s characters.") % {"max": DESCRIPTION_MAX}
        ]
    if kind == Kind.CORRECTION:
        if correction_field not in CorrectableField.values:
            errors["correction_field"] = [_("Choose which data is wrong.")]
        elif correction_field != CorrectableField.OTHER:
            try:
                correction_value_parse(correction_field, correction_value)
            except CorrectionError as exc:
                errors["correction_value"] = [str(exc.message)]
    elif correction_field or correction_value:
        errors["correction_field"] = [_("Only a correction request names data to correct.")]
    unknown = set(categories or []) - set(
        DataCategory.values if kind == Kind.RESTRICTION else ErasureCategory.values
    )
    if categories and kind not in (Kind.RESTRICTION, Kind.ERASURE):
        errors["categories"] = [_("Only a restriction or erasure names data categories.")]
    elif unknown:
        errors["categories"] = [_("Unknown data category: %(c)s") % {"c": ", ".join(unknown)}]
    if purpose_codes:
        if kind != Kind.OBJECTION:
            errors["purpose_codes"] = [_("Only an objection names consent purposes.")]
        else:
            known = set(
                ConsentPurpose.objects.filter(school_id=school_id).values_list("code", flat=True)
            )
            if set(purpose_codes) - known:
                errors["purpose_codes"] = [_("Choose purposes of your child's school.")]
    return errors


def _notify(request_id: int, what: str) -> None:
    from .tasks import request_notify_task

    transaction.on_commit(partial(request_notify_task.delay, request_id, what))


def _step(request: PrivacyRequest, step: Step, actor: User | None, note: str = "", shown=True):
    RequestStep.objects.create(
        request=request, step=step, actor=actor, note=note, shown_to_requester=shown
    )


def _event(user, request: PrivacyRequest, action=Action.UPDATE) -> None:
    event_record(
        user=user,
        action=action,
        object_type="privacy_request",
        object_id=request.pk,
        student_id=request.student_id,
        school_id=request.school_id,
        data_kind=DataKind.REQUEST,
    )


def _create(
    *,
    user: User,
    student: Student,
    guardian: Guardian,
    channel: Channel,
    identity_check: IdentityCheck,
    received_on: datetime.date,
    kind: str,
    description: str,
    correction_field: str,
    correction_value: str,
    categories: list[str] | None,
    purpose_codes: list[str] | None,
    language: str,
) -> PrivacyRequest:
    errors = request_fields_check(
        school_id=student.school_id,
        kind=kind,
        description=description,
        correction_field=correction_field,
        correction_value=correction_value,
        categories=categories,
        purpose_codes=purpose_codes,
    )
    if errors:
        raise RequestError(" ".join(str(m) for messages in errors.values() for m in messages))
    asked = {
        "kind": kind,
        "description": description.strip(),
        "correction_field": correction_field if kind == Kind.CORRECTION else "",
        "correction_value": (correction_value or "").strip() if kind == Kind.CORRECTION else "",
        "categories": sorted(set(categories or [])),
        "purpose_codes": sorted(set(purpose_codes or [])),
    }
    # The same request twice (a double click, a resent form) is one request; the same words
    # naming other data, categories or purposes are another request.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    for duplicate in PrivacyRequest.objects.filter(
        student=student, guardian=guardian, status__in=OPEN_STATUSES, kind=kind
    ):
        if all(getattr(duplicate, name) == value for name, value in asked.items()):
            return duplicate
    request = PrivacyRequest.objects.create(
        school_id=student.school_id,
        student=student,
        guardian=guardian,
        submitted_by=user,
        channel=channel,
        identity_check=identity_check,
        **asked,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        received_on=received_on,
        due_date=due_date_for(received_on),
    )
    _step(request, Step.RECEIVED, user, note=request.get_channel_display())
    _event(user, request, Action.CREATE)
    _notify(request.pk, "received")
    return request


@transaction.atomic
def request_submit(
    *,
    user: User,
    student: Student,
    guardian: Guardian,
    kind: str,
    description: str,
    correction_field: str = "",
    correction_value: str = "",
    categories: list[str] | None = None,
    purpose_codes: list[str] | None = None,
) -> PrivacyRequest:
    """A guardian with authority asks online; a logged-in verified account is their identity.
    Their language becomes the language of every letter about the request."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    if guardian.language != language and language in dict(settings.LANGUAGES):
        guardian.language = language
        guardian.save(update_fields=["language"])
    return _create(
        user=user,
        student=student,
        guardian=guardian,
        channel=Channel.PORTAL,
        identity_check=IdentityCheck.PORTAL_ACCOUNT,
        received_on=timezone.localdate(),
        kind=kind,
        description=description,
        correction_field=correction_field,
        correction_value=correction_value,
        categories=categories,
        purpose_codes=purpose_codes,
        language=language,
    )


@transaction.atomic
def request_register(
    *,
    user: User,
    student: Student,
    guardian: Guardian,
    identity_check: str,
    received_on: datetime.date,
    kind: str,
    description: str,
    correction_field: str = "",
    correction_value: str = "",
    categories: list[str] | None = None,
    purpose_codes: list[str] | None = None,
) -> PrivacyRequest:
    """Staff register a request that came in on paper, with how they verified the identity.
    The deadline runs from the day it was received, not the day it was typed in."""
    if identity_check not in IdentityCheck.values or identity_check == (
        IdentityCheck.PORTAL_ACCOUNT
    ):
        raise RequestError(_("Say how the requester's identity was verified."))
    if received_on > timezone.localdate():
        raise RequestError(_("The date of receipt cannot be in the future."))
    if received_on < timezone.localdate() - datetime.timedelta(days=31):
        raise RequestError(_("The date of receipt is more than a month ago: check the date."))
    link = Guardianship.objects.filter(student=student, guardian=guardian).first()
    if link is None or not link.has_authority:
        raise RequestError(_("Only a guardian with parental authority can make this request."))
    return _create(
        user=user,
        student=student,
        guardian=guardian,
        channel=Channel.PAPER,
        identity_check=identity_check,
        received_on=received_on,
        kind=kind,
        description=description,
        correction_field=correction_field,
        correction_value=correction_value,
        categories=categories,
        purpose_codes=purpose_codes,
        language=guardian.language,
    )


# --- Workflow --------------------------------------------------------------------------------


def _locked(request: PrivacyRequest, *allowed: str) -> PrivacyRequest:
    locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if allowed and locked.status not in allowed:
        raise RequestStateError(
            _("This request is now “%(status)s”; reload the page to see what changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _set_status(request: PrivacyRequest, status: Status) -> None:
    request.status = status
    fields = ["status"]
    if status in (Status.COMPLETED, Status.REJECTED):
        request.closed_at = timezone.now()
        fields.append("closed_at")
    request.save(update_fields=fields)


@transaction.atomic
def request_start(*, user: User, request: PrivacyRequest) -> PrivacyRequest:
    request = _locked(request, Status.RECEIVED, Status.WAITING)
    resumed = request.status == Status.WAITING
    _set_status(request, Status.IN_PROGRESS)
    _step(request, Step.RESUMED if resumed else Step.STARTED, user)
    _event(user, request)
    return request


@transaction.atomic
def request_wait(*, user: User, request: PrivacyRequest, question: str) -> PrivacyRequest:
    """Ask the requester for something (which data exactly, a document); they are emailed.
    The deadline keeps running: the law does not pause it."""
    if not question.strip():
        raise RequestError(_("Write what you need from the requester."))
    request = _locked(request, Status.RECEIVED, Status.IN_PROGRESS)
    _set_status(request, Status.WAITING)
    _step(request, Step.WAITING, user, note=question.strip())
    _event(user, request)
    _notify(request.pk, "waiting")
    return request


@transaction.atomic
def request_extend(
    *, user: User, request: PrivacyRequest, months: int, reason: str
) -> PrivacyRequest:
    """Extend by one or two months in total (never more), with reasons, within the first
    month; the requester is told at once (AVG art. 12(3))."""
    if not reason.strip():
        raise RequestError(_("An extension needs a reason, which the requester is told."))
    request = _locked(request, *OPEN_STATUSES)
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise RequestError(_("The deadline can be extended by at most two months."))
    if months <= request.extension_months:
        raise RequestError(
            _("The deadline is already extended by %(n)s month(s).")
            % {"n": request.extension_months}
        )
    if timezone.localdate() > request.original_due_date:
        raise RequestError(
            _("An extension must be decided and told within the first month; that has passed.")
        )
    request.extension_months = months
    request.extension_reason = reason.strip()
    request.due_date = due_date_for(request.received_on, months)
    request.save(update_fields=["extension_months", "extension_reason", "due_date"])
    _step(request, Step.EXTENDED, user, note=reason.strip())
    _event(user, request)
    _notify(request.pk, "extended")
    return request


@transaction.atomic
def request_reject(*, user: User, request: PrivacyRequest, reason: str) -> PrivacyRequest:
    """Refuse with reasons; the letter names the right to complain to the AP."""
    if not reason.strip():
        raise RequestError(_("A rejection needs a reason, which the requester is told."))
    request = _locked(request, *OPEN_STATUSES)
    request.decision_reason = reason.strip()
    request.save(update_fields=["decision_reason"])
    _set_status(request, Status.REJECTED)
    _step(request, Step.REJECTED, user, note=reason.strip())
    _event(user, request)
    _notify(request.pk, "rejected")
    return request


def _complete(user: User, request: PrivacyRequest, outcome: str) -> None:
    request.outcome = outcome
    request.save(update_fields=["outcome"])
    _set_status(request, Status.COMPLETED)
    _step(request, Step.COMPLETED, user, note=outcome)
    _event(user, request)
    _notify(request.pk, "completed")


@transaction.atomic
def request_complete(*, user: User, request: PrivacyRequest, outcome: str) -> PrivacyRequest:
    """Close a request that was handled by hand (a correction of "something else")."""
    request = _locked(request, *OPEN_STATUSES)
    if not (request.kind == Kind.CORRECTION and request.correction_field == "other"):
        raise RequestStateError(
            _("This kind of request is completed by its own step (release, accept, decide).")
        )
    if not outcome.strip():
        raise RequestError(_("Tell the requester what was done."))
    _complete(user, request, outcome.strip())
    return request


# --- Correction ------------------------------------------------------------------------------


@transaction.atomic
def correction_accept(*, user: User, request: PrivacyRequest) -> PrivacyRequest:
    """Apply the proposed value through the normal pupil service (audited), tell the
    requester, and keep the old value on the request as evidence."""
    request = _locked(request, *OPEN_STATUSES)
    if request.kind != Kind.CORRECTION or request.correction_field == "other":
        raise RequestStateError(_("There is no proposed value to apply."))
    try:
        old = student_details_correct(
            actor=user,
            student=request.student,
            field=request.correction_field,
            raw_value=request.correction_value,
        )
    except CorrectionError as exc:
        raise RequestError(exc.message) from exc
    request.correction_old_value = old
    request.save(update_fields=["correction_old_value"])
    _step(request, Step.CORRECTION_APPLIED, user)
    stored = current_value(Student.objects.get(pk=request.student_id), request.correction_field)
    _complete(
        user,
        request,
        _("%(field)s was corrected to “%(value)s”.")
        % {"field": request.get_correction_field_display(), "value": stored},
    )
    return request


# --- Restriction and objection ---------------------------------------------------------------


@transaction.atomic
def limit_accept(*, user: User, request: PrivacyRequest, note: str = "") -> PrivacyRequest:
    request = _locked(request, *OPEN_STATUSES)
    if request.kind not in (Kind.RESTRICTION, Kind.OBJECTION):
        raise RequestStateError(_("Only a restriction or objection is accepted this way."))
    kind = LimitKind.RESTRICTION if request.kind == Kind.RESTRICTION else LimitKind.OBJECTION
    limit = processing_limit_start(
        actor=user,
        student=request.student,
        kind=kind,
        categories=request.categories,
        purpose_codes=request.purpose_codes,
        request_id=request.pk,
        reason=note.strip() or request.description,
    )
    request.limit_id = limit.pk
    request.save(update_fields=["limit_id"])
    _step(request, Step.LIMIT_STARTED, user, note=note.strip())
    if kind == LimitKind.RESTRICTION:
        outcome = _(
            "Your child's data is now restricted: it stays stored but is not used or passed on, "
            "except where the law requires it, until the restriction is lifted."
        )
    else:
        outcome = _(
            "Your objection is accepted: the optional processing you named has stopped for "
            "your child."
        )
    _complete(user, request, outcome)
    return request


@transaction.atomic
def limit_lift(*, user: User, limit: ProcessingLimit, reason: str) -> ProcessingLimit:
    """Lift a restriction or objection; the guardian who asked for it is told."""
    limit = processing_limit_lift(actor=user, limit=limit, reason=reason)
    request = PrivacyRequest.objects.filter(pk=limit.request_id).first()
    if request is not None:
        _step(request, Step.LIMIT_LIFTED, user, note=limit.lift_reason)
        _notify(request.pk, "lifted")
    return limit


# --- Erasure ---------------------------------------------------------------------------------


@transaction.atomic
def erasure_assess(
    *, user: User, request: PrivacyRequest, erase: list[str], keep: dict[str, str]
) -> PrivacyRequest:
    """Staff weigh each category against legal obligations and retention: what to erase, and
    for what to keep, why. The director decides afterwards."""
    request = _locked(request, *OPEN_STATUSES)
    if request.kind != Kind.ERASURE:
        raise RequestStateError(_("Only an erasure request is assessed this way."))
    erase = [c for c in ErasureCategory.values if c in set(erase)]
    missing = [
        c for c in ErasureCategory.values if c not in erase and not (keep.get(c) or "").strip()
    ]
    if missing:
        labels = ", ".join(str(ErasureCategory(c).label) for c in missing)
        raise RequestError(
            _("For every category you keep, give the reason: %(labels)s") % {"labels": labels}
        )
    request.erasure_assessment = {
        "erase": erase,
        "keep": {c: keep[c].strip() for c in ErasureCategory.values if c not in erase},
        "by": user.pk,
        "at": timezone.now().isoformat(),
    }
    request.save(update_fields=["erasure_assessment"])
    if request.status == Status.RECEIVED:
        _set_status(request, Status.IN_PROGRESS)
    _step(request, Step.ERASURE_ASSESSED, user, shown=False)
    _event(user, request)
    return request


@transaction.atomic
def erasure_decide(
    *, user: User, request: PrivacyRequest, approve: bool, reason: str = ""
) -> PrivacyRequest:
    """The director decides on the assessment. Approved: the categories are erased in this
    transaction and the requester gets what was erased and what was kept, and why."""
    request = _locked(request, *OPEN_STATUSES)
    if request.kind != Kind.ERASURE or not request.erasure_assessment:
        raise RequestStateError(_("Assess the request before deciding on it."))
    if not approve:
        request_reject(user=user, request=request, reason=reason)
        request.refresh_from_db()
        return request
    assessment = request.erasure_assessment
    counts = erase_categories(actor=user, student=request.student, categories=assessment["erase"])
    kept = [
        {"category": str(ErasureCategory(c).label), "reason": why}
        for c, why in assessment["keep"].items()
    ] + always_kept()
    request.erasure_result = {
        "erased": [
            {"category": str(ErasureCategory(c).label), "count": counts.get(c, 0)}
            for c in assessment["erase"]
        ],
        "kept": kept,
    }
    request.save(update_fields=["erasure_result"])
    _step(request, Step.ERASURE_DONE, user)
    _complete(user, request, reason.strip() or _("The data listed below was erased."))
    return request


# --- Access package --------------------------------------------------------------------------


@transaction.atomic
def package_start(*, user: User, request: PrivacyRequest) -> AccessPackage:
    """Start (or restart after a failure) the job; harmless when it is running or done."""
    from .tasks import package_build_task

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
    from .document import package_pdf
    from .package import package_data, package_sections

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
        % {"date": timezone.localdate(package.expires_at).isoformat()},
    )
    return package


@transaction.atomic
def package_download_record(*, user: User, package: AccessPackage, fmt: str) -> None:
    event_record(
        user=user,
        action=Action.EXPORT,
        object_type="access_package",
        object_id=package.pk,
        student_id=package.request.student_id,
        school_id=package.request.school_id,
        data_kind=DataKind.REQUEST,
    )
    _step(package.request, Step.PACKAGE_DOWNLOADED, user, note=fmt.upper())


# --- Notifications ---------------------------------------------------------------------------


def request_notify(*, request_id: int, what: str) -> int:
    """Email the requester (in their language) about one step; on receipt also the other
    guardians with authority. Returns the number of emails sent."""
    request = PrivacyRequest.objects.select_related("student", "school", "guardian").get(
        pk=request_id
    )
    sent = 0
    note_step = {"waiting": Step.WAITING, "lifted": Step.LIMIT_LIFTED}.get(what)
    note = ""
    if note_step:
        last = request.steps.filter(step=note_step).order_by("-created_at", "-id").first()
        note = last.note if last else ""
    context = {"request": request, "note": note}
    if request.guardian.email:
        with translation.override(request.language):
            subject = _("%(kind)s for %(child)s: %(status)s") % {
                "kind": request.get_kind_display(),
                "child": request.student.given_name,
                "status": _step_subject(what),
            }
            body = render_to_string(f"privacy_requests/email_{what}.txt", context)
        send_mail(subject, body, None, [request.guardian.email])
        sent += 1
    if what == "received":
        others = (
            Guardian.objects.filter(links__student=request.student, links__has_authority=True)
            .exclude(pk=request.guardian_id)
            .exclude(email="")
        )
        for other in others:
            with translation.override(other.language):
                subject = _("A privacy request was made for %(child)s") % {
                    "child": request.student.given_name
                }
                body = render_to_string(
                    "privacy_requests/email_other_guardian.txt", {**context, "guardian": other}
                )
            send_mail(subject, body, None, [other.email])
            sent += 1
    return sent


def _step_subject(what: str) -> str:
    return {
        "received": _("received"),
        "waiting": _("we need something from you"),
        "extended": _("deadline extended"),
        "completed": _("completed"),
        "rejected": _("rejected"),
        "lifted": _("lifted"),
    }[what]


def requests_due_soon_notify(*, today: datetime.date | None = None) -> int:
    """Email each school's handlers the open requests that are overdue or due within a week."""
    from students.models import SchoolUserObjectPermission

    from .constants import DUE_SOON_DAYS

    today = today or timezone.localdate()
    pending = list(
        PrivacyRequest.objects.filter(
            status__in=OPEN_STATUSES, due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        )
        .select_related("school")
        .order_by("school_id", "due_date", "id")
    )
    by_school: dict[int, list[PrivacyRequest]] = {}
    for request in pending:
        by_school.setdefault(request.school_id, []).append(request)
    sent = 0
    for school_id, requests in by_school.items():
        emails = list(
            User.objects.filter(
                is_active=True,
                pk__in=SchoolUserObjectPermission.objects.filter(
                    content_object_id=school_id, permission__codename="handle_school_requests"
                ).values("user_id"),
            ).values_list("email", flat=True)
        )
        if not emails:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Privacy requests due soon: %(count)s") % {"count": len(requests)}
            body = render_to_string(
                "privacy_requests/email_due_soon.txt", {"requests": requests, "today": today}
            )
        send_mail(subject, body, None, emails)
        sent += len(emails)
    return sent
