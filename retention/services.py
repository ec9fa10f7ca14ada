"""Retention as a policy: rules seeded with the Dutch periods and edited by the director within
each category's floor and ceiling (every change kept), the board's log policy (how long access
events are kept, set by the board's privacy officer), legal holds, the preview of what is due,
and runs that process pupils in batches, each batch in its own transaction, so a failure
half-way leaves every pupil fully processed or untouched and the next run continues where this
one stopped.

Applications that did not lead to enrolment (refused, or withdrawn by the parents) are no
pupil's data: their rule is counted from the decision, they are deleted whole in batches, each
one an audit event, and no legal hold applies to them (it is placed on a pupil)."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from admissions.constants import ApplicationStatus
from admissions.models import Application
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from audit.services import event_record
from kernel.dates import months_add
from students import erasure
from students.constants import WithdrawalDestination
from students.models import Board, School, Student

from .constants import (
    ACCESS_EVENT_DEFAULT_MONTHS,
    ALLOWED_ACTIONS,
    DEFAULTS,
    Category,
    RuleAction,
    RunStatus,
    Trigger,
    board_period_refusal,
    period_error,
)
from .erasure import (
    Why,
    audit_events_purge,
    consent_evidences_erase,
    enrolment_anonymise,
    pupil_files_erase,
)
from .exceptions import PeriodError, RetentionError
from .models import (
    BoardLogPolicy,
    ErasureRecord,
    LegalHold,
    LogPolicyChange,
    RetentionRule,
    RetentionRun,
    RuleChange,
)

logger = logging.getLogger(__name__)

BATCH = 500
RUN_ORDER = (
    Category.PUPIL_FILE,
    Category.PUPIL_FILE_SPECIAL,
    Category.CONSENT_EVIDENCE,
    Category.ENROLMENT,
    Category.APPLICATIONS,
    Category.AUDIT_EVENTS,
)
# The decisions that did not lead to enrolment: only these applications are ever deleted.
APPLICATION_STATUSES = (ApplicationStatus.REFUSED, ApplicationStatus.WITHDRAWN)


# --- Rules -----------------------------------------------------------------------------------


def access_event_months(*, board_ids: Iterable[int]) -> dict[int, int]:
    """Per board: how long its schools keep access events (its log policy, or the default)."""
    board_ids = set(board_ids)
    saved = dict(
        BoardLogPolicy.objects.filter(board_id__in=board_ids).values_list(
            "board_id", "access_event_months"
        )
    )
    return {board_id: saved.get(board_id, ACCESS_EVENT_DEFAULT_MONTHS) for board_id in board_ids}


def rules_seed(*, school: School) -> list[RetentionRule]:
    """The school's rules, created with the Dutch defaults where missing (idempotent). The
    access-event rule takes its period from the board's log policy."""
    board_months = access_event_months(board_ids=[school.board_id])[school.board_id]
    for category, (months, action) in DEFAULTS.items():
        if category == Category.AUDIT_EVENTS:
            months = board_months
        RetentionRule.objects.get_or_create(
            school=school,
            category=category,
            defaults={"period_months": months, "action": action},
        )
    # The stored copy of the board's period follows the board, whatever was stored before.
    RetentionRule.objects.filter(school=school, category=Category.AUDIT_EVENTS).exclude(
        period_months=board_months
    ).update(period_months=board_months)
    return list(RetentionRule.objects.filter(school=school).order_by("id"))


@transaction.atomic
def rules_set_up(*, user: User, school: School) -> list[RetentionRule]:
    """The director sets up the school's rules: the Dutch defaults, not enabled, saved where
    missing (``rules_seed``, idempotent), each new rule an audit event. Returns the rules
    created now (none when they were all saved already)."""
    existing = set(RetentionRule.objects.filter(school=school).values_list("pk", flat=True))
    created = [rule for rule in rules_seed(school=school) if rule.pk not in existing]
    for rule in created:
        event_record(
            user=user,
            action=Action.CREATE,
            object_type="retention_rule",
            object_id=rule.pk,
            school_id=school.pk,
            data_kind=DataKind.SCHOOL,
        )
    return created


def rules_for(*, school: School) -> list[RetentionRule]:
    """The school's rules without writing anything: a category without a saved rule shows its
    Dutch default (unsaved, not enabled) until the director sets the rules up or a run seeds
    them."""
    return rules_for_schools(schools=[school])[school.pk]


