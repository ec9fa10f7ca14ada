"""Emails about requests, in the guardian's language, and the handlers' daily reminder."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from students.models import Guardian

from ..constants import (
    OPEN_STATUSES,
    Step,
)
from ..models import PrivacyRequest


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

    from ..constants import DUE_SOON_DAYS

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
