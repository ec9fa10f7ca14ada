"""The Celery app of the portal (``celery -A samen_een worker|beat``).

Which settings: whatever DJANGO_SETTINGS_MODULE says; when it says nothing, the development
settings of ``make run`` (``bin/run`` starts its worker that way). That default is chosen only when
the app first reads its configuration (``on_configure``), never on import: every process imports
this module through ``samen_een/__init__.py``, and a WSGI server started without the variable must
get the production settings ``samen_een/wsgi.py`` asks for, not these.
"""

import os

from celery import Celery
from celery.fixups.django import DjangoFixup
from celery.signals import beat_init, worker_init

DEVELOPMENT_SETTINGS = "samen_een.settings.dev"


def _django_fixup(app: Celery) -> DjangoFixup:
    # Celery installs its Django fix-up only when DJANGO_SETTINGS_MODULE is set at the moment
    # the app is created; here it may be chosen later (below), so it is installed always.
    return DjangoFixup(app).install()


app = Celery("samen_een", fixups=["samen_een.celery:_django_fixup"])


@app.on_configure.connect
def _settings_default(**_kwargs) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEVELOPMENT_SETTINGS)


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
