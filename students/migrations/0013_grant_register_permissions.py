"""Existing directors and privacy officers get the permissions of the registers."""

from django.db import migrations

NEW = {
    "director": ("manage_school_breaches", "view_school_register"),
    "privacy_officer": ("manage_school_breaches", "view_school_register"),
}
MARKER = {"director": "manage_school_suppliers", "privacy_officer": "view_school_audit"}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("students")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    SchoolPerm = apps.get_model("students", "SchoolUserObjectPermission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    school_type = ContentType.objects.get(app_label="students", model="school")
    for role, codenames in NEW.items():
        holders = list(
            SchoolPerm.objects.filter(
                permission__codename=MARKER[role], user__groups__name=role
            ).values_list("user_id", "content_object_id")
        )
        for codename in codenames:
            permission = Permission.objects.get(content_type=school_type, codename=codename)
            SchoolPerm.objects.bulk_create(
                [
                    SchoolPerm(user_id=user_id, content_object_id=school_id, permission=permission)
                    for user_id, school_id in holders
                ],
                ignore_conflicts=True,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0012_register_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
