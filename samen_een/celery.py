import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen_een.settings.dev")

app = Celery("samen_een")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _verify_sealing_keys(**_kwargs) -> None:
    # A worker with the wrong keys, or connected as the owner of the tables, must refuse to
    # start rather than fail job by job (or run without the database's refusals).
    from kernel.startup import owner_connection_refuse
    from students.sealed_data import sealed_data_verify

    owner_connection_refuse()
    sealed_data_verify()


@beat_init.connect
def _refuse_owner_connection(**_kwargs) -> None:
    from kernel.startup import owner_connection_refuse

    owner_connection_refuse()
