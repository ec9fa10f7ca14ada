"""Existing directors get the permissions to manage staff and to turn the school year."""

from django.db import migrations

from students.permission_grants import school_permissions_grant

NEW = {"director": ("manage_school_staff", "rollover_school")}
MARKER = {"director": "manage_school_suppliers"}


def grant(apps, schema_editor):
    school_permissions_grant(apps, NEW, MARKER)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0010_teacher_periods_rollover"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