def rules_for_schools(*, schools) -> dict[int, list[RetentionRule]]:
    """``rules_for`` for many schools in two queries. The access-event rule always shows the
    period of the school's board (its log policy), the one the run uses."""
    schools = list(schools)
    saved = {
        (rule.school_id, rule.category): rule
        for rule in RetentionRule.objects.filter(school__in=[s.pk for s in schools])
    }
    board_months = access_event_months(board_ids={s.board_id for s in schools})
    result = {}
    for school in schools:
        rules = []
        for category, (months, action) in DEFAULTS.items():
            rule = _with_school(saved.get((school.pk, category)), school) or RetentionRule(
                school=school, category=category, period_months=months, action=action
            )
            if category == Category.AUDIT_EVENTS:
                rule.period_months = board_months[school.board_id]
            rules.append(rule)
        result[school.pk] = rules
    return result


def _with_school(rule: RetentionRule | None, school: School) -> RetentionRule | None:
    if rule is not None:
        rule.school = school  # known already: no query per rule for its school
    return rule


def _rule_values(rule: RetentionRule) -> dict:
    return {"period_months": rule.period_months, "action": rule.action, "enabled": rule.enabled}


@transaction.atomic
def rule_update(
    *,
    user: User,
    rule: RetentionRule,
    period_months: int | None = None,
    action: str,
    enabled: bool,
) -> RetentionRule:
    """A director's change of one of her school's rules, within the category's floor and
    ceiling (``constants.BOUNDS``); ``period_months`` None keeps the period. The period of
    access events is the board's log policy: the director, whose own looks they record, may
    include the rule in the nightly job but not change its period; trying is refused and
    recorded as a denied attempt. A change is kept with the values before and after
    (``RuleChange``) and is an audit event that names that record."""
    rule = RetentionRule.objects.select_for_update().select_related("school").get(pk=rule.pk)
    if rule.category == Category.AUDIT_EVENTS:
        board_id = rule.school.board_id
        board_months = access_event_months(board_ids=[board_id])[board_id]
        if period_months is not None and period_months != board_months:
            event_record(
                user=user,
                action=Action.UPDATE,
                outcome=Outcome.DENIED,
                object_type="retention_rule",
                object_id=rule.pk,
                school_id=rule.school_id,
                data_kind=DataKind.AUDIT,
            )
            raise PeriodError(board_period_refusal(board_months))
        period_months = board_months
    elif period_months is None:
        period_months = rule.period_months
    else:
        problem = period_error(rule.category, period_months)
        if problem is not None:
            raise PeriodError(problem)
    if action not in ALLOWED_ACTIONS[rule.category]:
        raise RetentionError(_("This action is not possible for this data."), field="action")
    before = _rule_values(rule)
    rule.period_months, rule.action, rule.enabled = period_months, action, enabled
    after = _rule_values(rule)
    if before == after:
        return rule
    rule.updated_at = timezone.now()
    rule.updated_by = user
    rule.save()
    change = RuleChange.objects.create(rule=rule, changed_by=user, before=before, after=after)
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="retention_rule_change",
        object_id=change.pk,
        school_id=rule.school_id,
        data_kind=DataKind.SCHOOL,
    )
    return rule


# --- The board's log policy ------------------------------------------------------------------


@transaction.atomic
def log_policy_set(*, user: User, board: Board, months: int) -> BoardLogPolicy:
    """The board's access-event period for every school of the board, set by the board's
    privacy officer (the selector checks who), within the floor and ceiling of access events.
    The change is kept with the period before and after (``LogPolicyChange``) and is an audit
    event at every school of the board, naming that record; the schools' stored access-event
    rules follow at once, and the next run of each school uses the new period."""
    problem = period_error(Category.AUDIT_EVENTS, months)
    if problem is not None:
        raise PeriodError(problem, field="access_event_months")
    policy, _created = BoardLogPolicy.objects.select_for_update().get_or_create(
        board=board, defaults={"access_event_months": ACCESS_EVENT_DEFAULT_MONTHS}
    )
    before = policy.access_event_months
    if before == months:
        return policy
    policy.access_event_months = months
    policy.updated_at = timezone.now()
    policy.updated_by = user
    policy.save(update_fields=["access_event_months", "updated_at", "updated_by"])
    change = LogPolicyChange.objects.create(
        policy=policy, changed_by=user, before_months=before, after_months=months
    )
    school_ids = list(School.objects.filter(board=board).values_list("pk", flat=True))
    RetentionRule.objects.filter(school_id__in=school_ids, category=Category.AUDIT_EVENTS).update(
        period_months=months
    )
    # One event per school, so that it is in the audit log of each school it concerns.
    targets: list[int | None] = [*school_ids] or [None]
    for school_id in targets:
        event_record(
            user=user,
            action=Action.UPDATE,
            object_type="retention_log_policy_change",
            object_id=change.pk,
            school_id=school_id,
            data_kind=DataKind.AUDIT,
        )
    return policy


