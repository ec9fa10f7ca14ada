from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from students.start_page import todo_register

        from . import permissions  # noqa: F401 - registers its object permissions
        from .audit_objects import audit_objects_register
        from .constants import labels_register
        from .erasure import erasure_hooks_register
        from .todos import retention_todos

        erasure_hooks_register()
        audit_objects_register()
        todo_register(retention_todos)
        labels_register()
