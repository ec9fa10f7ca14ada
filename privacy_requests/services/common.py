"""What every step shares: the errors, the timeline, the audit event, the row lock and
the email after commit."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from students.exceptions import StudentError

from ..constants import (
    ActorKind,
    Status,
    Step,
)
from ..models import PrivacyRequest, RequestStep

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 5000


class RequestError(StudentError):
    default_message = gettext_lazy("This request cannot be handled like this.")


class RequestStateError(RequestError):
    """The request is not in a state that allows this step (often: someone was quicker)."""

    status_code = 409


def _notify(request_id: int, what: str) -> None:
    from ..tasks import request_notify_task

    transaction.on_commit(partial(request_notify_task.delay, request_id, what))


def _step(
    request: PrivacyRequest,
    step: Step,
    actor: User | None,
    note: str = "",
    shown=True,
    kind: ActorKind = ActorKind.SCHOOL,
):
    """One entry on the timeline. ``kind`` says in which capacity ``actor`` acted (a member
    of staff unless the caller says a guardian did); no actor means the system did."""
    RequestStep.objects.create(
        request=request,
        step=step,
        actor=actor,
        actor_kind=ActorKind.SYSTEM if actor is None else kind,
        note=note,
        shown_to_requester=shown,
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


def _complete(user: User, request: PrivacyRequest, outcome: str) -> None:
    request.outcome = outcome
    request.save(update_fields=["outcome"])
    _set_status(request, Status.COMPLETED)
    _step(request, Step.COMPLETED, user, note=outcome)
    _event(user, request)
    _notify(request.pk, "completed")