# --- Legal holds -----------------------------------------------------------------------------


def holds_in_force(*, school_ids, day: datetime.date) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(
        Q(until__isnull=True) | Q(until__gte=day),
        student__school_id__in=school_ids,
        lifted_at__isnull=True,
    ).select_related("student")


@transaction.atomic
def hold_place(
    *, user: User, student: Student, reason: str, until: datetime.date | None
) -> LegalHold:
    if not reason.strip():
        raise RetentionError(_("Give the reason for the legal hold."))
    if until is not None and until < timezone.localdate():
        raise RetentionError(_("The end date of a hold cannot be in the past."))
    hold = LegalHold.objects.create(
        student=student, reason=reason.strip(), until=until, placed_by=user
    )
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="legal_hold",
        object_id=hold.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.BASICS,
    )
    return hold


@transaction.atomic
def hold_lift(*, user: User, hold: LegalHold) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise RetentionError(_("This legal hold has already been lifted."))
    hold.lifted_at = timezone.now()
    hold.lifted_by = user
    hold.save(update_fields=["lifted_at", "lifted_by"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="legal_hold",
        object_id=hold.pk,
        student_id=hold.student_id,
        school_id=hold.student.school_id,
        data_kind=DataKind.BASICS,
    )
    return hold


# --- What is due -----------------------------------------------------------------------------


def cutoff(day: datetime.date, months: int) -> datetime.date:
    """Data of a pupil who left before this date is past its period on ``day``: the period
    runs to the end of its last day, so the data goes the day after."""
    return months_add(day, -months)


def due_pupils(rule: RetentionRule, day: datetime.date) -> QuerySet[Student]:
    """Pupils of the rule's school whose data in this category is due on ``day`` and not yet
    processed, leaving out pupils under a legal hold."""
    if rule.category in (Category.AUDIT_EVENTS, Category.APPLICATIONS):
        return Student.objects.none()
    held = holds_in_force(school_ids=[rule.school_id], day=day).values("student_id")
    qs = Student.objects.filter(
        school_id=rule.school_id,
        withdrawn_on__isnull=False,
        withdrawn_on__lt=cutoff(day, rule.period_months),
    ).exclude(pk__in=held)
    done = ErasureRecord.objects.filter(student=OuterRef("pk"), category=rule.category)
    qs = qs.exclude(Exists(done))
    if rule.category == Category.PUPIL_FILE:
        qs = qs.exclude(withdrawal_destination=WithdrawalDestination.SPECIAL_EDUCATION)
        qs = qs.filter(anonymised_at__isnull=True)
    elif rule.category == Category.PUPIL_FILE_SPECIAL:
        qs = qs.filter(withdrawal_destination=WithdrawalDestination.SPECIAL_EDUCATION)
        qs = qs.filter(anonymised_at__isnull=True)
    elif rule.category == Category.ENROLMENT:
        qs = qs.filter(anonymised_at__isnull=True)
    elif rule.category == Category.CONSENT_EVIDENCE:
        qs = qs.filter(erasure.holding(Category.CONSENT_EVIDENCE))
    return qs.order_by("pk")


def applications_due(rule: RetentionRule, day: datetime.date) -> QuerySet[Application]:
    """Applications of the rule's school that did not lead to enrolment (refused or withdrawn,
    never linked to a pupil) whose decision is past the rule's period on ``day``."""
    if rule.category != Category.APPLICATIONS:
        return Application.objects.none()
    return Application.objects.filter(
        school_id=rule.school_id,
        status__in=APPLICATION_STATUSES,
        student__isnull=True,
        decided_on__isnull=False,
        decided_on__lt=cutoff(day, rule.period_months),
    ).order_by("pk")


def audit_cutoff(rule: RetentionRule, day: datetime.date) -> datetime.datetime:
    """Access events from before the start of this day (Dutch time) are past the period."""
    start = datetime.datetime.combine(cutoff(day, rule.period_months), datetime.time.min)
    return timezone.make_aware(start)


def audit_events_due(rule: RetentionRule, day: datetime.date) -> QuerySet[AccessEvent]:
    held = holds_in_force(school_ids=[rule.school_id], day=day).values_list("student_id", flat=True)
    return AccessEvent.objects.filter(
        school_id=rule.school_id, created_at__lt=audit_cutoff(rule, day)
    ).exclude(student_id__in=list(held))


def what_goes(rule: RetentionRule) -> list[str]:
    """In words: which data the rule removes or anonymises."""
    if rule.category in (Category.PUPIL_FILE, Category.PUPIL_FILE_SPECIAL):
        grades = (
            _("grade lists archived without name")
            if rule.action == RuleAction.ANONYMISE
            else _("grade lists deleted")
        )
        return [
            _("care records deleted"),
            _("religion deleted"),
            grades,
            _("appearances in photos removed"),
            _("access package files removed"),
        ]
    if rule.category == Category.ENROLMENT:
        return [
            _("name, BSN and address removed; birth date kept as year only"),
            _("group history and guardian links removed"),
            _("links to disclosures and stored export files removed"),
            _("free text of privacy requests removed"),
        ]
    if rule.category == Category.CONSENT_EVIDENCE:
        return [_("consent decisions deleted")]
    if rule.category == Category.APPLICATIONS:
        return [
            _("refused and withdrawn applications deleted, counted from the decision"),
            _("with their guardians, timeline, support needs and religion"),
        ]
    return [_("access events deleted, oldest first, with a checkpoint")]


@dataclass
class RulePreview:
    rule: RetentionRule
    pupils_due: int
    pupil_ids: list[int]
    events_due: int = 0
    applications_due: int = 0
    categories: list[str] = field(default_factory=list)


@dataclass
class Preview:
    school: School
    day: datetime.date
    rules: list[RulePreview]
    held: list[LegalHold]


def preview(*, school: School, day: datetime.date | None = None) -> Preview:
    """What would go today per rule (enabled or not), and who is held. Reads only."""
    day = day or timezone.localdate()
    rules = rules_for(school=school)
    items = []
    for rule in rules:
        if rule.category == Category.AUDIT_EVENTS:
            items.append(
                RulePreview(
                    rule=rule,
                    pupils_due=0,
                    pupil_ids=[],
                    events_due=audit_events_due(rule, day).count(),
                    categories=what_goes(rule),
                )
            )
            continue
        if rule.category == Category.APPLICATIONS:
            items.append(
                RulePreview(
                    rule=rule,
                    pupils_due=0,
                    pupil_ids=[],
                    applications_due=applications_due(rule, day).count(),
                    categories=what_goes(rule),
                )
            )
            continue
        ids = list(due_pupils(rule, day).values_list("pk", flat=True))
        items.append(
            RulePreview(
                rule=rule,
                pupils_due=len(ids),
                pupil_ids=ids,
                categories=what_goes(rule),
            )
        )
    held = list(holds_in_force(school_ids=[school.pk], day=day).order_by("student_id", "id"))
    return Preview(school=school, day=day, rules=items, held=held)


# --- Runs ------------------------------------------------------------------------------------


def _process(rule: RetentionRule, student_ids: list[int], why: Why, rules: dict) -> None:
    """One batch of due pupils under one rule, inside the caller's transaction."""
    students = list(Student.objects.select_for_update().filter(pk__in=student_ids).order_by("pk"))
    if rule.category in (Category.PUPIL_FILE, Category.PUPIL_FILE_SPECIAL):
        pupil_files_erase(students=students, action=rule.action, why=why, category=rule.category)
    elif rule.category == Category.CONSENT_EVIDENCE:
        consent_evidences_erase(students=students, why=why)
    elif rule.category == Category.ENROLMENT:
        file_rule = rules.get(Category.PUPIL_FILE)
        for student in students:
            enrolment_anonymise(
                student=student,
                why=why,
                pupil_file_action=file_rule.action if file_rule else RuleAction.ANONYMISE,
            )


def _applications_delete(
    rule: RetentionRule, ids: list[int], day: datetime.date, actor: User | None
) -> int:
    """One batch of due applications, inside the caller's transaction: locked and checked
    again (a row that is no longer due stays), deleted with their guardians and timeline, each
    an audit event. Returns how many went."""
    due = applications_due(rule, day).filter(pk__in=ids)
    locked = list(due.select_for_update().values_list("pk", flat=True))
    Application.objects.filter(pk__in=locked).delete()
    for pk in locked:
        event_record(
            user=actor,
            action=Action.DELETE,
            object_type="application",
            object_id=pk,
            school_id=rule.school_id,
            data_kind=DataKind.BASICS,
        )
    return len(locked)


def retention_run(
    *,
    school: School,
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    categories: Sequence[str] | None = None,
    day: datetime.date | None = None,
    checkpoint: Callable[[str, int], None] | None = None,
    batch: int = BATCH,
) -> RetentionRun:
    """Process the due pupils of the enabled rules (or of ``categories``) in batches of up to
    ``batch`` pupils, one transaction per batch, each kind of data of the whole batch in one
    statement (a pupil's audit events and enrolment anonymisation are per pupil).
    ``checkpoint(category, pupil_id)`` is called for each pupil inside the batch's transaction
    once the batch is processed (for applications, with each application's id); if anything
    raises, that batch is rolled back whole (every pupil in it untouched), the run is recorded
    as stopped with the error, and the next run continues."""
    day = day or timezone.localdate()
    # The access-event rule carries the period of the school's board (its log policy).
    rules = {rule.category: rule for rule in rules_seed(school=school)}
    chosen = [
        rules[c]
        for c in RUN_ORDER
        if (c in categories if categories is not None else rules[c].enabled)
    ]
    run = RetentionRun.objects.create(
        school=school, trigger=trigger, started_by=user, categories=[r.category for r in chosen]
    )
    started = time.monotonic()
    counts: dict[str, dict[str, int]] = {}
    try:
        for rule in chosen:
            why = Why(actor=user, rule=rule, run=run)
            if rule.category == Category.AUDIT_EVENTS:
                held = holds_in_force(school_ids=[school.pk], day=day).values_list(
                    "student_id", flat=True
                )
                deleted = audit_events_purge(
                    before=audit_cutoff(rule, day),
                    held_ids=list(held),
                    run=run,
                    school_id=school.pk,
                )
                counts[rule.category] = {"events": deleted}
                continue
            if rule.category == Category.APPLICATIONS:
                counts[rule.category] = {"applications": 0}
                last = 0
                while True:
                    ids = list(
                        applications_due(rule, day)
                        .filter(pk__gt=last)
                        .values_list("pk", flat=True)[:batch]
                    )
                    if not ids:
                        break
                    last = ids[-1]
                    with transaction.atomic():
                        deleted = _applications_delete(rule, ids, day, user)
                        if checkpoint is not None:
                            for application_id in ids:
                                checkpoint(rule.category, application_id)
                    counts[rule.category]["applications"] += deleted
                    RetentionRun.objects.filter(pk=run.pk).update(counts=counts)
                continue
            done = 0
            counts[rule.category] = {"pupils": 0}
            while True:
                ids = list(due_pupils(rule, day).values_list("pk", flat=True)[:batch])
                if not ids:
                    break
                with transaction.atomic():
                    _process(rule, ids, why, rules)
                    if checkpoint is not None:
                        for student_id in ids:
                            checkpoint(rule.category, student_id)
                done += len(ids)
                counts[rule.category]["pupils"] = done
                RetentionRun.objects.filter(pk=run.pk).update(counts=counts)
    except Exception as exc:  # recorded on the run; the next run continues
        logger.exception("retention run %s stopped", run.pk)
        run.status = RunStatus.FAILED
        run.errors = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        run.status = RunStatus.DONE
    run.counts = counts
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save()
    event_record(
        user=user,
        action=Action.DELETE,
        object_type="retention_run",
        object_id=run.pk,
        school_id=school.pk,
        data_kind=DataKind.SCHOOL,
    )
    logger.info("retention run %s: %s %s", run.pk, run.status, counts)
    return run


def retention_nightly(*, day: datetime.date | None = None) -> list[RetentionRun]:
    """Every school with an enabled rule: one run of its enabled rules."""
    schools = School.objects.filter(
        pk__in=RetentionRule.objects.filter(enabled=True).values("school_id")
    )
    return [retention_run(school=s, trigger=Trigger.NIGHTLY, day=day) for s in schools]
