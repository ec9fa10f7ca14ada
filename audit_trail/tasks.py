from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def denied_digest_send_task(day: str | None = None) -> None:
    """Daily: yesterday's denied attempts per school and role to the privacy officer(s)."""
    import datetime

    from .digest import denied_digest_send

    denied_digest_send(day=datetime.date.fromisoformat(day) if day else None)
