from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Receivers: a login stamps its session (timeouts, MFA); a lockout is audited.
        from . import lockout, middleware  # noqa: F401
        from .constants import labels_register

        labels_register()
