from celery import shared_task


@shared_task(ignore_result=True)
def applications_unconfirmed_delete_task() -> None:
    """Hourly: delete the online applications whose confirmation link expired unused."""
    from .services.applications import applications_unconfirmed_delete

    applications_unconfirmed_delete()
