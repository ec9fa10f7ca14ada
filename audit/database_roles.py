"""The application's database role: everything it needs, and no way to rewrite the evidence.

In production two roles reach the database (README, "Database roles"): the **owner**, which
owns the tables and runs the migrations (``manage.py migrate --database owner``), and the
**application role** the web server and the workers connect as (``DATABASE_URL``). Migrations
run with ``DATABASE_OWNER_URL`` set, which makes the process connect as the owner; after every
such migration :func:`app_role_grant` gives the application role read and write on
every table except the evidence:

- access events and consent decisions: read and append only (no UPDATE, DELETE, TRUNCATE);
- the chain head and the retention checkpoints: read only;

and EXECUTE on the owner's ``SECURITY DEFINER`` functions, the two narrow paths the design
allows: sealing the chain (migration audit 0008) and retention's purge past the period
(migration retention 0007). Each checks its own conditions, so no flag the application sets
opens anything. ``tests/security/test_database_roles.py`` connects as such a role and proves
the refusals and the two paths.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

logger = logging.getLogger(__name__)

APPEND_ONLY_TABLES = ("audit_accessevent", "consent_consentdecision")
READ_ONLY_TABLES = ("audit_auditchainhead", "retention_retentioncheckpoint")
# (name, argument types) of each function the application role may execute.
DEFINER_FUNCTIONS = (
    ("audit_chain_lock", ""),
    ("audit_seal_batch", "bigint[], bigint[], varchar[], varchar[]"),
    ("retention_purge_access_events", "bigint[], timestamptz, bigint"),
    ("retention_purge_consent_decisions", "bigint[]"),
)


def app_role_grant(*, using: str, role: str) -> None:
    """Grant ``role`` what the application needs on the database of connection ``using``
    (the owner's), and revoke what would let it change the evidence. Idempotent: run after
    every migration, so new tables are covered.

    Refuses a role that does not exist, the owner itself, and a superuser (which no grant
    can restrict)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured("Database roles are a PostgreSQL feature.")
    from psycopg import sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise ImproperlyConfigured(
                f"The application role {role!r} does not exist: create it as the owner "
                "(README, 'Database roles') before migrating."
            )
        if role == owner:
            raise ImproperlyConfigured(
                "DATABASE_URL and DATABASE_OWNER_URL name the same role: the application must "
                "connect as a role that does not own the tables."
            )
        if found[0]:
            raise ImproperlyConfigured(
                f"The application role {role!r} is a superuser: no grant can restrict it."
            )
        who, where = sql.Identifier(role), sql.Identifier(schema)

        def tables(names):
            return sql.SQL(", ").join(sql.Identifier(schema, name) for name in names)

        statements = [
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(where, who),
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(where, who),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                where, who
            ),
            sql.SQL(
                "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}"
            ).format(where, who),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(where, who),
            sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(tables(APPEND_ONLY_TABLES), who),
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(
                tables(READ_ONLY_TABLES), who
            ),
        ]
        for name, arguments in DEFINER_FUNCTIONS:
            statements.append(
                sql.SQL("GRANT EXECUTE ON FUNCTION {}({}) TO {}").format(
                    sql.Identifier(schema, name), sql.SQL(arguments), who
                )
            )
        for statement in statements:
            cursor.execute(statement)
    logger.info("database: privileges of the application role %s brought up to date", role)


def grant_after_migrate(*, using: str, **kwargs) -> None:
    """post_migrate: after migrating as the owner (``DATABASE_OWNER_URL`` set), keep the
    application role's privileges current. Nothing happens without a separate owner
    (development, the test suite, an installation that still connects as the owner)."""
    role = settings.DATABASE_APP_ROLE
    if not role or connections[using].vendor != "postgresql":
        return
    app_role_grant(using=using, role=role)
