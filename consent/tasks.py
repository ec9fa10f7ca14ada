from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def guardians_inform_task(decision_id: int) -> None:
    """Tell the other guardians with authority that a consent choice changed."""
    from .services import guardians_inform

    guardians_inform(decision_id=decision_id)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def takedowns_notify_task(decision_id: int) -> None:
    """Tell the director which publications must come down after a withdrawal."""
    from .services import takedowns_notify

    takedowns_notify(decision_id=decision_id)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def campaign_invite_task(campaign_id: int) -> None:
    """Email the campaign's invitations (once; the campaign row remembers)."""
    from .services import campaign_invite

    campaign_invite(campaign_id=campaign_id)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def campaign_reminders_task() -> None:
    """Daily: remind guardians who have not answered this year's campaign."""
    from .services import campaign_reminders_send

    campaign_reminders_send()
