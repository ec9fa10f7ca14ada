from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers its object permissions
        from .erasure import erasure_hooks_register

        erasure_hooks_register()
        from .constants import labels_register

        labels_register()
