from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers and disclosures")

    def ready(self) -> None:
        from students.start_page import register

        from . import (
            checks,  # noqa: F401 - registers the system check
            permissions,  # noqa: F401 - registers its object permissions
        )
        from .erasure import erasure_handlers_register
        from .start_page import agreements_panel

        erasure_handlers_register()
        register(agreements_panel)
        from .constants import labels_register

        labels_register()
