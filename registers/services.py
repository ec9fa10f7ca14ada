"""Writes for the breach register: record, assess and decide within 72 hours, note the
notification to the Autoriteit Persoonsgegevens and to the people concerned, find the pupils
concerned from the portal's own evidence, and remind while the decision is open. Every change
lands on the breach's timeline with who and when."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from students.exceptions import StudentError
from students.models import School, SchoolUserObjectPermission

from .constants import REMINDER_HOURS, ActorKind, BreachStatus, PupilSource, Risk
from .models import Breach, BreachPupil, BreachStep

EDITABLE = (
    "occurred_at",
    "aware_at",
    "description",
    "categories",
    "authority_notified_on",
    "authority_reference",
    "people_informed",
    "informed_how",
    "measures",
)


class BreachError(StudentError):
    pass


def _shown(name: str, value) -> str:
    """A value as the timeline shows it: a choice by its label, yes/no, a local date."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if name == "risk":
        return str(dict(Risk.choices).get(value, value))
    if name == "categories":
        from students.attributes import DataCategory

        labels = dict(DataCategory.choices)
        return "; ".join(str(labels.get(c, c)) for c in value)
    return str(value)


def _field(name: str) -> models.Field:
    """A field of the breach's own row: the changes compare those only."""
    field = Breach._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"Breach.{name} is not a field of its own.")
    return field


def _changes(before: dict, after: dict) -> dict:
    """Readable before/after per changed field (labels in the language of the moment)."""
    return {
        "fields": [
            {
                "field": name,
                "label": str(_field(name).verbose_name),
                "before": _shown(name, before[name]),
                "after": _shown(name, after[name]),
            }
            for name in after
            if before.get(name) != after[name]
        ]
    }


def _actor_kind(user) -> ActorKind:
    """The capacity a step is taken in: the board's privacy officer acts for the board, a
    director for the school; without a person, the portal (a job) took it."""
    if user is None:
        return ActorKind.SYSTEM
    return ActorKind.BOARD if user.has_role(Role.PRIVACY_OFFICER) else ActorKind.SCHOOL


def _step(breach: Breach, user, summary: str, changes: dict | None = None) -> None:
    BreachStep.objects.create(
        breach=breach,
        actor=user,
        actor_kind=_actor_kind(user),
        summary=summary,
        changes=changes or {},
    )
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="breach",
        object_id=breach.pk,
        school_id=breach.school_id,
        data_kind=DataKind.AUDIT,
    )


# Earlier moments are typing errors (and before 1937 the local time had an offset in seconds,
# which no API date-time can carry).
EARLIEST_BREACH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _check_times(occurred_at, aware_at) -> None:
    now = timezone.now()
    if occurred_at < EARLIEST_BREACH:
        raise BreachError(_("A breach cannot have happened before 2000."))
    if aware_at < occurred_at:
        raise BreachError(_("The school cannot have become aware before it happened."))
    if aware_at > now + datetime.timedelta(minutes=5) or occurred_at > now:
        raise BreachError(_("These moments cannot be in the future."))


@transaction.atomic
def breach_record(
    *,
    user: User,
    board_id: int,
    school: School | None,
    occurred_at: datetime.datetime,
    aware_at: datetime.datetime,
    description: str,
    categories: list[str] | None = None,
) -> Breach:
    if not (description or "").strip():
        raise BreachError(_("Describe what happened."))
    _check_times(occurred_at, aware_at)
    breach = Breach.objects.create(
        board_id=board_id,
        school=school,
        occurred_at=occurred_at,
        aware_at=aware_at,
        description=description.strip(),
        categories=sorted(set(categories or [])),
        created_by=user,
    )
    _step(breach, user, _("Breach recorded"))
    return breach


