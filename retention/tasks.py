from celery import shared_task


@shared_task(ignore_result=True)
def retention_nightly_task() -> None:
    """Nightly: run each school's enabled retention rules (each run is recorded)."""
    from .services import retention_nightly

    retention_nightly()


@shared_task(ignore_result=True)
def retention_run_task(school_id: int, user_id: int, categories: list[str]) -> None:
    """A run the director started by hand; safe to repeat (only what is still due goes)."""
    from accounts.models import User
    from students.models import School

    from .constants import Trigger
    from .services import retention_run

    retention_run(
        school=School.objects.get(pk=school_id),
        trigger=Trigger.MANUAL,
        user=User.objects.get(pk=user_id),
        categories=categories,
    )


@shared_task(ignore_result=True)
def stored_files_expire_task() -> None:
    """Hourly: delete the files of expired access packages and exports and abandoned EDEXML
    uploads (safe to repeat: what is gone stays gone)."""
    from .expiry import stored_files_expire

    stored_files_expire()
