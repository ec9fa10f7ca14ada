"""Tamper evidence for the audit trail: a hash chain, extended in the background.

Words: here a *seal* is a link's hash, never encryption (encryption at rest is
``kernel.crypto.seal`` and ``kernel.sealed_files``). The columns keep the chain's first names:
``seal_seq`` is a row's number in the chain, ``seal`` its hash, ``prev_seal`` the hash before it.

Recording an event takes no lock: rows are inserted outside the chain. ``chain_extend`` (every
minute, ``audit_seal_task``) gives each new row the next chain number and its hash, the SHA-256
of the previous hash and the row's content, so changing, removing or reordering a chained row
breaks the chain. Chain order is the order rows were linked in, not their id order: a row whose
transaction committed late simply gets a later number.

Retention removes old chained rows and writes the removed chain numbers on its checkpoint
(``RetentionCheckpoint`` in ``audit.models``); ``chain_verify`` accepts exactly those gaps and
nothing else.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from .models import AccessEvent, AuditChainHead, RetentionCheckpoint

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# Every column of an access event except the seal itself and the previous seal (which is
# hashed as the prefix). A test keeps this in step with the model.
CONTENT_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "role",
    "action",
    "data_kind",
    "special_category",
    "object_type",
    "object_id",
    "student_id",
    "school_id",
    "outcome",
    "request_id",
    "path",
    "seal_seq",
)
VERIFY_CHUNK = 5000


def event_digest(*, prev_seal: str, row: Mapping[str, Any]) -> str:
    """The seal of one row: SHA-256 (hex) of the previous seal and the row's content as
    canonical JSON. ``row`` maps every name in ``CONTENT_FIELDS`` to its stored value."""
    content = {name: row[name] for name in CONTENT_FIELDS}
    created_at: datetime.datetime = content["created_at"]
    content["created_at"] = created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    # ASCII JSON: any stored text, whatever its characters, hashes to the same bytes.
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_seal + text).encode()).hexdigest()


def seq_ranges(seqs: Iterable[int]) -> list[list[int]]:
    """Chain numbers (``seal_seq``) compressed into runs: ``[1, 2, 3, 7]`` becomes
    ``[[1, 3], [7, 7]]``."""
    runs: list[list[int]] = []
    for seq in sorted(seqs):
        if runs and seq == runs[-1][1] + 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return runs


# --- linking ---------------------------------------------------------------------------------


def chain_extend(*, batch: int = 5000) -> int:
    """Link every access event not yet in the chain, oldest id first, and return how many.

    One transaction per batch, each holding the chain head's row lock, so runs link one
    after another and a crash leaves the head and the rows in step. Safe to run twice: a
    second run finds nothing to link. Rows inserted after the start wait for the next run.
    """
    up_to = AccessEvent.objects.aggregate(last=Max("id"))["last"]
    total = 0
    while up_to is not None:
        linked = _batch_link(up_to=up_to, batch=batch)
        total += linked
        if linked < batch:
            break
    if total:
        logger.info("audit: %d event(s) sealed", total)
    return total


@transaction.atomic
def _batch_link(*, up_to: int, batch: int) -> int:
    seq, prev = _head_lock()
    rows = list(
        AccessEvent.objects.filter(seal_seq__isnull=True, id__lte=up_to)
        .order_by("id")
        .values(*CONTENT_FIELDS)[:batch]
    )
    if not rows:
        return 0
    links: list[tuple[int, int, str, str]] = []
    for row in rows:
        seq += 1
        row["seal_seq"] = seq
        seal = event_digest(prev_seal=prev, row=row)
        links.append((row["id"], seq, prev, seal))
        prev = seal
    written = _links_write(links)
    if written != len(links):
        # A row went between reading and writing: roll back, the next run links what is there.
        raise RuntimeError(f"audit chain: wrote {written} of {len(links)} links")
    return len(rows)


def _head_lock() -> tuple[int, str]:
    """Lock the chain head for this transaction and return its chain number and hash.

    On PostgreSQL through ``audit_chain_lock()``, a function the owner role owns: the
    application's role may not lock or change the head itself (``audit.database_roles``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq, seal FROM audit_chain_lock()")
            seq, seal = cursor.fetchone()
        return seq, seal
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head.seq, head.seal


