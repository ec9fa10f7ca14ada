"""The school's decision on an application, on time (DOMAIN, "Pupil administration"; docs/
domain.md, "Admissions"): extend once by 4 weeks, refuse, record a withdrawal by the parents,
or enrol. Each decision locks the application's row (two people cannot decide twice), writes
an entry on its timeline and an access event, and e-mails the applicant's address that there
is news, with the link to the follow page, never the child's data.

Opening an application, and reading its sealed answers (support needs, religion: only the
director and the care coordinator), are services too: each is an access event.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.constants import Function
from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.exceptions import DomainError
from students.models import Group, Student
from students.services.enrolment import GuardianDetails, PupilDetails, pupil_enrol

from ..constants import DECISION_PERIOD, EXTENSION_PERIOD, OPEN_STATUSES, ApplicationStatus
from ..constants import TimelineKind as Kind
from ..follow import follow_path
from ..models import Application, ApplicationEvent
from ..selectors.decisions import READ_SUPPORT, application_get_for, may
from ..tasks import application_news_mail_task


class DecisionError(DomainError):
    """The decision cannot be taken (now): a rule, or someone was quicker."""

    default_message = gettext_lazy("This decision cannot be taken now.")
    status_code = 409


# --- Reads that leave evidence ----------------------------------------------------------


def application_open_for(*, user: User, application_id) -> Application:
    """Open an application (its child and guardians): an access event."""
    application = application_get_for(user=user, application_id=application_id)
    _event(user, application, Action.VIEW)
    return application


@dataclass(frozen=True)
class SealedAnswers:
    support_needs: str
    religion: str


def application_answers_read(*, user: User, application: Application) -> SealedAnswers | None:
    """The sealed answers for the director and the care coordinator of the application's
    school, each read an access event of its special kind; None for anyone else (the
    administration that handles the inbox never reads them)."""
    if not may(user, application, READ_SUPPORT, Function.READ_APPLICATION_SUPPORT):
        return None
    for kind in (DataKind.CARE, DataKind.RELIGION):
        _event(user, application, Action.VIEW, data_kind=kind)
    return SealedAnswers(support_needs=application.support_needs, religion=application.religion)


# --- Decisions ---------------------------------------------------------------------------


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DecisionError(message, field_errors={field: [message]})
    return value


def _locked_open(application: Application) -> Application:
    """The application's row, locked until the decision commits; refused once decided (the
    decision another person took while this one was on the page)."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("school", "school__board")
        .get(pk=application.pk)
    )
    if locked.status not in OPEN_STATUSES:
        raise DecisionError(
            _("This application was decided meanwhile (%(status)s); reload it to see what changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _record(*, user: User, application: Application, kind: Kind, note: str = "", what: str) -> None:
    ApplicationEvent.objects.create(application=application, kind=kind, actor=user, note=note)
    _event(user, application, Action.UPDATE)
    # Sent by a worker once the decision commits, never inside the request.
    transaction.on_commit(
        partial(application_news_mail_task.delay, application_id=application.pk, what=what)
    )


def _event(user: User, application: Application, action: Action, data_kind=DataKind.BASICS):
    event_record(
        user=user,
        action=action,
        object_type="application",
        object_id=application.pk,
        school_id=application.school_id,
        data_kind=data_kind,
    )


def _decided(application: Application, user: User, status: ApplicationStatus) -> None:
    application.status = status
    application.decided_on = timezone.localdate()
    application.decided_by = user


@transaction.atomic
def application_extend(*, user: User, application: Application, reason: str) -> Application:
    """Extend the decision period once by 4 weeks, before it ends, with the reason the parents
    read on their follow page (their e-mail says only that the school needs more time)."""
    reason = _required(
        reason, "reason", _("Give the reason for the extension; the parents are told it.")
    )
    locked = _locked_open(application)
    if locked.extended_on is not None:
        raise DecisionError(
            _(
                "The decision period was already extended on %(date)s. It can be extended "
                "only once: decide by %(due)s."
            )
            % {
                "date": locked.extended_on.strftime("%d-%m-%Y"),
                "due": _due(locked).strftime("%d-%m-%Y"),
            }
        )
    today = timezone.localdate()
    due = _due(locked)
    if due < today:
        raise DecisionError(
            _(
                "The 6 weeks ended on %(date)s: the period can only be extended before it "
                "ends. Decide now."
            )
            % {"date": due.strftime("%d-%m-%Y")}
        )
    locked.status = ApplicationStatus.EXTENDED
    locked.extended_on = today
    locked.extension_reason = reason
    locked.decision_due_on = due + EXTENSION_PERIOD
    locked.save(update_fields=["status", "extended_on", "extension_reason", "decision_due_on"])
    _record(user=user, application=locked, kind=Kind.EXTENDED, note=reason, what="extended")
    return locked


def _due(application: Application) -> datetime.date:
    if application.decision_due_on is not None:
        return application.decision_due_on
    if application.complete_on is None:  # never complete: no clock runs
        raise DecisionError(_("This application is not complete: no decision period runs."))
    return application.complete_on + DECISION_PERIOD


@transaction.atomic
def application_refuse(
    *, user: User, application: Application, reason: str, referral_school: str = ""
) -> Application:
    """Refuse, with the reason and, when the school cannot offer the support the child needs,
    the school that can. At a public school the refusal letter is a formal decision with the
    objection clause (``admissions.document_decisions``)."""
    reason = _required(reason, "reason", _("Give the reason for the refusal."))
    locked = _locked_open(application)
    _decided(locked, user, ApplicationStatus.REFUSED)
    locked.refusal_reason = reason
    locked.referral_school = (referral_school or "").strip()
    locked.save(
        update_fields=["status", "decided_on", "decided_by", "refusal_reason", "referral_school"]
    )
    _record(user=user, application=locked, kind=Kind.REFUSED, note=reason, what="refused")
    return locked


@transaction.atomic
def application_withdraw(*, user: User, application: Application, note: str) -> Application:
    """Record that the parents withdrew the application (they told the school), with a note."""
    note = _required(note, "note", _("Note how and when the parents withdrew the application."))
    locked = _locked_open(application)
    _decided(locked, user, ApplicationStatus.WITHDRAWN)
    locked.withdrawal_note = note
    locked.save(update_fields=["status", "decided_on", "decided_by", "withdrawal_note"])
    _record(user=user, application=locked, kind=Kind.WITHDRAWN, note=note, what="withdrawn")
    return locked


@transaction.atomic
def application_enrol(
    *,
    user: User,
    application: Application,
    group: Group,
    start_date: datetime.date,
    pupil: PupilDetails,
    guardians: Sequence[GuardianDetails],
    request_base: str = "",
) -> Student:
    """Enrol the child through the one enrolment service (``pupil_enrol``: the pupil, the
    guardians and their invitations), link the pupil to the application and close it as
    enrolled. A refusal of the enrolment (``EnrolmentError``, per field) writes nothing."""
    locked = _locked_open(application)
    student = pupil_enrol(
        user=user,
        school=locked.school,
        group=group,
        start_date=start_date,
        pupil=pupil,
        guardians=guardians,
        request_base=request_base,
    )
    _decided(locked, user, ApplicationStatus.ENROLLED)
    locked.student = student
    locked.save(update_fields=["status", "decided_on", "decided_by", "student"])
    note = _("Group %(group)s from %(date)s") % {
        "group": group.name,
        "date": start_date.strftime("%d-%m-%Y"),
    }
    _record(user=user, application=locked, kind=Kind.ENROLLED, note=note, what="enrolled")
    return student


# --- The e-mail: only that there is news -------------------------------------------------


def _news_line(what: str) -> str:
    if what == "extended":
        return _("The school needs more time to decide on your application.")
    return _("The school has decided on your application.")


def application_notify(*, application_id: int, what: str) -> int:
    """E-mail the applicant's address that there is news (in the school's language), with a
    fresh link to the follow page (the task ``application_news_mail_task``). It names the
    school and the reference, never the child. Returns the number of e-mails sent (0 once the
    application is gone)."""
    application = Application.objects.select_related("school").filter(pk=application_id).first()
    if application is None or not application.email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("News about your application %(reference)s") % {
            "reference": application.reference
        }
        body = render_to_string(
            "admissions/decisions/email_news.txt",
            {
                "application": application,
                "school": application.school.name,
                "news": _news_line(what),
                "link": f"{settings.SITE_URL}{follow_path(application)}",
            },
        )
    send_mail(subject, body, None, [application.email])
    return 1
