from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Pupils")

    def ready(self) -> None:
        from kernel.crypto import check_keys

        from . import checks  # noqa: F401 - registers the system check
        from .services.erasure import erasure_handlers_register

        # Missing or malformed keys are a start-up error for every process.
        check_keys()
        erasure_handlers_register()
