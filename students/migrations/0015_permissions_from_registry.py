"""The object permissions of School and Group move to the registry of students.permissions.

Django deletes no Permission rows here, so existing grants stay; on a fresh database the
post_migrate sync (students.services.permissions) creates the rows and the grants.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('students', '0014_account_models_from_accounts'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='group',
            options={'ordering': ['school_year', 'year_group_low', 'name'], 'verbose_name': 'group', 'verbose_name_plural': 'groups'},
        ),
        migrations.AlterModelOptions(
            name='school',
            options={'ordering': ['name'], 'verbose_name': 'school', 'verbose_name_plural': 'schools'},
        ),
    ]
