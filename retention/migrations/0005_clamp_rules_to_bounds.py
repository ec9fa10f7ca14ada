"""Existing rules come within the floor and ceiling of their category, and the access-event
period becomes the board's (its log policy), no longer each school's.

- A rule outside its bounds is moved to the nearest bound: a pupil file kept 30 months is now
  kept 24 (the law allows no longer), enrolment data kept 36 months now 60 (funding audits
  need 5 years).
- The board's access-event period is the longest any school of the board kept, never less
  than the default of 60 months and never more than the ceiling of 120: a shorter one would
  delete access events a school had promised to keep, and a period below the default that a
  director chose is exactly the pruning of the record of her own looks that this change
  stops. The board's privacy officer can set it shorter afterwards (down to 12 months), on the
  record. A board whose period comes out at the default gets no saved policy (the default
  applies); every school's access-event rule then holds its board's period.
- Every change is kept like any other (a ``RuleChange`` or ``LogPolicyChange`` with the values
  before and after, by nobody: the portal itself) and is an audit event naming that record.

The values the bounds and the default had when this migration was written are copied here,
so that later changes of the constants do not change what it did.
"""

from django.db import migrations
from django.utils import timezone

BOUNDS = {
    "pupil_file": (12, 24),
    "pupil_file_special_education": (12, 36),
    "enrolment": (60, 84),
    "consent_evidence": (12, 60),
    "audit_events": (12, 120),
}
ACCESS_EVENTS = "audit_events"
DEFAULT_MONTHS = 60


def _values(rule) -> dict:
    return {"period_months": rule.period_months, "action": rule.action, "enabled": rule.enabled}


def forward(apps, schema_editor):
    Rule = apps.get_model("retention", "RetentionRule")
    RuleChange = apps.get_model("retention", "RuleChange")
    Policy = apps.get_model("retention", "BoardLogPolicy")
    PolicyChange = apps.get_model("retention", "LogPolicyChange")
    School = apps.get_model("students", "School")
    AccessEvent = apps.get_model("audit", "AccessEvent")
    now = timezone.now()
    events = []

    def event(object_type: str, object_id: int, school_id) -> None:
        events.append(
            AccessEvent(
                created_at=now,
                action="update",
                outcome="allowed",
                data_kind="audit" if object_type == "retention_log_policy_change" else "school",
                object_type=object_type,
                object_id=str(object_id),
                school_id=school_id,
            )
        )

    floor, ceiling = BOUNDS[ACCESS_EVENTS]
    longest: dict[int, int] = {}
    for board_id, months in Rule.objects.filter(category=ACCESS_EVENTS).values_list(
        "school__board_id", "period_months"
    ):
        longest[board_id] = max(longest.get(board_id, 0), months)
    board_months: dict[int, int] = {}
    for board_id, months in sorted(longest.items()):
        chosen = min(max(months, DEFAULT_MONTHS, floor), ceiling)
        board_months[board_id] = chosen
        if chosen == DEFAULT_MONTHS or Policy.objects.filter(board_id=board_id).exists():
            continue
        policy = Policy.objects.create(
            board_id=board_id, access_event_months=chosen, updated_at=now
        )
        change = PolicyChange.objects.create(
            policy=policy, changed_at=now, before_months=DEFAULT_MONTHS, after_months=chosen
        )
        for school_id in School.objects.filter(board_id=board_id).values_list("pk", flat=True):
            event("retention_log_policy_change", change.pk, school_id)

    for rule in Rule.objects.select_related("school").order_by("pk"):
        low, high = BOUNDS[rule.category]
        if rule.category == ACCESS_EVENTS:
            target = board_months.get(rule.school.board_id, DEFAULT_MONTHS)
        else:
            target = min(max(rule.period_months, low), high)
        if target == rule.period_months:
            continue
        before = _values(rule)
        rule.period_months = target
        rule.save(update_fields=["period_months"])
        change = RuleChange.objects.create(
            rule=rule, changed_at=now, before=before, after=_values(rule)
        )
        event("retention_rule_change", change.pk, rule.school_id)
    AccessEvent.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0004_board_log_policy"),
        ("audit", "0007_trigger_allows_sealing"),
    ]

    # Not reversed: the values before are on the change records.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
