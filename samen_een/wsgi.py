import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen_een.settings.production")

application = get_wsgi_application()

# Refuse to serve with keys that cannot open the stored data (a clear start-up error).
from students.sealing import sealing_verify  # noqa: E402

sealing_verify()
