"""Existing directors and privacy officers get the permissions of the registers."""

from django.db import migrations

from students.permission_grants import school_permissions_grant

NEW = {
    "director": ("manage_school_breaches", "view_school_register"),
    "privacy_officer": ("manage_school_breaches", "view_school_register"),
}
MARKER = {"director": "manage_school_suppliers", "privacy_officer": "view_school_audit"}


def grant(apps, schema_editor):
    school_permissions_grant(apps, NEW, MARKER)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0012_register_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
