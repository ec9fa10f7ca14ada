"""Access events may be removed only when they are past their retention: besides the
transaction-local flag ``samen_een.retention``, the retention service sets
``samen_een.retention_before`` and the trigger refuses to delete any event from that moment on.
Updates are never allowed."""

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
    RAISE EXCEPTION 'audit_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('samen_een.retention', true) = 'on' THEN
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
    dependencies = [("audit", "0004_delete_action_request_kind")]

    operations = [migrations.RunPython(forward, backward)]
