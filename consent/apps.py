from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        from students.start_page import todo_register

        from . import permissions  # noqa: F401 - registers its object permissions
        from .constants import labels_register
        from .erasure import erasure_handlers_register
        from .todos import takedown_todos

        erasure_handlers_register()
        todo_register(takedown_todos)
        labels_register()
