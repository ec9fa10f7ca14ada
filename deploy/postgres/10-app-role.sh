#!/bin/sh
# Run once by the postgres image when it creates the database (docker-entrypoint-initdb.d):
# the application role the portal connects as. It owns nothing; `manage.py migrate`, run as
# the owner, grants it what the portal needs (audit.database_roles). For a database created
# before this script existed, run the same statement once as the owner (README).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE samen_een_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
  PASSWORD :'app_password';
SQL
