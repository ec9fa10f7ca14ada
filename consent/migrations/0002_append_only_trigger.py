"""On PostgreSQL the database refuses UPDATE and DELETE of consent decisions (evidence).

As for access events, only the retention service may delete rows past their evidence period,
with ``SET LOCAL samen_een.retention = 'on'`` (DESIGN rule 4).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION consent_decision_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('samen_een.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent_consentdecision is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_decision_append_only
    BEFORE UPDATE OR DELETE ON consent_consentdecision
    FOR EACH ROW EXECUTE FUNCTION consent_decision_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS consent_decision_append_only ON consent_consentdecision;
DROP FUNCTION IF EXISTS consent_decision_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
