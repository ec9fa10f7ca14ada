"""The helper the data migrations use to give a role's new school permissions to the people
who already hold that role there (run here on the current models)."""

from django.apps import apps
from django.contrib.auth.models import Permission

from students.models import SchoolUserObjectPermission
from students.permission_grants import school_permissions_grant


def _codenames(user, school):
    return set(
        SchoolUserObjectPermission.objects.filter(user=user, content_object=school).values_list(
            "permission__codename", flat=True
        )
    )


def test_role_holders_gain_the_new_permission_where_they_hold_the_role_when_granted(world):
    director = world.users["director"]
    SchoolUserObjectPermission.objects.filter(
        user=director, permission__codename="rollover_school"
    ).delete()
    teacher = world.users["teacher"]
    assert "rollover_school" not in _codenames(director, world.school)

    school_permissions_grant(
        apps, {"director": ("rollover_school",)}, {"director": "manage_school_suppliers"}
    )
    school_permissions_grant(  # a second run adds nothing twice
        apps, {"director": ("rollover_school",)}, {"director": "manage_school_suppliers"}
    )

    # The live app config is left as it was (later flushes recreate its permissions).
    assert apps.get_app_config("students").models_module is not None
    assert "rollover_school" in _codenames(director, world.school)
    assert "rollover_school" not in _codenames(director, world.other_school)
    assert not SchoolUserObjectPermission.objects.filter(
        user=teacher, permission__codename="rollover_school"
    ).exists()
    permission = Permission.objects.get(codename="rollover_school")
    assert (
        SchoolUserObjectPermission.objects.filter(user=director, permission=permission).count() == 1
    )
