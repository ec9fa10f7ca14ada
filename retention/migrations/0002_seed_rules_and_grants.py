"""Existing schools get the Dutch default rules (not enabled: the director enables them after
looking at the preview). The retention permissions of existing directors and privacy officers
are no longer given here: the post_migrate sync of the role table
(students.services.permissions.permissions_sync) gives them after the last migration, on a
fresh and on an upgraded database alike."""

from django.db import migrations

DEFAULTS = {
    "pupil_file": (24, "anonymise"),
    "pupil_file_special_education": (36, "anonymise"),
    "enrolment": (60, "anonymise"),
    "consent_evidence": (24, "delete"),
    "audit_events": (60, "delete"),
}


def forward(apps, schema_editor):
    School = apps.get_model("students", "School")
    Rule = apps.get_model("retention", "RetentionRule")
    for school in School.objects.all():
        for category, (months, action) in DEFAULTS.items():
            Rule.objects.get_or_create(
                school=school,
                category=category,
                defaults={"period_months": months, "action": action},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_initial"),
        ("students", "0009_retention_tombstones"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
