import os

from django.core.wsgi import get_wsgi_application

# A WSGI server started without the variable serves production settings (and refuses to start
# without their secrets), never the development ones. The Celery app imported before this line
# (samen_een/__init__.py) chooses no settings on import (samen_een/celery.py).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen_een.settings.production")

application = get_wsgi_application()

# Refuse to serve as the owner of the tables, or with keys that cannot open the stored data
# (clear start-up errors).
from kernel.startup import owner_connection_refuse  # noqa: E402
from students.sealed_data import sealed_data_verify  # noqa: E402

owner_connection_refuse()
sealed_data_verify()
