"""Give the people who already hold a school role the privacy-request permissions of that role,
so an existing school gets the request workflow without re-assigning its staff."""

from django.db import migrations

from students.permission_grants import school_permissions_grant

NEW = {
    "director": ("handle_school_requests", "decide_school_requests", "release_school_packages"),
    "administration": ("handle_school_requests",),
    "care_coordinator": ("release_school_packages",),
    "privacy_officer": ("oversee_school_requests",),
}
# A school permission the role already held on the school marks where the role applies.
MARKER = {
    "director": "manage_school_suppliers",
    "administration": "manage_school_pupils",
    "care_coordinator": "write_school_care",
    "privacy_officer": "view_school_audit",
}


def grant(apps, schema_editor):
    school_permissions_grant(apps, NEW, MARKER)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0007_requests_limits_language"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
