"""The education report's job: telling the guardians it was sent (ids only)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def education_report_notify_task(report_id: int) -> None:
    """Tell the guardians with authority that their child's report went to the new school."""
    from .services.okr import education_report_notify

    education_report_notify(report_id=report_id)
