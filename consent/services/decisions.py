"""Guardians' decisions: appended as evidence, never updated; the status is derived
(consent/selectors/status.py). A decision that ends a pupil's consent flags the publications
showing them (publications.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from students.models import Guardian, Guardianship, Student
from students.services import pupil_require_enrolled

from ..constants import Channel, Decision, Status
from ..models import (
    ConsentDecision,
    ConsentPurpose,
)
from ..selectors.campaigns import campaign_lock_date
from ..selectors.status import current_school_year, statuses_for
from .common import ConsentError, ConsentLockedError, NotAGuardianError, _on_commit, _send
from .publications import takedowns_flag


@transaction.atomic
def consent_record(
    *,
    student: Student,
    purpose: ConsentPurpose,
    guardian_id: int,
    decision: str,
    channel: str,
    recorded_by: User,
) -> ConsentDecision:
    """Append a guardian's decision. Never updates earlier rows; the status is derived.

    Two guardians acting at once each append their own row, so nothing is lost. A refusal or
    withdrawal that ends the pupil's consent flags every published publication showing the
    pupil for that purpose for takedown.
    """
    from ..tasks import guardians_inform_task, takedowns_notify_task

    if purpose.school_id != student.school_id or not purpose.is_active:
        raise ConsentError(_("This purpose does not belong to the pupil's school."))
    if decision not in Decision.values:
        raise ConsentError(_("Choose granted, refused or withdrawn."))
    if decision == Decision.GRANTED:
        # A pupil who left gets no new consent; refusing and withdrawing stay possible at any
        # time (AVG art. 7(3)), also for a former pupil whose photos are still published.
        pupil_require_enrolled(student)
    if not Guardianship.objects.filter(
        student=student, guardian_id=guardian_id, has_authority=True
    ).exists():
        raise NotAGuardianError
    year = current_school_year()
    lock = campaign_lock_date(student.school_id, year)
    if (
        channel == Channel.PORTAL
        and decision == Decision.GRANTED
        and lock is not None
        and timezone.localdate() > lock
    ):
        # Withdrawing stays possible at any time (AVG art. 7(3)); giving consent after the
        # lock date goes through the school on paper.
        raise ConsentLockedError(
            _("Since %(date)s consent can no longer be given online; ask the school.")
            % {"date": date_format(lock, "DATE_FORMAT")}
        )
    version = purpose.current_version
    if version is None:  # purposes_seed gives every purpose its first text as it creates it
        raise ValueError("A consent purpose always has a current text.")
    row = ConsentDecision.objects.create(
        student=student,
        purpose=purpose,
        version=version,
        guardian_id=guardian_id,
        decision=decision,
        channel=channel,
        school_year=year,
        recorded_by=recorded_by,
    )
    event_record(
        user=recorded_by,
        action=Action.CREATE,
        object_type="consent",
        object_id=row.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.CONSENT,
    )
    if decision != Decision.GRANTED:
        status = statuses_for(student_ids=[student.pk], purposes=[purpose])[
            (student.pk, purpose.pk)
        ]
        if status != Status.GRANTED:
            flagged = takedowns_flag(decision=row)
            if flagged:
                _on_commit(takedowns_notify_task, row.pk)
    _on_commit(guardians_inform_task, row.pk)
    return row


def guardians_inform(*, decision_id: int) -> int:
    """Tell the other guardians with authority that a choice changed (no details by email)."""
    decision = ConsentDecision.objects.select_related("student", "purpose__current_version").get(
        pk=decision_id
    )
    recipients = list(
        Guardian.objects.filter(links__student_id=decision.student_id, links__has_authority=True)
        .exclude(pk=decision.guardian_id)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A consent choice for your child was changed")
    _send(
        subject,
        "consent/email_choice_changed.txt",
        {"decision": decision, "purpose_title": decision.purpose.title},
        recipients,
    )
    return len(recipients)
