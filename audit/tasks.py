from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def audit_seal_task() -> None:
    """Every minute: link new access events into the hash chain (safe to run twice)."""
    from .chain import chain_extend

    chain_extend()
