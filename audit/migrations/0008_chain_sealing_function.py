"""Sealing the chain becomes a function the owner role owns (``SECURITY DEFINER``).

In production the portal connects as a role that is not the owner and has no UPDATE on the
access events or the chain head (``audit.database_roles``). The only way it can give events
their seals is this function, which checks its own conditions: the batch continues the chain
from the head it locks (numbers without a gap, each row linked to the seal before it), every
row was unsealed, and every seal is a SHA-256 in hex. The trigger (0007) still refuses every
other change, also to the owner.

``audit_chain_lock()`` takes the head's row lock for the caller's transaction (the
application role may not ``SELECT ... FOR UPDATE`` the head itself) and returns it, so two
sealers still run one after another.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_chain_lock() RETURNS TABLE(seq bigint, seal varchar)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    INSERT INTO audit_auditchainhead (id, seq, seal) VALUES (1, 0, repeat('0', 64))
        ON CONFLICT (id) DO NOTHING;
    RETURN QUERY SELECT h.seq, h.seal FROM audit_auditchainhead AS h WHERE h.id = 1 FOR UPDATE;
END;
$$;

CREATE OR REPLACE FUNCTION audit_seal_batch(
    ids bigint[], seqs bigint[], prevs varchar[], seals varchar[]
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    n integer := coalesce(cardinality(ids), 0);
    head_seq bigint;
    head_seal varchar;
    written integer;
BEGIN
    IF n = 0 THEN
        RETURN 0;
    END IF;
    IF cardinality(seqs) <> n OR cardinality(prevs) <> n OR cardinality(seals) <> n THEN
        RAISE EXCEPTION 'audit_seal_batch: arrays of different lengths'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT h.seq, h.seal INTO head_seq, head_seal
        FROM audit_auditchainhead AS h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_seal_batch: the chain has no head' USING ERRCODE = 'no_data_found';
    END IF;
    FOR i IN 1..n LOOP
        IF seqs[i] <> head_seq + i
           OR prevs[i] <> (CASE WHEN i = 1 THEN head_seal ELSE seals[i - 1] END)
           OR seals[i] !~ '^[0-9a-f]{{64}}$'
        THEN
            RAISE EXCEPTION 'audit_seal_batch: seal % does not continue the chain', i
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    UPDATE audit_accessevent AS e
        SET seal_seq = v.seq, prev_seal = v.prev, seal = v.seal
        FROM unnest(ids, seqs, prevs, seals) AS v(id, seq, prev, seal)
        WHERE e.id = v.id AND e.seal_seq IS NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written <> n THEN
        RAISE EXCEPTION 'audit_seal_batch: % of % rows were unsealed', written, n
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE audit_auditchainhead
        SET seq = seqs[n], seal = seals[n], sealed_at = now()
        WHERE id = 1;
    RETURN n;
END;
$$;

REVOKE ALL ON FUNCTION audit_chain_lock() FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_seal_batch(bigint[], bigint[], varchar[], varchar[]) FROM PUBLIC;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS audit_seal_batch(bigint[], bigint[], varchar[], varchar[]);
DROP FUNCTION IF EXISTS audit_chain_lock();
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
    dependencies = [("audit", "0007_trigger_allows_sealing")]

    operations = [migrations.RunPython(forward, backward)]
