from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from .constants import labels_register
        from .database_roles import grant_after_migrate

        labels_register()

        # Once per migration run (sent by this app), after every app's migrations.
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="audit.app_role_grant")
