from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Action, DataKind, Outcome


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Access events are append-only.")

    def delete(self):
        raise TypeError("Access events are append-only; only the retention service removes them.")


class AccessEvent(models.Model):
    """One look at, or change of, pupil data, or one login. Append-only (DESIGN rule 4).

    Holds ids rather than foreign keys, so erasing or anonymising a pupil or a user never
    cascades into the evidence; on PostgreSQL a trigger refuses UPDATE and DELETE. Rows are
    written outside the chain; a background job (``audit.chain``) links them into a hash
    chain, the one update the trigger allows.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("who (user id)"), null=True, blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    data_kind = models.CharField(
        _("kind of data"), max_length=20, choices=DataKind.choices, blank=True
    )
    special_category = models.BooleanField(_("special-category data"), default=False)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    student_id = models.BigIntegerField(_("pupil id"), null=True, blank=True)
    school_id = models.BigIntegerField(_("school id"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    seal_seq = models.BigIntegerField(
        _("seal number"), null=True, blank=True, unique=True, editable=False
    )
    prev_seal = models.CharField(_("previous seal"), max_length=64, blank=True, editable=False)
    seal = models.CharField(_("seal"), max_length=64, blank=True, editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school_id", "-created_at"]),
            models.Index(fields=["student_id", "-created_at"]),
            # Small: only the rows the sealer has yet to link, so it never scans the sealed ones.
            models.Index(
                fields=["id"],
                condition=models.Q(seal_seq__isnull=True),
                name="audit_event_unsealed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("Access events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Access events are append-only; only the retention service removes them.")


class AuditChainHead(models.Model):
    """The end of the audit hash chain: the last seal number and seal given out. One row
    (id 1), locked by the sealer, so sealers run one after another."""

    seq = models.BigIntegerField(_("last seal number"), default=0)
    seal = models.CharField(_("last seal"), max_length=64, default="0" * 64)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row")
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.seal[:12]}"


class RetentionCheckpoint(models.Model):
    """Where retention's removal of evidence stopped: the audit chain is verified from the first
    event after the last checkpoint, and ``removed_seal_ranges`` names the only gaps it accepts
    (``audit.chain``). Written by ``retention.erasure`` (on PostgreSQL by the function of
    ``retention/migrations/0007_evidence_purge_functions.py``), read only by the portal's
    database role (``audit.database_roles``). The table keeps the name it was created with.

    ``run_id`` is the id of the retention run that removed the batch, a plain id rather than a
    foreign key, so the evidence layer depends on no capability."""

    table = models.CharField(_("table"), max_length=40)
    up_to_id = models.BigIntegerField(_("removed up to id"))
    up_to_created_at = models.DateTimeField(_("removed up to"))
    deleted_count = models.PositiveIntegerField(_("removed"))
    # [[first, last], ...]: the chain numbers this batch removed, as runs, so the verifier can
    # tell a gap retention left from one that someone made.
    removed_seal_ranges = models.JSONField(_("removed seal numbers"), default=list, blank=True)
    run_id = models.BigIntegerField(_("run"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        db_table = "retention_retentioncheckpoint"
        verbose_name = _("retention checkpoint")
        verbose_name_plural = _("retention checkpoints")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.table} <= {self.up_to_id}"
