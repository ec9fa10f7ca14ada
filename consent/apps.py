from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        from students.start_page import todo_register

        from . import permissions  # noqa: F401 - registers its object permissions
        from .audit_objects import audit_objects_register
        from .constants import labels_register
        from .erasure import erasure_handlers_register
        from .todos import campaign_todos, takedown_todos

        audit_objects_register()
        erasure_handlers_register()
        todo_register(takedown_todos)
        labels_register()
        todo_register(campaign_todos)