def _links_write(links: list[tuple[int, int, str, str]]) -> int:
    """Write the hashes of one batch and move the head to its last one.

    On PostgreSQL in one call of ``audit_seal_batch``, a function the owner role owns: it
    checks that the batch continues the chain from the head and that no row was chained yet,
    the only change of an access event the database allows (migration audit 0008). Elsewhere
    the event queryset's refusal of ``update()`` is passed deliberately, here only."""
    if connection.vendor == "postgresql":
        ids, seqs, prevs, seals = (list(column) for column in zip(*links, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT audit_seal_batch(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[])",
                [ids, seqs, prevs, seals],
            )
            return cursor.fetchone()[0]
    events = [
        AccessEvent(id=pk, seal_seq=seq, prev_seal=prev, seal=seal) for pk, seq, prev, seal in links
    ]
    plain: models.QuerySet[AccessEvent] = models.QuerySet(model=AccessEvent)
    written = plain.bulk_update(events, ["seal_seq", "prev_seal", "seal"])
    _pk, seq, _prev, seal = links[-1]
    AuditChainHead.objects.filter(pk=1).update(seq=seq, seal=seal, sealed_at=timezone.now())
    return written


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    event_id: int | None  # None when the end of the chain is gone
    seal_seq: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken: BrokenLink | None
    unsealed: int
    started_from_seq: int | None  # chain number of the first remaining row
    checkpoint_id: int | None  # the retention checkpoint the chain starts after, if any
    head_seq: int


class _RemovedByRetention:
    """The chain numbers retention removed, merged into sorted disjoint runs."""

    def __init__(self) -> None:
        self._load()

    def _load(self) -> None:
        runs = sorted(
            (first, last)
            for ranges in _audit_checkpoints().values_list("removed_seal_ranges", flat=True)
            for first, last in ranges
        )
        merged: list[list[int]] = []
        for first, last in runs:
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self._firsts = [first for first, _last in merged]
        self._runs = merged

    def _covers(self, first: int, last: int) -> bool:
        i = bisect.bisect_right(self._firsts, first) - 1
        return i >= 0 and self._runs[i][1] >= last

    def covers(self, first: int, last: int) -> bool:
        if self._covers(first, last):
            return True
        # Retention may have removed rows (and committed their checkpoint) while we read.
        self._load()
        return self._covers(first, last)


def _audit_checkpoints() -> models.QuerySet[RetentionCheckpoint]:
    return RetentionCheckpoint.objects.filter(table=AccessEvent._meta.db_table)


def _checkpoint_removing(seq: int) -> int | None:
    for pk, ranges in _audit_checkpoints().order_by("id").values_list("id", "removed_seal_ranges"):
        if any(first <= seq <= last for first, last in ranges):
            return pk
    return None


def _chained_rows(*, up_to: int) -> Iterator[dict[str, Any]]:
    """Chained rows by chain number, a chunk at a time (keyset pages on the unique index), so
    memory stays bounded however long the chain is."""
    after = 0
    while True:
        chunk = list(
            AccessEvent.objects.filter(seal_seq__gt=after, seal_seq__lte=up_to)
            .order_by("seal_seq")
            .values(*CONTENT_FIELDS, "prev_seal", "seal")[:VERIFY_CHUNK]
        )
        yield from chunk
        if len(chunk) < VERIFY_CHUNK:
            return
        after = chunk[-1]["seal_seq"]


def chain_verify(*, stdout: TextIO | None = None) -> VerifyResult:
    """Walk the chain from its first remaining row to the head and stop at the first broken
    link: a row whose content no longer matches its seal, a row not linked to the one before,
    chain numbers missing that retention did not remove, or an end that does not match the
    head. Rows linked while this runs are left for the next verification."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        head_seq, head_seal = head.seq, head.seal
    else:
        # No head: nothing may have been linked yet. Walk whatever is chained all the same.
        head_seq = AccessEvent.objects.aggregate(last=Max("seal_seq"))["last"] or 0
        head_seal = GENESIS if head_seq == 0 else ""
    removed = _RemovedByRetention()
    prev_seq, prev_seal, prev_id = 0, GENESIS, None
    checked = 0
    started_from: int | None = None
    broken: BrokenLink | None = None

    for row in _chained_rows(up_to=head_seq):
        seq = row["seal_seq"]
        if started_from is None:
            started_from = seq
        if event_digest(prev_seal=row["prev_seal"], row=row) != row["seal"]:
            broken = BrokenLink(row["id"], seq, "content changed")
        elif seq == prev_seq + 1 and row["prev_seal"] != prev_seal:
            broken = BrokenLink(row["id"], seq, "link broken")
        elif seq > prev_seq + 1 and not removed.covers(prev_seq + 1, seq - 1):
            broken = BrokenLink(
                row["id"],
                seq,
                f"events missing (seq {prev_seq + 1}-{seq - 1}) not removed by retention",
            )
        if broken:
            break
        prev_seq, prev_seal, prev_id = seq, row["seal"], row["id"]
        checked += 1
        if stdout is not None and checked % 100_000 == 0:
            stdout.write(f"  {checked} events verified (seq {seq})\n")

    if broken is None:
        if prev_seq < head_seq and not removed.covers(prev_seq + 1, head_seq):
            broken = BrokenLink(None, prev_seq + 1, "end of chain removed")
        elif prev_seq == head_seq and prev_seal != head_seal:
            reason = "end of chain removed" if head is not None else "chain head missing"
            broken = BrokenLink(prev_id, prev_seq, reason)

    return VerifyResult(
        ok=broken is None,
        checked=checked,
        first_broken=broken,
        unsealed=AccessEvent.objects.filter(seal_seq__isnull=True).count(),
        started_from_seq=started_from,
        checkpoint_id=(
            _checkpoint_removing(started_from - 1) if started_from and started_from > 1 else None
        ),
        head_seq=head_seq,
    )


@dataclass
class AnchorCheck:
    ok: bool
    message: str


def anchor_check(*, seq: int, seal: str) -> AnchorCheck:
    """Compare the chain with a head noted outside the database earlier (``seq:seal``): the
    row with that chain number must still carry that hash, unless retention removed it. This
    catches a rewrite of the chain by someone who could also re-link everything after it."""
    row = AccessEvent.objects.filter(seal_seq=seq).values_list("pk", "seal").first()
    if row is not None:
        if row[1] == seal:
            return AnchorCheck(True, f"Anchor holds: seq {seq} still carries the noted seal.")
        return AnchorCheck(
            False, f"Anchor BROKEN: seq {seq} (event id {row[0]}) carries another seal."
        )
    if seq > _head().seq:
        return AnchorCheck(False, f"Anchor BROKEN: the chain ends before seq {seq}.")
    checkpoint = _checkpoint_removing(seq)
    if checkpoint is not None:
        return AnchorCheck(
            True, f"Anchor seq {seq} was removed by retention (checkpoint #{checkpoint})."
        )
    return AnchorCheck(False, f"Anchor BROKEN: seq {seq} is missing.")


def _head() -> AuditChainHead:
    return AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
