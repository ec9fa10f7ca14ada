"""Invitations, staff deactivations and teacher proposals move here from the accounts app
(accounts/migrations/0007_account_models_to_students.py) and keep their tables: only the
migration state changes, and the content types follow so their permission rows stay valid."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("invitation", "staffdeactivation", "teacherproposal")


def content_types_follow(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(schema_editor.connection.alias).filter(
        app_label="accounts", model__in=MOVED
    ).update(app_label="students")


def content_types_return(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(schema_editor.connection.alias).filter(
        app_label="students", model__in=MOVED
    ).update(app_label="accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_account_models_to_students"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("students", "0013_grant_register_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("email", models.EmailField(max_length=254, verbose_name="email address")),
                        ("token_hash", models.CharField(max_length=64, unique=True, verbose_name="token hash")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="sent at")),
                        ("expires_at", models.DateTimeField(verbose_name="expires at")),
                        ("accepted_at", models.DateTimeField(blank=True, null=True, verbose_name="accepted at")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="invited by")),
                        ("guardian", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="invitations", to="students.guardian", verbose_name="guardian")),
                    ],
                    options={
                        "verbose_name": "invitation",
                        "verbose_name_plural": "invitations",
                        "db_table": "accounts_invitation",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="StaffDeactivation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("roles", models.JSONField(default=list, verbose_name="roles")),
                        ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="when")),
                        ("by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                        ("school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="students.school", verbose_name="school")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="deactivations", to=settings.AUTH_USER_MODEL, verbose_name="account")),
                    ],
                    options={
                        "verbose_name": "staff deactivation",
                        "verbose_name_plural": "staff deactivations",
                        "db_table": "accounts_staffdeactivation",
                        "ordering": ["-at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="TeacherProposal",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("source", models.CharField(choices=[("edexml", "import of an EDEXML file")], default="edexml", max_length=20, verbose_name="source")),
                        ("proposed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="proposed at")),
                        ("decision", models.CharField(blank=True, choices=[("confirmed", "confirmed"), ("dismissed", "dismissed")], max_length=20, verbose_name="decision")),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                        ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="decided by")),
                        ("group", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="students.group", verbose_name="group")),
                        ("proposed_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="proposed by")),
                        ("school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="students.school", verbose_name="school")),
                        ("teacher", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="teacher")),
                    ],
                    options={
                        "verbose_name": "teacher proposal",
                        "verbose_name_plural": "teacher proposals",
                        "db_table": "accounts_teacherproposal",
                        "ordering": ["proposed_at", "id"],
                        "constraints": [models.UniqueConstraint(fields=("teacher", "group"), name="teacher_proposal_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
