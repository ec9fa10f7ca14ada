from celery import shared_task


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
