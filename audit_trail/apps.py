from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditTrailConfig(AppConfig):
    """The pages, API and daily digest that show the audit trail (``audit``) with the names of
    schools and roles, to the people who oversee it."""

    name = "audit_trail"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from kernel.labels import register
        from students.audit_objects import OBJECT_LABELS

        # The words for the kinds of object an event is about, for every page that shows them
        # (and for the wording check of the permission matrix).
        register("object_type", OBJECT_LABELS.items())
