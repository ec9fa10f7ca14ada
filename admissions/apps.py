from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = _("Admissions")

    def ready(self) -> None:
        from students.start_page import todo_register

        from . import permissions  # noqa: F401 - registers its object permissions
        from .constants import labels_register
        from .todos_leaving import leaving_todos

        labels_register()
        todo_register(leaving_todos)
