"""Each breach timeline step says in which capacity it was taken. Existing steps:
no actor is the system, the board's privacy officer acted for the board, anyone else (the
director) for the school."""

from django.db import migrations, models


def kinds_fill(apps, schema_editor):
    BreachStep = apps.get_model("registers", "BreachStep")
    BreachStep.objects.filter(actor__isnull=True).update(actor_kind="system")
    ids = BreachStep.objects.filter(actor__groups__name="privacy_officer").values_list(
        "pk", flat=True
    )
    BreachStep.objects.filter(pk__in=list(ids)).update(actor_kind="board")


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="breachstep",
            name="actor_kind",
            field=models.CharField(
                choices=[("school", "School"), ("board", "School board"), ("system", "System")],
                default="school",
                max_length=10,
                verbose_name="kind of actor",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(kinds_fill, migrations.RunPython.noop),
    ]
