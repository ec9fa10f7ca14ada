"""Retention's purge of evidence becomes two functions the owner role owns (``SECURITY
DEFINER``), each checking its own conditions.

In production the portal connects as a role that is not the owner and has no DELETE on access
events or consent decisions, nor any write on the retention checkpoints
(``audit.database_roles``); setting the triggers' transaction-local flag opens nothing for it.
These functions are its only way to remove evidence:

- ``retention_purge_access_events(ids, before, run_id)`` removes the given access events only
  if they are sealed, older than ``before``, not of a pupil under a legal hold in force, and
  ``before`` lies at least 12 months back (the floor of ``Category.AUDIT_EVENTS``: parents are
  shown 12 months of who looked). It writes the checkpoint (the removed seal numbers as runs)
  itself, so no checkpoint can claim a gap that retention did not make.
- ``retention_purge_consent_decisions(student_ids)`` removes the decisions of former pupils
  only: each pupil left at least 12 months ago (the floor of ``Category.CONSENT_EVIDENCE``) and
  is not under a legal hold in force. A pupil that does not qualify refuses the whole call.

Both open the triggers' retention path for their own statements only and close it again.
``tests/security/test_database_roles.py`` proves the conditions and the application role's
refusals.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION retention_purge_access_events(
    ids bigint[], before timestamptz, run_id bigint
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    removed integer;
BEGIN
    IF before IS NULL OR before > now() - interval '12 months' THEN
        RAISE EXCEPTION
            'retention_purge_access_events: % is within the 12 months every event is kept',
            before USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('samen_een.retention', 'on', true);
    PERFORM set_config('samen_een.retention_before', before::text, true);
    -- One statement, no temporary table: a table the caller created beforehand could
    -- otherwise stand in for it (and its triggers would run as the owner).
    WITH gone AS (
        DELETE FROM audit_accessevent AS e
        WHERE e.id = ANY(ids)
          AND e.created_at < before
          AND e.seal_seq IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM retention_legalhold AS h
              WHERE h.student_id = e.student_id
                AND h.lifted_at IS NULL
                AND (h.until IS NULL OR h.until >= current_date)
          )
        RETURNING e.id, e.created_at, e.seal_seq
    ),
    numbered AS (
        SELECT seal_seq, seal_seq - row_number() OVER (ORDER BY seal_seq) AS run FROM gone
    ),
    runs AS (
        SELECT min(seal_seq) AS lo, max(seal_seq) AS hi FROM numbered GROUP BY run
    ),
    last AS (
        SELECT id, created_at FROM gone ORDER BY created_at DESC, id DESC LIMIT 1
    ),
    checkpoint AS (
        INSERT INTO retention_retentioncheckpoint (
            "table", up_to_id, up_to_created_at, deleted_count, removed_seal_ranges, run_id,
            created_at
        )
        SELECT 'audit_accessevent', last.id, last.created_at, (SELECT count(*) FROM gone),
               (SELECT coalesce(jsonb_agg(jsonb_build_array(lo, hi) ORDER BY lo), '[]'::jsonb)
                FROM runs),
               run_id, now()
        FROM last
        RETURNING deleted_count
    )
    SELECT coalesce((SELECT deleted_count FROM checkpoint), 0) INTO removed;
    PERFORM set_config('samen_een.retention', '', true);
    PERFORM set_config('samen_een.retention_before', '', true);
    RETURN removed;
END;
$$;

CREATE OR REPLACE FUNCTION retention_purge_consent_decisions(student_ids bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    removed integer;
BEGIN
    IF EXISTS (
        SELECT 1 FROM unnest(student_ids) AS wanted(id)
        LEFT JOIN students_student AS s ON s.id = wanted.id
        WHERE s.id IS NULL
           OR s.withdrawn_on IS NULL
           -- One day of slack: the school's day may run ahead of the database's (UTC).
           OR s.withdrawn_on >= current_date - interval '12 months' + interval '1 day'
           OR EXISTS (
               SELECT 1 FROM retention_legalhold AS h
               WHERE h.student_id = wanted.id
                 AND h.lifted_at IS NULL
                 AND (h.until IS NULL OR h.until >= current_date)
           )
    ) THEN
        RAISE EXCEPTION
            'retention_purge_consent_decisions: a pupil left less than 12 months ago or is held'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('samen_een.retention', 'on', true);
    DELETE FROM consent_consentdecision WHERE student_id = ANY(student_ids);
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('samen_een.retention', '', true);
    RETURN removed;
END;
$$;

REVOKE ALL ON FUNCTION retention_purge_access_events(bigint[], timestamptz, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION retention_purge_consent_decisions(bigint[]) FROM PUBLIC;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS retention_purge_consent_decisions(bigint[]);
DROP FUNCTION IF EXISTS retention_purge_access_events(bigint[], timestamptz, bigint);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
    schema_editor.execute(FORWARD.format(schema=schema), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0006_rule_period_within_bounds"),
        ("audit", "0007_trigger_allows_sealing"),
        ("consent", "0002_append_only_trigger"),
    ]

    operations = [migrations.RunPython(forward, backward)]
