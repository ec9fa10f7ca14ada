"""Writes of progress, care data and religion. Every write is an access event."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record

from ..constants import (
    ReligionConsentChannel,
    ReligionConsentDecision,
    ReligionStatus,
    WithholdStatus,
)
from ..exceptions import ConcurrentEditError, StudentError
from ..models import (
    CareRecord,
    Guardian,
    ProgressRecord,
    ReligionConsent,
    ReligionRecord,
    SchoolUserObjectPermission,
    Student,
)
from ..selectors.records import religion_consent_current, religion_writes_for_others
from .former import pupil_require_enrolled


def _event(*, user, action, student: Student, data_kind, object_type, object_id) -> None:
    event_record(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=data_kind,
    )


@transaction.atomic
def progress_record_add(
    *, user: User, student: Student, subject: str, period: str, result: str, note: str = ""
) -> ProgressRecord:
    pupil_require_enrolled(student)
    record = ProgressRecord.objects.create(
        student=student,
        group=student.group,
        subject=subject,
        period=period.strip(),
        result=result.strip(),
        note=note.strip(),
        recorded_by=user,
    )
    _event(
        user=user,
        action=Action.CREATE,
        student=student,
        data_kind=DataKind.PROGRESS,
        object_type="progress",
        object_id=record.pk,
    )
    return record


def _can_decide_withholding(user: User, student: Student) -> bool:
    return SchoolUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename="approve_school_withholding",
        content_object_id=student.school_id,
    ).exists()


@transaction.atomic
def care_record_create(
    *,
    user: User,
    student: Student,
    kind: str,
    content: str,
    justification: str,
    source: str,
    review_date: datetime.date,
    visibility: str,
    withhold_reason: str = "",
) -> CareRecord:
    pupil_require_enrolled(student)
    if not justification.strip():
        raise StudentError(_("Say why this is needed for the pupil's guidance."))
    record = CareRecord.objects.create(
        student=student,
        kind=kind,
        content=content.strip(),
        justification=justification.strip(),
        source=source,
        review_date=review_date,
        visibility=visibility,
        created_by=user,
    )
    _event(
        user=user,
        action=Action.CREATE,
        student=student,
        data_kind=DataKind.CARE,
        object_type="care_record",
        object_id=record.pk,
    )
    if withhold_reason.strip():
        care_withhold_request(user=user, record=record, reason=withhold_reason)
    return record


@transaction.atomic
def care_record_update(
    *,
    user: User,
    record: CareRecord,
    expected_updated_at: datetime.datetime,
    content: str,
    justification: str,
    kind: str,
    source: str,
    review_date: datetime.date,
    visibility: str,
) -> CareRecord:
    """Change a care record unless someone else changed it since the form was opened."""
    locked = (
        CareRecord.objects.select_for_update(of=("self",))
        .select_related("student")
        .get(pk=record.pk)
    )
    pupil_require_enrolled(locked.student)
    if locked.updated_at != expected_updated_at:
        raise ConcurrentEditError
    if not justification.strip():
        raise StudentError(_("Say why this is needed for the pupil's guidance."))
    locked.content = content.strip()
    locked.justification = justification.strip()
    locked.kind = kind
    locked.source = source
    locked.review_date = review_date
    locked.visibility = visibility
    locked.updated_at = timezone.now()
    locked.save(
        update_fields=[
            "content",
            "justification",
            "kind",
            "source",
            "review_date",
            "visibility",
            "updated_at",
        ]
    )
    _event(
        user=user,
        action=Action.UPDATE,
        student=locked.student,
        data_kind=DataKind.CARE,
        object_type="care_record",
        object_id=locked.pk,
    )
    return locked


@transaction.atomic
def care_withhold_request(*, user: User, record: CareRecord, reason: str) -> CareRecord:
    """Withhold a record from guardians. It is hidden from them at once; the director decides
    (a director's own request is decided with it)."""
    if not reason.strip():
        raise StudentError(_("Give the reason for withholding this record from the guardians."))
    locked = CareRecord.objects.select_for_update().select_related("student").get(pk=record.pk)
    locked.withhold_reason = reason.strip()
    locked.withhold_requested_by = user
    locked.withhold_status = WithholdStatus.REQUESTED
    locked.withhold_decided_by = None
    locked.withhold_decided_at = None
    if _can_decide_withholding(user, locked.student):
        locked.withhold_status = WithholdStatus.APPROVED
        locked.withhold_decided_by = user
        locked.withhold_decided_at = timezone.now()
    locked.updated_at = timezone.now()
    locked.save(
        update_fields=[
            "withhold_reason",
            "withhold_requested_by",
            "withhold_status",
            "withhold_decided_by",
            "withhold_decided_at",
            "updated_at",
        ]
    )
    _event(
        user=user,
        action=Action.UPDATE,
        student=locked.student,
        data_kind=DataKind.CARE,
        object_type="care_withholding",
        object_id=locked.pk,
    )
    return locked


@transaction.atomic
def care_withhold_decide(*, user: User, record: CareRecord, approve: bool) -> CareRecord:
    locked = CareRecord.objects.select_for_update().select_related("student").get(pk=record.pk)
    if locked.withhold_status != WithholdStatus.REQUESTED:
        raise StudentError(_("This withholding has already been decided."))
    locked.withhold_status = WithholdStatus.APPROVED if approve else WithholdStatus.REJECTED
    locked.withhold_decided_by = user
    locked.withhold_decided_at = timezone.now()
    locked.updated_at = timezone.now()
    locked.save(
        update_fields=[
            "withhold_status",
            "withhold_decided_by",
            "withhold_decided_at",
            "updated_at",
        ]
    )
    _event(
        user=user,
        action=Action.UPDATE,
        student=locked.student,
        data_kind=DataKind.CARE,
        object_type="care_withholding",
        object_id=locked.pk,
    )
    return locked


def _student_lock(student: Student) -> None:
    """Every writer of a pupil's religion entry or consent rows holds the pupil row first: a
    staff save can then never re-create an entry a parent's withdrawal is erasing."""
    Student.objects.select_for_update().filter(pk=student.pk).values_list("pk").first()


def _consent_guardian(student: Student, guardian_id) -> Guardian:
    guardian = Guardian.objects.filter(
        pk=guardian_id, links__student=student, links__has_authority=True
    ).first()
    if guardian is None:
        raise StudentError(
            _("Only a parent with parental authority can give or withdraw this consent.")
        )
    return guardian


def _consent_append(
    *, user: User, student: Student, guardian_id, decision: str, channel: str
) -> ReligionConsent:
    """A parent's own statement: in the portal by that parent, or from a signed paper form by
    staff with school-level write reach (who alone may name another parent)."""
    guardian = _consent_guardian(student, guardian_id)
    if channel == ReligionConsentChannel.PORTAL:
        allowed = guardian.user_id is not None and guardian.user_id == user.pk
    elif channel == ReligionConsentChannel.PAPER:
        allowed = religion_writes_for_others(user=user, student=student)
    else:
        allowed = False
    if not allowed:
        raise StudentError(_("This consent change is not possible."))
    return _consent_row(
        user=user, student=student, guardian=guardian, decision=decision, channel=channel
    )


def _consent_row(
    *, user: User | None, student: Student, guardian: Guardian, decision: str, channel: str
) -> ReligionConsent:
    row = ReligionConsent.objects.create(
        student=student,
        guardian=guardian,
        decision=decision,
        channel=channel,
        recorded_by=user,
    )
    if user is not None:
        _event(
            user=user,
            action=Action.CREATE,
            student=student,
            data_kind=DataKind.CONSENT,
            object_type="religion_consent",
            object_id=row.pk,
        )
    return row


def _consent_end(
    *, user: User | None, student: Student, channel: str, guardian_id: int | None = None
) -> bool:
    """End the consent that holds (only the one given by ``guardian_id``, when named) with a
    withdrawal row on the parent's behalf; ``channel`` says why. Returns whether one ended."""
    current = religion_consent_current(student=student)
    if current is None or (guardian_id is not None and current.guardian_id != guardian_id):
        return False
    _consent_row(
        user=user,
        student=student,
        guardian=current.guardian,
        decision=ReligionConsentDecision.WITHDRAWN,
        channel=channel,
    )
    return True


def _religion_delete(
    *,
    user: User | None,
    student: Student,
    stated_only: bool = False,
    action: Action = Action.DELETE,
) -> bool:
    records = ReligionRecord.objects.filter(student=student)
    if stated_only:
        records = records.filter(status=ReligionStatus.STATED)
    record = records.first()
    if record is None:
        return False
    record_id = record.pk
    record.delete()
    if user is not None:
        _event(
            user=user,
            action=action,
            student=student,
            data_kind=DataKind.RELIGION,
            object_type="religion",
            object_id=record_id,
        )
    return True


@transaction.atomic
def religion_consent_give(
    *, user: User, student: Student, guardian_id: int | None, channel: str
) -> ReligionConsent:
    """Append a parent's explicit consent to record the pupil's religion (AVG art. 9(2)(a)):
    from the portal by the parent, or from a signed paper form by staff."""
    _student_lock(student)
    pupil_require_enrolled(student)
    return _consent_append(
        user=user,
        student=student,
        guardian_id=guardian_id,
        decision=ReligionConsentDecision.GRANTED,
        channel=channel,
    )


@transaction.atomic
def religion_consent_withdraw(
    *, user: User, student: Student, guardian_id: int | None, channel: str
) -> bool:
    """Append a parent's withdrawal (AVG art. 7(3)) and erase the religion entry at once: the
    row with its sealed value goes, and the erasure is an access event. Returns whether an
    entry was erased."""
    _student_lock(student)
    _consent_append(
        user=user,
        student=student,
        guardian_id=guardian_id,
        decision=ReligionConsentDecision.WITHDRAWN,
        channel=channel,
    )
    return _religion_delete(user=user, student=student)


@transaction.atomic
def religion_consent_authority_ended(*, user: User, student: Student, guardian_id: int) -> bool:
    """A parent lost parental authority: the consent they gave ends with them (a withdrawal
    row on their behalf, channel ``AUTHORITY_ENDED``), and a stated religion that rested on it
    goes at once, until a parent with authority consents again. A consent given later by the
    other parent holds on. Returns whether a consent ended."""
    _student_lock(student)
    if not _consent_end(
        user=user,
        student=student,
        channel=ReligionConsentChannel.AUTHORITY_ENDED,
        guardian_id=guardian_id,
    ):
        return False
    _religion_delete(user=user, student=student, stated_only=True)
    return True


@transaction.atomic
def religion_set(
    *,
    user: User,
    student: Student,
    status: str,
    religion: str = "",
    consent_guardian_id: int | None = None,
    consent_channel: str = ReligionConsentChannel.PORTAL,
) -> ReligionRecord:
    """Record the parent's voluntary answer: a religion or belief, or the choice not to say.

    A religion is recorded only on a parent's explicit consent (AVG art. 9(2)(a)): one that
    holds already, or the one given with this answer (``consent_guardian_id``: the parent who
    gives it, through ``consent_channel``). The choice not to say ends a consent that held: a
    religion stated again needs consent again."""
    _student_lock(student)
    pupil_require_enrolled(student)
    religion = religion.strip()
    if status == ReligionStatus.STATED and not religion:
        raise StudentError(_("Fill in the religion or belief, or choose not to state it."))
    if status == ReligionStatus.DECLINED:
        religion = ""
        _consent_end(user=user, student=student, channel=ReligionConsentChannel.REMOVED)
    if status == ReligionStatus.STATED:
        if consent_guardian_id is not None:
            _consent_append(
                user=user,
                student=student,
                guardian_id=consent_guardian_id,
                decision=ReligionConsentDecision.GRANTED,
                channel=consent_channel,
            )
        elif religion_consent_current(student=student) is None:
            raise StudentError(
                _(
                    "A religion or belief is recorded only with the explicit consent of a "
                    "parent with parental authority."
                )
            )
    record, created = ReligionRecord.objects.update_or_create(
        student=student,
        defaults={
            "status": status,
            "religion": religion,
            "recorded_by": user,
            "recorded_at": timezone.now(),
        },
    )
    _event(
        user=user,
        action=Action.CREATE if created else Action.UPDATE,
        student=student,
        data_kind=DataKind.RELIGION,
        object_type="religion",
        object_id=record.pk,
    )
    return record


@transaction.atomic
def religion_clear(*, user: User | None, student: Student) -> bool:
    """Remove the entry altogether (voluntary data can always be taken back), also on an
    erasure request (``user`` None). The consent it rested on ends with it (channel
    ``REMOVED``): a new entry needs new consent. Returns whether an entry was removed."""
    _student_lock(student)
    _consent_end(user=user, student=student, channel=ReligionConsentChannel.REMOVED)
    return _religion_delete(user=user, student=student, action=Action.UPDATE)
