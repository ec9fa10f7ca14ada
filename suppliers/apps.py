from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers and disclosures")

    def ready(self) -> None:
        from students.start_page import todo_register

        from . import (
            checks,  # noqa: F401 - registers the system check
            permissions,  # noqa: F401 - registers its object permissions
        )
        from .audit_objects import audit_objects_register
        from .constants import labels_register
        from .erasure import erasure_handlers_register
        from .todos import agreement_todos

        audit_objects_register()
        erasure_handlers_register()
        todo_register(agreement_todos)
        labels_register()
