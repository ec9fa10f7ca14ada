"""Besides the retention path, the trigger now allows one kind of UPDATE: the sealer giving an
unsealed access event its place in the hash chain (``seal_seq``, ``prev_seal``, ``seal``),
with every other column unchanged. A sealed row can never be updated, nor can its seal be
taken away."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('samen_een.retention', true) = 'on'
       AND NULLIF(current_setting('samen_een.retention_before', true), '') IS NOT NULL
       AND OLD.created_at < current_setting('samen_een.retention_before', true)::timestamptz
    THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE'
       AND OLD.seal_seq IS NULL
       AND NEW.seal_seq IS NOT NULL
       AND length(NEW.prev_seal) = 64
       AND length(NEW.seal) = 64
       AND (to_jsonb(NEW) - 'seal_seq' - 'prev_seal' - 'seal')
           = (to_jsonb(OLD) - 'seal_seq' - 'prev_seal' - 'seal')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# The function of 0005_retention_bound: no update at all.
BACKWARD = """
CREATE OR REPLACE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('samen_een.retention', true) = 'on'
       AND NULLIF(current_setting('samen_een.retention_before', true), '') IS NOT NULL
       AND OLD.created_at < current_setting('samen_een.retention_before', true)::timestamptz
    THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_chain_seal_columns")]

    operations = [migrations.RunPython(forward, backward)]
