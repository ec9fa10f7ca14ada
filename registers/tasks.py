from celery import shared_task


@shared_task(ignore_result=True)
def breach_reminders_task() -> None:
    """Every quarter of an hour: remind at 24 and 48 hours while a breach decision is open."""
    from .services import breach_reminders_send

    breach_reminders_send()
