# syntax=docker/dockerfile:1
# Samen Een portal: one image for the web server (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml runs all three from this image with the same settings (.env).
#
# Secrets never go into the image: every setting comes from the environment at run time.
# The only values set during the build are throwaway ones on the compilemessages/collectstatic
# line below, scoped to that one command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=samen_een.settings.production

# GNU gettext provides msgfmt for `manage.py compilemessages`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged account with a fixed uid/gid, so files on the named volumes keep their owner
# across rebuilds.
RUN groupadd --system --gid 10001 samen \
    && useradd --system --uid 10001 --gid samen --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin samen

WORKDIR /app

# Dependencies first (cached while only the code changes); every wheel is checked against
# the hashes in the lock file.
COPY requirements.lock ./
RUN pip install --require-hashes --no-cache-dir -r requirements.lock

# The code stays owned by root: the portal process can read it but not change it.
COPY . .

# Translations and static files are built into the image. Settings need their variables to
# import, and the students app checks the sealing keys at start-up, so this one command gets
# dummy values (the encryption key is generated here and thrown away). Nothing is persisted
# as ENV, and the build database is removed again.
RUN SECRET_KEY=build-only-dummy-not-a-secret \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    FIELD_HASH_KEY=build-only-dummy-not-a-secret \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=memory:// \
    sh -c 'python manage.py compilemessages && python manage.py collectstatic --noinput' \
    && rm -f /tmp/build.sqlite3

# The only places the running portal writes to: uploaded files, and Celery beat's schedule
# file. Both are named volumes in docker-compose.yml. A new named volume takes its owner
# from these directories.
RUN mkdir -p /app/media /var/lib/samen-een/beat \
    && chown samen:samen /app/media /var/lib/samen-een/beat

USER 10001:10001

EXPOSE 8000

# No HEALTHCHECK here: worker and beat run from this image too, and an HTTP check would mark
# them unhealthy. docker-compose.yml gives each service its own check.
CMD ["gunicorn", "samen_een.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60"]
