"""The workflow with its legal deadline, and the steps per kind of request: correction,
restriction and objection, erasure."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from students.constants import LimitKind
from students.models import ProcessingLimit, Student
from students.services.limits import (
    CorrectionError,
    current_value,
    processing_limit_lift,
    processing_limit_start,
    student_details_correct,
)

from ..constants import (
    MAX_EXTENSION_MONTHS,
    OPEN_STATUSES,
    ErasureCategory,
    Kind,
    Status,
    Step,
)
from ..deadlines import due_date_for
from ..erasure import always_kept, erase_categories
from ..models import PrivacyRequest
from .common import (
    RequestError,
    RequestStateError,
    _complete,
    _event,
    _locked,
    _notify,
    _set_status,
    _step,
)


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
    request = None
    if limit.request_id is not None:  # a limit the school started itself has no request
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
    contradicted = [c for c in erase if (keep.get(c) or "").strip()]
    if contradicted:
        # A reason to keep what is to be erased is a contradiction, not something to drop.
        labels = ", ".join(str(ErasureCategory(c).label) for c in contradicted)
        raise RequestError(
            _("A reason to keep was given for a category to be erased: %(labels)s")
            % {"labels": labels}
        )
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
    counts = erase_categories(
        actor=user,
        student=request.student,
        categories=assessment["erase"],
        request_id=request.pk,
    )
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
