"""Key rotation for sealed fields: re-encrypt every stored token with the newest key.

The procedure (no downtime, safe to re-run at any step):

1. Prepend a new key to ``FIELD_ENCRYPTION_KEYS`` (newest first, old keys kept) and deploy it
   to every process, so new writes are sealed with the new key and old tokens still open.
2. ``manage.py rotate_encryption_keys``: :func:`keys_rotate` re-encrypts each stored token with
   the newest key, then :func:`keys_verify_primary_only` proves that every token opens with the
   newest key alone.
3. Only when the verification reports zero everywhere, drop the old keys.

Sealed fields are found generically (every concrete ``SealedTextField`` of every installed
model), so a new sealed field is rotated without touching this module. Tokens are read and
written with plain SQL: going through the ORM would decrypt on read (``from_db_value``) and
encrypt a second time on write (``get_prep_value``).

Sealed files are found the same way (every concrete ``FileField`` whose storage is the
``SealedStorage``). A file whose data key needs an old key gets a copy with the key re-wrapped
by the newest key (:func:`kernel.sealed_files.file_reseal`); a plain-text file from before
sealing gets a sealed copy. The row is then pointed at the copy (only if it still names the
old file), and the old file is deleted once that commits: an interruption leaves every row
naming a file that exists. A file missing from storage counts as not verified, so the old keys
are never called removable while the storage may be the wrong one.

Nothing here ever logs, prints or raises a value or a file name: only field names, counts and
primary keys.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import partial
from typing import Any, TextIO

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router, transaction

from .crypto import SealedDataError, SealedTextField, primary_fernet, reseal
from .sealed_files import (
    SealedFileError,
    SealedStorage,
    file_is_sealed,
    file_opens_with_primary,
    file_reseal,
    file_seal_legacy,
)

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500
# How many primary keys of values still needing an old key are logged per field.
MAX_LOGGED_IDS = 20


def sealed_fields() -> list[tuple[type[models.Model], SealedTextField]]:
    """Every (model, field) whose database column holds sealed tokens, each column once.

    Proxy models share their parent's table and multi-table children inherit their parent's
    columns, so only each model's own (local) concrete fields are listed.
    """
    found: list[tuple[type[models.Model], SealedTextField]] = []
    seen: set[tuple[str, str]] = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.local_concrete_fields:
            if not isinstance(field, SealedTextField):
                continue
            key = (model._meta.db_table, field.column)
            if key in seen:
                continue
            seen.add(key)
            found.append((model, field))
    return found


def sealed_file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every (model, field) whose files are kept in the sealed storage, each column once."""
    found: list[tuple[type[models.Model], models.FileField]] = []
    seen: set[tuple[str, str]] = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.local_concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            if not isinstance(field.storage, SealedStorage):
                continue
            key = (model._meta.db_table, field.column)
            if key in seen:
                continue
            seen.add(key)
            found.append((model, field))
    return found


def field_label(model: type[models.Model], field: models.Field) -> str:
    """``app_label.Model.field``: the key of the counts the services return."""
    return f"{model._meta.label}.{field.name}"


def _opens_with(primary: Fernet, token: str) -> bool:
    try:
        primary.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def _require_column(alias: str, model: type[models.Model], field: models.Field) -> None:
    """Refuse to go on when a sealed column is missing (migrations not applied, wrong database).

    Skipping it instead would let the verification call old keys removable without ever having
    looked at that column.
    """
    connection = connections[alias]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            if any(column.name == field.column for column in columns):
                return
    raise ImproperlyConfigured(
        f"{field_label(model, field)}: its column is missing from database '{alias}'. Apply "
        "the migrations (manage.py migrate) before rotating or verifying the keys."
    )


class _Table:
    """Quoted SQL for walking one sealed column in primary-key order."""

    def __init__(self, alias: str, model: type[models.Model], field: models.Field):
        self.alias = alias
        connection = connections[alias]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        column = quote(field.column)
        non_empty = f"{column} IS NOT NULL AND {column} <> ''"
        # Only quoted identifiers from the model metadata are interpolated; values are params.
        select = f"SELECT {pk}, {column} FROM {table} WHERE"  # noqa: S608 - quoted names only
        self.first = f"{select} {non_empty} ORDER BY {pk} LIMIT %s"
        self.after = f"{select} {pk} > %s AND {non_empty} ORDER BY {pk} LIMIT %s"
        # Compare-and-swap: a value changed since it was read is left alone, never overwritten.
        update = f"UPDATE {table} SET {column} = %s WHERE"  # noqa: S608 - quoted names only
        self.update = f"{update} {pk} = %s AND {column} = %s"
        self.lock = " FOR UPDATE" if connection.features.has_select_for_update else ""

    def batch(self, last: Any, size: int, *, lock: bool = False) -> list[tuple[Any, str]]:
        suffix = self.lock if lock else ""
        with connections[self.alias].cursor() as cursor:
            if last is None:
                cursor.execute(self.first + suffix, [size])
            else:
                cursor.execute(self.after + suffix, [last, size])
            return list(cursor.fetchall())

    def write(self, pk: Any, old: str, new: str) -> bool:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.update, [new, pk, old])
            return cursor.rowcount == 1


