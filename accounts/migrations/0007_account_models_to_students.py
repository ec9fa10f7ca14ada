"""Invitations, staff deactivations and teacher proposals belong to the school's structure:
their models move to the students app (students/migrations/0014_account_models_from_accounts.py).
Only the migration state changes here; the tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_backup_code_digests"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Invitation"),
                migrations.DeleteModel(name="StaffDeactivation"),
                migrations.DeleteModel(name="TeacherProposal"),
            ],
            database_operations=[],
        ),
    ]
