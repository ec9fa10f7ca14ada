"""The digest run comes in from ``audit`` (its migration 0009 let it go), state only: the table
``audit_digestrun`` and its rows stay as they are. Its content type (and so its permissions)
moves along."""

from django.db import migrations, models


def _content_type_move(apps, schema_editor, *, model, old, new):
    content_type = apps.get_model("contenttypes", "ContentType")
    manager = content_type.objects.db_manager(schema_editor.connection.alias)
    if not manager.filter(app_label=new, model=model).exists():
        manager.filter(app_label=old, model=model).update(app_label=new)


def forward(apps, schema_editor):
    _content_type_move(apps, schema_editor, model="digestrun", old="audit", new="audit_trail")


def backward(apps, schema_editor):
    _content_type_move(apps, schema_editor, model="digestrun", old="audit_trail", new="audit")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("audit", "0009_retention_checkpoint_moved_in"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DigestRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(unique=True, verbose_name="day")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                        (
                            "denied_count",
                            models.PositiveIntegerField(default=0, verbose_name="denied attempts"),
                        ),
                    ],
                    options={
                        "verbose_name": "digest run",
                        "verbose_name_plural": "digest runs",
                        "db_table": "audit_digestrun",
                    },
                ),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
