"""Funding registrations: the produced document (sealed at rest, with its download expiry), and
a recipient for DUO on every existing board with the attributes a registration needs (new
boards get it from ``onboarding.services.school_provision``). A board's existing DUO recipient
keeps its name and basis and gains only the attributes it lacks.

The attribute codes are copied here as they were when this migration was written."""

import kernel.sealed_files
from django.db import migrations, models

DUO = "duo"
ATTRIBUTES = [
    "school_brin",
    "bsn",
    "initials",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "postal_code",
    "year_group",
    "enrolled_on",
    "withdrawn_on",
    "withdrawal_destination",
]
NAME = "DUO (BRON)"
BASIS = (
    "Wet register onderwijsdeelnemers en Wet op het primair onderwijs: in- en uitschrijving "
    "met BSN of onderwijsnummer voor de bekostiging."
)


def duo_recipients(apps, schema_editor):
    Board = apps.get_model("students", "Board")
    Recipient = apps.get_model("suppliers", "Recipient")
    for board in Board.objects.order_by("pk"):
        recipient = Recipient.objects.filter(board=board, kind=DUO).order_by("pk").first()
        if recipient is None:
            Recipient.objects.create(
                board=board, kind=DUO, name=NAME, legal_basis=BASIS, attributes=ATTRIBUTES
            )
            continue
        missing = [code for code in ATTRIBUTES if code not in recipient.attributes]
        if missing:
            recipient.attributes = [*recipient.attributes, *missing]
            recipient.save(update_fields=["attributes"])


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0003_leaving"),
        ("suppliers", "0006_funding_attributes"),
    ]

    operations = [
        migrations.AddField(
            model_name="fundingregistration",
            name="file",
            field=models.FileField(
                blank=True,
                storage=kernel.sealed_files.sealed_storage,
                upload_to="private/funding/",
                verbose_name="file",
            ),
        ),
        migrations.AddField(
            model_name="fundingregistration",
            name="file_expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="download expires at"),
        ),
        # Not reversed: a recipient may have disclosures by then.
        migrations.RunPython(duo_recipients, migrations.RunPython.noop),
    ]
