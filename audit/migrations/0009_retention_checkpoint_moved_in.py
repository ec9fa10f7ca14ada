"""Two moves, state only, no table touched:

- the retention checkpoint comes in from ``retention`` (its migration 0008 dropped the run's
  foreign key constraint); it keeps its table ``retention_retentioncheckpoint`` and its column
  ``run_id``, now a plain id. Its content type (and so its permissions) moves along.
- the digest run leaves for ``audit_trail`` (its migration 0001 takes it in, with its table
  ``audit_digestrun``).

This app's migrations otherwise depend on no app above it; this one must follow retention's
0008, which created the checkpoint's table and dropped the constraint.
"""

import django.utils.timezone
from django.db import migrations, models


def _content_type_move(apps, schema_editor, *, model, old, new):
    content_type = apps.get_model("contenttypes", "ContentType")
    manager = content_type.objects.db_manager(schema_editor.connection.alias)
    if not manager.filter(app_label=new, model=model).exists():
        manager.filter(app_label=old, model=model).update(app_label=new)


def forward(apps, schema_editor):
    _content_type_move(apps, schema_editor, model="retentioncheckpoint", old="retention", new="audit")


def backward(apps, schema_editor):
    _content_type_move(apps, schema_editor, model="retentioncheckpoint", old="audit", new="retention")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0008_chain_sealing_function"),
        ("retention", "0008_checkpoint_moves_to_audit"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RetentionCheckpoint",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("table", models.CharField(max_length=40, verbose_name="table")),
                        ("up_to_id", models.BigIntegerField(verbose_name="removed up to id")),
                        ("up_to_created_at", models.DateTimeField(verbose_name="removed up to")),
                        ("deleted_count", models.PositiveIntegerField(verbose_name="removed")),
                        (
                            "removed_seal_ranges",
                            models.JSONField(blank=True, default=list, verbose_name="removed seal numbers"),
                        ),
                        (
                            "run_id",
                            models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="run"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                        ),
                    ],
                    options={
                        "verbose_name": "retention checkpoint",
                        "verbose_name_plural": "retention checkpoints",
                        "db_table": "retention_retentioncheckpoint",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.DeleteModel(name="DigestRun"),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
