from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    """The board's registers: data breaches and processing activities, and the privacy
    officer's overview. Its own app because it reads across all the others."""

    name = "registers"
    verbose_name = _("Registers")

    def ready(self) -> None:
        from students.start_page import todo_register

        from . import permissions  # noqa: F401 - registers its object permissions
        from .audit_objects import audit_objects_register
        from .constants import labels_register
        from .todos import breach_todos

        audit_objects_register()
        todo_register(breach_todos)
        labels_register()
