"""A retention rule for applications that did not lead to enrolment (refused, or withdrawn by
the parents): deleted 12 months after the decision by default, between a floor of 6 and a
ceiling of 12 months (``retention/constants.py``).

Every school whose rules are set up gets the rule with the default, not in the nightly job, as
``rules_seed`` makes it; each new rule is an audit event like one the director sets up. A school
whose rules are not set up yet gets it with the others when they are.

The values the default had when this migration was written are copied here, so that later
changes of the constants do not change what it did.
"""

from django.db import migrations, models
from django.utils import timezone

CATEGORY = "applications"
MONTHS = 12
ACTION = "delete"


def forward(apps, schema_editor):
    Rule = apps.get_model("retention", "RetentionRule")
    AccessEvent = apps.get_model("audit", "AccessEvent")
    now = timezone.now()
    set_up = set(Rule.objects.values_list("school_id", flat=True))
    having = set(Rule.objects.filter(category=CATEGORY).values_list("school_id", flat=True))
    events = []
    for school_id in sorted(set_up - having):
        rule = Rule.objects.create(
            school_id=school_id,
            category=CATEGORY,
            period_months=MONTHS,
            action=ACTION,
            enabled=False,
            updated_at=now,
        )
        events.append(
            AccessEvent(
                created_at=now,
                action="create",
                outcome="allowed",
                data_kind="school",
                object_type="retention_rule",
                object_id=str(rule.pk),
                school_id=school_id,
            )
        )
    AccessEvent.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0008_checkpoint_moves_to_audit"),
        ("audit", "0009_retention_checkpoint_moved_in"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="retentionrule",
            name="rule_period_within_category_bounds",
        ),
        migrations.AlterField(
            model_name="retentionrule",
            name="category",
            field=models.CharField(
                choices=[
                    ("pupil_file", "Pupil file: progress, guidance and care data"),
                    (
                        "pupil_file_special_education",
                        "Pupil file of a pupil who left for special education",
                    ),
                    (
                        "enrolment",
                        "Enrolment and withdrawal data (name, address, BSN, guardians)",
                    ),
                    ("consent_evidence", "Consent evidence (decisions of former pupils)"),
                    ("audit_events", "Record of who looked at the data (access events)"),
                    (
                        "applications",
                        "Applications that did not lead to enrolment (refused or withdrawn)",
                    ),
                ],
                max_length=40,
                verbose_name="data",
            ),
        ),
        migrations.AddConstraint(
            model_name="retentionrule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("category", "pupil_file"),
                        ("period_months__gte", 12),
                        ("period_months__lte", 24),
                    ),
                    models.Q(
                        ("category", "pupil_file_special_education"),
                        ("period_months__gte", 12),
                        ("period_months__lte", 36),
                    ),
                    models.Q(
                        ("category", "enrolment"),
                        ("period_months__gte", 60),
                        ("period_months__lte", 84),
                    ),
                    models.Q(
                        ("category", "consent_evidence"),
                        ("period_months__gte", 12),
                        ("period_months__lte", 60),
                    ),
                    models.Q(
                        ("category", "audit_events"),
                        ("period_months__gte", 12),
                        ("period_months__lte", 120),
                    ),
                    models.Q(
                        ("category", "applications"),
                        ("period_months__gte", 6),
                        ("period_months__lte", 12),
                    ),
                    _connector="OR",
                ),
                name="rule_period_within_category_bounds",
            ),
        ),
        # Not reversed: the rules created stay (the category's choice goes with the reversal).
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
