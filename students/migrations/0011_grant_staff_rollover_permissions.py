"""Existing directors get the permissions to manage staff and to turn the school year.

No longer done here: the post_migrate sync of the role table
(students.services.permissions.permissions_sync) gives every holder of a role its permissions
after the last migration, on a fresh and on an upgraded database alike."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0010_teacher_periods_rollover"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Kept so the migration graph stays as it was; the sync does the granting.
    operations = []
