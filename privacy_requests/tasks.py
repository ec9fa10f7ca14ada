from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def package_build_task(package_id: int) -> None:
    """Build one access package (returns at once when it was already built)."""
    from .services import package_build

    package_build(package_id=package_id)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def request_notify_task(request_id: int, what: str) -> None:
    """Email the requester (and on receipt the other guardians) about one step."""
    from .services import request_notify

    request_notify(request_id=request_id, what=what)


@shared_task(ignore_result=True)
def requests_due_soon_task() -> None:
    """Daily: remind the school's handlers of requests due within a week or overdue."""
    from .services import requests_due_soon_notify

    requests_due_soon_notify()
