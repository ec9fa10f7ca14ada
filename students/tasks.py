from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError


@shared_task(ignore_result=True)
def teacher_periods_sync_task() -> None:
    """Daily: record started periods and withdraw the permissions of ended ones."""
    from .services import teacher_periods_sync

    teacher_periods_sync()


@shared_task(ignore_result=True)
def rollover_scheduled_task() -> None:
    """Daily: on or after 1 August apply the school years that were scheduled."""
    from .rollover.services import rollover_scheduled_apply

    rollover_scheduled_apply()


# A mail server or the database away for a moment: tried again, later each time.
@shared_task(
    autoretry_for=(SMTPException, ConnectionError, OperationalError),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def staff_invitation_mail_task(invitation_id: int, token: str, site_url: str = "") -> None:
    """A colleague's invitation link (students/services/staff_invitations.py); the token is
    only in the message, never in its description (queued with ``kwargsrepr``)."""
    from .services.staff_invitations import staff_invitation_mail

    staff_invitation_mail(invitation_id=invitation_id, token=token, site_url=site_url)
