"""For data migrations that add school permissions to a role: give them to the people who
already hold that role on a school. Works on the migration's historical models only."""

from __future__ import annotations


def school_permissions_grant(apps, new: dict[str, tuple[str, ...]], marker: dict[str, str]):
    """``new`` maps a role to the codenames it gains; ``marker`` maps it to a school
    permission the role already held, which marks the schools where the role applies."""
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("students")
    # Historical app configs carry no models module, which create_permissions needs; put back
    # what was there, so a live app config is left as it was.
    original = getattr(config, "models_module", None)
    config.models_module = original or True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = original
    permission_model = apps.get_model("auth", "Permission")
    school_perm = apps.get_model("students", "SchoolUserObjectPermission")
    content_type = apps.get_model("contenttypes", "ContentType")
    school_type = content_type.objects.get(app_label="students", model="school")
    for role, codenames in new.items():
        holders = list(
            school_perm.objects.filter(
                permission__codename=marker[role], user__groups__name=role
            ).values_list("user_id", "content_object_id")
        )
        for codename in codenames:
            permission = permission_model.objects.get(content_type=school_type, codename=codename)
            school_perm.objects.bulk_create(
                [
                    school_perm(user_id=user_id, content_object_id=school_id, permission=permission)
                    for user_id, school_id in holders
                ],
                ignore_conflicts=True,
            )
