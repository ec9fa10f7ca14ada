from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def export_build_task(export_id: int) -> None:
    """Build one export through the gate (returns at once when it was already built)."""
    from .gate import DisclosureRefusedError
    from .services import export_build

    try:
        export_build(export_id=export_id)
    except DisclosureRefusedError:
        return  # recorded on the export as a failure with its reason


@shared_task(ignore_result=True)
def agreements_expiring_task() -> None:
    """Weekly: tell directors which processing agreements expire within 60 days."""
    from .services import agreements_expiring_notify

    agreements_expiring_notify()


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def guardians_copy_notify_task(disclosure_id: int) -> None:
    """Tell the guardians that the onderwijskundig rapport went to the next school."""
    from .services import guardians_copy_notify

    guardians_copy_notify(disclosure_id=disclosure_id)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def import_preview_task(job_id: int) -> None:
    """Check an uploaded import file and keep its preview (the job's id only, never the file)."""
    from .import_jobs import import_job_preview

    import_job_preview(job_id=job_id)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True
)
def import_apply_task(job_id: int) -> None:
    """Import a checked file as its preview showed, then delete it."""
    from .import_jobs import import_job_apply

    import_job_apply(job_id=job_id)
