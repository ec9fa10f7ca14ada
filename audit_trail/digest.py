"""The daily digest of denied access attempts (possible misuse) for the privacy officer.

Each attempt counts under the school of the pupil or object it concerned (recorded with the
event), so the digest and the school's audit trail agree. Each privacy officer receives the
lines of the schools they oversee, and the attempts that concern no school (logins, board-wide
objects), exactly what their audit trail shows them."""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from audit.constants import Outcome
from audit.models import AccessEvent, AuditChainHead
from students.models import School
from students.selectors import audit_school_ids_for

from .models import DigestRun

logger = logging.getLogger(__name__)


def denied_digest_send(*, day: datetime.date | None = None) -> DigestRun:
    """Send the digest for one day once. Safe to run twice: the run row is locked and marked."""
    day = day or timezone.localdate() - datetime.timedelta(days=1)
    with transaction.atomic():
        run, _created = DigestRun.objects.get_or_create(day=day)
        run = DigestRun.objects.select_for_update().get(pk=run.pk)
        if run.sent_at is not None:
            return run
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        end = start + datetime.timedelta(days=1)
        rows = list(
            AccessEvent.objects.filter(
                outcome=Outcome.DENIED, created_at__gte=start, created_at__lt=end
            )
            .values("school_id", "role")
            .annotate(attempts=Count("id"))
            .order_by("school_id", "role")
        )
        names = dict(School.objects.values_list("pk", "name"))
        officers = list(
            User.objects.filter(groups__name=Role.PRIVACY_OFFICER, is_active=True)
            .exclude(email="")
            .distinct()
            .order_by("pk")
        )
        total = sum(row["attempts"] for row in rows)
        head = AuditChainHead.objects.filter(pk=1).first()
        # The chain's end, kept in the officer's mailbox, outside the database:
        # ``audit_verify --expect`` proves later it was not rewritten.
        anchor = f"{head.seq}:{head.seal}" if head and head.seq else ""
        for officer in officers:
            oversees = set(
                audit_school_ids_for(officer).values_list("content_object_id", flat=True)
            )
            mine = [row for row in rows if row["school_id"] is None or row["school_id"] in oversees]
            _send(officer.email, day=day, rows=mine, names=names, anchor=anchor)
        run.sent_at = timezone.now()
        run.denied_count = total
        run.save(update_fields=["sent_at", "denied_count"])
    logger.info("audit digest: day=%s denied=%d recipients=%d", day, total, len(officers))
    return run


def _send(email: str, *, day: datetime.date, rows: list[dict], names: dict, anchor: str) -> None:
    total = sum(row["attempts"] for row in rows)
    with translation.override("nl"):
        lines = [
            {
                "school": names.get(row["school_id"], _("No school (account events)")),
                "role": row["role"] or _("not logged in"),
                "attempts": row["attempts"],
            }
            for row in rows
        ]
        body = render_to_string(
            "audit_trail/denied_digest.txt",
            {"day": day, "lines": lines, "total": total, "anchor": anchor},
        )
        subject = _("Denied access attempts on %(day)s: %(total)s") % {
            "day": date_format(day, "DATE_FORMAT"),
            "total": total,
        }
    send_mail(subject, body, None, [email])