def _batches(table: _Table, size: int) -> Iterator[list[tuple[Any, str]]]:
    """Read-only keyset walk (verification): ``WHERE pk > last ORDER BY pk LIMIT size``."""
    last = None
    while True:
        rows = table.batch(last, size)
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = rows[-1][0]


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")


def _emit(stdout: TextIO | None, line: str) -> None:
    if stdout is not None:
        stdout.write(line + "\n")


def keys_rotate(*, batch_size: int = DEFAULT_BATCH_SIZE, stdout: TextIO | None = None) -> dict:
    """Re-encrypt every non-empty sealed value with the newest key in FIELD_ENCRYPTION_KEYS.

    Each field's table is walked in primary-key order, one ``transaction.atomic()`` per batch
    (rows locked with ``SELECT ... FOR UPDATE`` where the database supports it). Tokens that
    already open with the newest key are left as they are, so a re-run only rewrites what an
    interrupted run did not reach.

    Then every sealed file field's files: each row on its own (see the module docstring).

    Returns ``{"app_label.Model.field": number of values re-encrypted}`` for every sealed
    field, and the number of files rewritten (re-encrypted or sealed) for every sealed file
    field. Raises ``SealedDataError`` naming the field and primary key when a token or a
    file's data key opens with none of the configured keys; the batch it is in is rolled back,
    earlier batches stay rotated (they still open, since the old keys are kept until
    verification passes). Raises ``ImproperlyConfigured`` when a sealed column is missing
    from the database.
    """
    _check_batch_size(batch_size)
    primary = primary_fernet()
    counts: dict[str, int] = {}
    for model, field in sealed_fields():
        label = field_label(model, field)
        alias = router.db_for_write(model)
        _require_column(alias, model, field)
        counts[label] = 0
        table = _Table(alias, model, field)
        current = changed = 0
        last = None
        while True:
            with transaction.atomic(using=alias):
                rows = table.batch(last, batch_size, lock=True)
                for pk, token in rows:
                    if not token:
                        continue
                    if _opens_with(primary, token):
                        current += 1
                        continue
                    try:
                        resealed = reseal(token)
                    except InvalidToken:
                        raise SealedDataError(
                            f"{label} (pk={pk}): the sealed value cannot be opened with any key "
                            "in FIELD_ENCRYPTION_KEYS. Add the key it was sealed with (after "
                            "the newest key) and run the rotation again."
                        ) from None
                    if table.write(pk, token, resealed):
                        counts[label] += 1
                    else:
                        changed += 1
            if len(rows) < batch_size:
                break
            last = rows[-1][0]
        logger.info(
            "Key rotation: %s re-encrypted=%d already-current=%d changed-meanwhile=%d",
            label,
            counts[label],
            current,
            changed,
        )
        line = f"{label}: {counts[label]} re-encrypted, {current} already on the newest key"
        if changed:
            line += f", {changed} changed meanwhile (checked by the verification)"
        _emit(stdout, line)
    for model, file_field in sealed_file_fields():
        label = field_label(model, file_field)
        counts[label] = _files_rotate(model, file_field, batch_size=batch_size, stdout=stdout)
    return counts


def _file_move(table: _Table, pk: Any, old: str, new: str, inner) -> bool:
    """Point the row at the new file if it still names the old one; the old file goes once
    that commits. On any failure the new file is deleted and the row keeps the old one."""
    try:
        with transaction.atomic(using=table.alias):
            moved = table.write(pk, old, new)
            if moved:
                transaction.on_commit(partial(inner.delete, old), using=table.alias)
    except BaseException:
        inner.delete(new)
        raise
    if not moved:
        inner.delete(new)
    return moved


