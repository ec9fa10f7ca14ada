"""The retention checkpoint moves to the ``audit`` app (``audit.models.RetentionCheckpoint``):
the audit chain reads it, and the evidence layer depends on no capability. Table and rows stay.

First the foreign key to the run loses its database constraint (the column ``run_id`` and its
index stay: audit keeps the run as a plain id), then the model leaves retention's state only;
``audit/migrations/0009_retention_checkpoint_moved_in.py`` takes it into audit's state. The
SQL function of migration 0007 keeps writing the same table and columns.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0007_evidence_purge_functions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="retentioncheckpoint",
            name="run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="retention.retentionrun",
                verbose_name="run",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RetentionCheckpoint")],
        ),
    ]
