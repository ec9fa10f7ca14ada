"""Each timeline step says in which capacity it was taken (a guardian's download
showed as done by the school). Existing steps get theirs from what the code did when it wrote
them: no actor is the system; a download, and a request received through the portal, were a
guardian's; every other step was taken by school staff."""

from django.db import migrations, models


def kinds_fill(apps, schema_editor):
    RequestStep = apps.get_model("privacy_requests", "RequestStep")
    RequestStep.objects.filter(actor__isnull=True).update(actor_kind="system")
    guardian_steps = models.Q(step="package_downloaded") | models.Q(
        step="received", request__channel="portal"
    )
    ids = RequestStep.objects.filter(guardian_steps, actor__isnull=False).values_list(
        "pk", flat=True
    )
    RequestStep.objects.filter(pk__in=list(ids)).update(actor_kind="guardian")


class Migration(migrations.Migration):
    dependencies = [
        ("privacy_requests", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="requeststep",
            name="actor_kind",
            field=models.CharField(
                choices=[
                    ("guardian", "Parent or guardian"),
                    ("school", "School"),
                    ("system", "System"),
                ],
                default="school",
                max_length=10,
                verbose_name="kind of actor",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(kinds_fill, migrations.RunPython.noop),
    ]
