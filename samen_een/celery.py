import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen_een.settings.dev")

app = Celery("samen_een")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _verify_sealing_keys(**_kwargs) -> None:
    # A worker with the wrong keys must refuse to start rather than fail job by job.
    from students.sealing import sealing_verify

    sealing_verify()
