"""The database itself refuses a rule outside its category's floor and ceiling (after
0005 moved every existing rule within them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0005_clamp_rules_to_bounds"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="retentionrule",
            name="rule_period_1_to_240_months",
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
                    _connector="OR",
                ),
                name="rule_period_within_category_bounds",
            ),
        ),
    ]
