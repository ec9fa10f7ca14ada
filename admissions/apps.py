from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = _("Admissions")

    def ready(self) -> None:
        from students.start_page import todo_register

        from . import (
            permissions,  # noqa: F401 - registers its object permissions
            tasks_okr,  # noqa: F401 - the education report's job, for the worker
        )
        from .audit_objects import audit_objects_register
        from .constants import labels_register
        from .erasure_okr import erasure_handlers_register as okr_erasure
        from .todos_decisions import application_todos
        from .todos_leaving import leaving_todos

        labels_register()
        audit_objects_register()
        okr_erasure()
        todo_register(application_todos)
        todo_register(leaving_todos)
