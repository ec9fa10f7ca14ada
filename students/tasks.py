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


# --- Parents keeping their data current (students/services/self_service.py) ----------------
# Mails are queued once the request's transaction commits and sent by a worker; a mail server
# that is away for a moment is tried again, later each time.
SELF_SERVICE_MAIL_RETRY = {
    "autoretry_for": (ConnectionError, OSError),
    "retry_backoff": True,
    "max_retries": 5,
    "ignore_result": True,
}


@shared_task(**SELF_SERVICE_MAIL_RETRY)
def contact_changed_notice_task(guardian_id: int, old_email: str) -> None:
    """The notice to a guardian's *old* contact address that it was replaced. The old address
    travels with the task because the guardian's row no longer has it (it is the address the
    notice is for); nothing else personal does."""
    from .services.self_service import contact_changed_notice

    contact_changed_notice(guardian_id=guardian_id, old_email=old_email)


@shared_task(**SELF_SERVICE_MAIL_RETRY)
def address_change_notice_task(change_id: int) -> None:
    """The parent's notice that the school decided on their reported move."""
    from .services.self_service import address_change_notice

    address_change_notice(change_id=change_id)


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