def _files_rotate(
    model: type[models.Model],
    field: models.FileField,
    *,
    batch_size: int,
    stdout: TextIO | None,
) -> int:
    """Rotate one sealed file field; returns how many files were rewritten."""
    label = field_label(model, field)
    alias = router.db_for_write(model)
    _require_column(alias, model, field)
    table = _Table(alias, model, field)
    inner = field.storage.inner  # type: ignore[attr-defined]  # a SealedStorage (sealed_file_fields)
    primary = primary_fernet()
    resealed = legacy = current = missing = changed = 0
    missing_ids: list[Any] = []
    for rows in _batches(table, batch_size):
        for pk, name in rows:
            if not inner.exists(name):
                missing += 1
                if len(missing_ids) < MAX_LOGGED_IDS:
                    missing_ids.append(pk)
                continue
            if file_opens_with_primary(inner, name, primary=primary):
                current += 1
                continue
            plain = not file_is_sealed(inner, name)
            try:
                rewrite = file_seal_legacy if plain else file_reseal
                new = rewrite(inner, name, max_length=field.max_length)
            except SealedFileError:
                raise SealedDataError(
                    f"{label} (pk={pk}): the stored file cannot be opened with any key in "
                    "FIELD_ENCRYPTION_KEYS. Add the key it was sealed with (after the newest "
                    "key) and run the rotation again."
                ) from None
            if not _file_move(table, pk, name, new, inner):
                changed += 1
            elif plain:
                legacy += 1
            else:
                resealed += 1
    logger.info(
        "Key rotation: %s files re-encrypted=%d plain-sealed=%d already-current=%d missing=%d "
        "changed-meanwhile=%d",
        label,
        resealed,
        legacy,
        current,
        missing,
        changed,
    )
    if missing:
        logger.warning(
            "Key rotation: %s has %d row(s) naming a file missing from storage (first primary "
            "keys: %s).",
            label,
            missing,
            ", ".join(str(pk) for pk in missing_ids),
        )
    line = f"{label}: {resealed} re-encrypted, {current} already on the newest key"
    if legacy:
        line += f", {legacy} stored in plain text before and now sealed"
    if missing:
        line += f", {missing} missing from storage (see the log)"
    if changed:
        line += f", {changed} changed meanwhile (checked by the verification)"
    _emit(stdout, line)
    return resealed + legacy


def keys_verify_primary_only(*, batch_size: int = DEFAULT_BATCH_SIZE) -> dict:
    """Count, per sealed field, the non-empty values that do NOT open with the newest key alone,
    and per sealed file field the files that do not (or are missing from storage).

    Returns ``{"app_label.Model.field": count}``; zero everywhere means every stored value and
    file opens with the newest key, so the older keys may be removed from
    FIELD_ENCRYPTION_KEYS. Only the counts and (a few) primary keys are logged.
    """
    _check_batch_size(batch_size)
    primary = primary_fernet()
    counts: dict[str, int] = {}
    for model, field in sealed_fields():
        label = field_label(model, field)
        alias = router.db_for_read(model)
        _require_column(alias, model, field)
        counts[label] = 0
        stale: list[Any] = []
        for rows in _batches(_Table(alias, model, field), batch_size):
            for pk, token in rows:
                if token and not _opens_with(primary, token):
                    counts[label] += 1
                    if len(stale) < MAX_LOGGED_IDS:
                        stale.append(pk)
        if counts[label]:
            logger.warning(
                "Key verification: %s has %d value(s) that do not open with the newest key "
                "(first primary keys: %s).",
                label,
                counts[label],
                ", ".join(str(pk) for pk in stale),
            )
        else:
            logger.info("Key verification: %s opens with the newest key alone.", label)
    for model, file_field in sealed_file_fields():
        label = field_label(model, file_field)
        counts[label] = _files_verify(model, file_field, batch_size=batch_size, primary=primary)
    return counts


def _files_verify(
    model: type[models.Model], field: models.FileField, *, batch_size: int, primary: Fernet
) -> int:
    """How many files of one field do not open with the newest key alone: sealed with an old
    key, stored in plain text, or missing from storage."""
    label = field_label(model, field)
    alias = router.db_for_read(model)
    _require_column(alias, model, field)
    inner = field.storage.inner  # type: ignore[attr-defined]  # a SealedStorage (sealed_file_fields)
    count = 0
    stale: list[Any] = []
    for rows in _batches(_Table(alias, model, field), batch_size):
        for pk, name in rows:
            if inner.exists(name) and file_opens_with_primary(inner, name, primary=primary):
                continue
            count += 1
            if len(stale) < MAX_LOGGED_IDS:
                stale.append(pk)
    if count:
        logger.warning(
            "Key verification: %s has %d file(s) that do not open with the newest key or are "
            "missing from storage (first primary keys: %s).",
            label,
            count,
            ", ".join(str(pk) for pk in stale),
        )
    else:
        logger.info("Key verification: %s files open with the newest key alone.", label)
    return count