@transaction.atomic
def breach_update(*, user: User, breach: Breach, **fields) -> Breach:
    """Change the recorded facts; each change is on the timeline with before and after."""
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.status == BreachStatus.CLOSED:
        raise BreachError(_("This breach is closed; its record can no longer change."))
    before, after = {}, {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise BreachError(_("This field cannot be changed here."))
        if getattr(breach, name) != value:
            before[name], after[name] = getattr(breach, name), value
            setattr(breach, name, value)
    if not after:
        return breach
    changes = _changes(before, after)
    _check_times(breach.occurred_at, breach.aware_at)
    if breach.authority_notified_on and not breach.authority_reference.strip():
        raise BreachError(_("Give the AP's reference of the notification."))
    breach.save()
    _step(breach, user, _("Breach updated"), changes)
    return breach


@transaction.atomic
def breach_decide(
    *, user: User, breach: Breach, risk: str, notify_authority: bool, reason: str
) -> Breach:
    """The assessment: the risk to the people concerned and whether to notify the AP, and
    why. A high risk means the people concerned must be informed too."""
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.status == BreachStatus.CLOSED:
        raise BreachError(_("This breach is closed; its record can no longer change."))
    if risk not in Risk.values:
        raise BreachError(_("Choose the risk."))
    if not (reason or "").strip():
        raise BreachError(_("Explain the decision; the register must say why."))
    if risk == Risk.UNLIKELY and notify_authority is None:
        notify_authority = False
    if risk in (Risk.RISK, Risk.HIGH) and not notify_authority:
        raise BreachError(
            _("A breach that is a risk to the people concerned must be notified to the AP.")
        )
    before = {
        "risk": breach.risk,
        "notify_authority": breach.notify_authority,
        "decision_reason": breach.decision_reason,
    }
    breach.risk = risk
    breach.notify_authority = notify_authority
    breach.decision_reason = reason.strip()
    breach.status = BreachStatus.DECIDED
    if breach.decided_at is None:
        breach.decided_at = timezone.now()
        breach.decided_by = user
    breach.save()
    after = {
        "risk": risk,
        "notify_authority": notify_authority,
        "decision_reason": reason.strip(),
    }
    _step(breach, user, _("Decision recorded"), _changes(before, after))
    return breach


@transaction.atomic
def breach_close(*, user: User, breach: Breach) -> Breach:
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.status == BreachStatus.OPEN:
        raise BreachError(_("Record the decision before closing the breach."))
    if breach.notify_authority and not breach.authority_notified_on:
        raise BreachError(_("Record the notification to the AP before closing the breach."))
    if breach.risk == Risk.HIGH and not breach.people_informed:
        raise BreachError(
            _("With a high risk the people concerned must be informed before closing.")
        )
    breach.status = BreachStatus.CLOSED
    breach.save(update_fields=["status"])
    _step(breach, user, _("Breach closed"))
    return breach


@transaction.atomic
def breach_pupils_add(
    *, user: User, breach: Breach, student_ids: list[int], source: str, note: str = ""
) -> int:
    """Link the pupils concerned (each once); returns how many were new."""
    existing = set(breach.pupil_links.values_list("student_id", flat=True))
    new = [sid for sid in dict.fromkeys(student_ids) if sid not in existing]
    BreachPupil.objects.bulk_create(
        [BreachPupil(breach=breach, student_id=sid, source=source) for sid in new]
    )
    label = dict(PupilSource.choices)[source]
    _step(
        breach,
        user,
        _("%(count)s pupil(s) added: %(how)s") % {"count": len(new), "how": label},
        {"source": source, "note": note, "added": len(new)},
    )
    return len(new)


def notice_drafts(breach: Breach, student, *, with_name: bool = True) -> dict[str, str]:
    """A draft letter to the guardians of one pupil, in Dutch and in English. Without the
    name (for the board's privacy officer, who sees no pupil basics) it leaves a blank."""
    drafts: dict[str, str] = {}
    for language in ("nl", "en"):
        with translation.override(language):
            drafts[language] = render_to_string(
                "registers/notice.txt",
                {
                    "breach": breach,
                    "student": student,
                    # The school fills in the name the board's privacy officer may not see.
                    "name": student.given_name if with_name else _("[name of the pupil]"),
                },
            )
    return drafts


def breach_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """At 24 and 48 hours after becoming aware, while the decision is open, remind the
    board's privacy officers and the school's director. Each reminder is sent once."""
    now = now or timezone.now()
    sent = 0
    for breach in Breach.objects.filter(status=BreachStatus.OPEN):
        due = [
            hours
            for hours in REMINDER_HOURS
            if hours not in breach.reminders_sent
            and now >= breach.aware_at + datetime.timedelta(hours=hours)
        ]
        if not due:
            continue
        with transaction.atomic():
            locked = Breach.objects.select_for_update().get(pk=breach.pk)
            due = [h for h in due if h not in locked.reminders_sent]
            if not due or locked.status != BreachStatus.OPEN:
                continue
            locked.reminders_sent = sorted({*locked.reminders_sent, *due})
            locked.save(update_fields=["reminders_sent"])
            recipients = _responsible(locked)
            if recipients:
                with translation.override(settings.LANGUAGE_CODE):
                    subject = _("Data breach %(id)s: decide by %(due)s") % {
                        "id": locked.pk,
                        "due": date_format(
                            timezone.localtime(locked.decision_due), "SHORT_DATETIME_FORMAT"
                        ),
                    }
                    body = render_to_string(
                        "registers/email_reminder.txt", {"breach": locked, "hours": max(due)}
                    )
                send_mail(subject, body, None, recipients)
                sent += len(recipients)
    return sent


def _responsible(breach: Breach) -> list[str]:
    schools = (
        [breach.school_id]
        if breach.school_id
        else list(School.objects.filter(board_id=breach.board_id).values_list("pk", flat=True))
    )
    user_ids = SchoolUserObjectPermission.objects.filter(
        content_object_id__in=schools, permission__codename="manage_school_breaches"
    ).values("user_id")
    users = User.objects.filter(pk__in=user_ids, is_active=True)
    if not breach.school_id:
        users = users.filter(groups__name=Role.PRIVACY_OFFICER)
    return sorted(set(users.values_list("email", flat=True)))
