"""What the consent services share: their errors, and work and mail after the commit."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from students.exceptions import StudentError


class ConsentError(StudentError):
    default_message = _("This consent change is not possible.")


class ConsentLockedError(ConsentError):
    """Guardians can no longer give consent online after the school's lock date (409)."""

    status_code = 409


class NotAGuardianError(ConsentError):
    default_message = _("Only a guardian with parental authority can decide on consent.")


def _on_commit(task, *args) -> None:
    transaction.on_commit(partial(task.delay, *args))


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    if recipients:
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(template, context)
        send_mail(subject, body, None, recipients)
