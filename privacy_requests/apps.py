from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyRequestsConfig(AppConfig):
    name = "privacy_requests"
    verbose_name = _("Privacy requests")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers its object permissions
        from .erasure import erasure_handlers_register

        erasure_handlers_register()
        from .constants import labels_register

        labels_register()
