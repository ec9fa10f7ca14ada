"""Sealed files: every stored file that holds pupil data is encrypted before it reaches storage.

``SealedStorage`` wraps another storage backend (``STORAGES[...]`` alias, the filesystem or an
object store alike), so the encryption does not depend on where the bytes end up. Private
``FileField``\\ s name it through :func:`sealed_storage`.

Format (streaming and authenticated, so no file has to fit in memory)::

    b"SEFILE1\\n" | length (2 bytes, big-endian) | Fernet token of (data key 32 + nonce prefix 7)
    chunk 0 | chunk 1 | ... | final chunk

The header's Fernet token is made with the newest of ``FIELD_ENCRYPTION_KEYS``; it wraps a fresh
random AES-256 data key per file. The body is the plaintext in chunks of 64 KiB, each sealed
with AES-256-GCM under the nonce ``prefix (7) | chunk counter (4, big-endian) | last-chunk flag
(1)`` and the associated data ``magic | prefix``: the STREAM construction, so a changed, swapped,
dropped or appended chunk and a cut-off end all fail the tag. An empty file is one empty final
chunk. Each chunk adds a 16-byte tag, so the plaintext size follows from the stored size.

Key rotation only re-wraps the header's data key (:func:`file_reseal`); the body is copied as
it is. A file is always rewritten under a new name: the caller points its row at the new name,
then deletes the old file, so a crash never leaves a row that names nothing.

Errors name the stored file's name, never its content.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from functools import partial
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils.deconstruct import deconstructible

from .crypto import SealedDataError, fernet, primary_fernet

MAGIC = b"SEFILE1\n"
_LENGTH_BYTES = 2
_HEAD_FIXED = len(MAGIC) + _LENGTH_BYTES
KEY_BYTES = 32
PREFIX_BYTES = 7
CHUNK = 64 * 1024
TAG = 16
SEALED_CHUNK = CHUNK + TAG
MAX_CHUNKS = 2**32  # the counter has four bytes
# Sealed output is kept in memory up to this size, then spills to a temporary file.
SPOOL_MAX = 8 * 1024 * 1024
READ_MODES = ("rb", "br")


class SealedFileError(SealedDataError):
    """A stored file is not sealed, was changed, or cannot be opened with the configured keys."""

    def __init__(self, name: str, reason: str):
        self.file_name = name
        super().__init__(f"The stored file {name!r} cannot be opened: {reason}.")


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _read_exact(handle: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes; fewer only at the end (a stream may return short reads)."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = handle.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _read_header(handle: IO[bytes], name: str) -> tuple[bytes, int]:
    """The header's Fernet token and the offset of the body."""
    start = _read_exact(handle, _HEAD_FIXED)
    if len(start) < _HEAD_FIXED or not start.startswith(MAGIC):
        raise SealedFileError(name, "it is not a sealed file")
    length = int.from_bytes(start[len(MAGIC) :], "big")
    token = _read_exact(handle, length)
    if len(token) != length:
        raise SealedFileError(name, "its header is cut off")
    return token, _HEAD_FIXED + length


def _unwrap(token: bytes, name: str) -> tuple[bytes, bytes]:
    """The data key and nonce prefix inside the header's token (any configured key)."""
    try:
        secret = fernet().decrypt(token)
    except InvalidToken:
        raise SealedFileError(
            name,
            "its data key opens with none of FIELD_ENCRYPTION_KEYS (restore the key it was "
            "sealed with, after the newest key)",
        ) from None
    if len(secret) != KEY_BYTES + PREFIX_BYTES:
        raise SealedFileError(name, "its header is malformed")
    return secret[:KEY_BYTES], secret[KEY_BYTES:]


def _layout(body_size: int, name: str) -> tuple[int, int, int]:
    """(chunk count, size of the final sealed chunk, plaintext size) for a body of this size."""
    if body_size < TAG:
        raise SealedFileError(name, "its final chunk is missing")
    count = -(-body_size // SEALED_CHUNK)
    last = body_size - (count - 1) * SEALED_CHUNK
    if last < TAG:
        raise SealedFileError(name, "its final chunk is cut off")
    return count, last, body_size - count * TAG


def _seal_into(chunks: Iterable[bytes], out: IO[bytes]) -> None:
    """Write the sealed form of the plaintext ``chunks`` (any sizes) to ``out``."""
    key, prefix = os.urandom(KEY_BYTES), os.urandom(PREFIX_BYTES)
    token = fernet().encrypt(key + prefix)
    out.write(MAGIC + len(token).to_bytes(_LENGTH_BYTES, "big") + token)
    aead, aad = AESGCM(key), MAGIC + prefix
    pending = bytearray()
    counter = 0
    for piece in chunks:
        pending += piece
        # Strictly more than one chunk: the last one is only sealed once it is known to be last.
        while len(pending) > CHUNK:
            out.write(aead.encrypt(_nonce(prefix, counter, False), bytes(pending[:CHUNK]), aad))
            del pending[:CHUNK]
            counter += 1
            if counter >= MAX_CHUNKS:
                raise ValueError("The file is too large to seal.")
    out.write(aead.encrypt(_nonce(prefix, counter, True), bytes(pending), aad))


def _spooled() -> tempfile.SpooledTemporaryFile:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)


def _store(inner: Storage, name: str, spool: IO[bytes], max_length: int | None) -> str:
    spool.seek(0)
    return inner.save(name, File(spool, name=name), max_length=max_length)


class _DecryptingReader(io.RawIOBase):
    """Plaintext view of a sealed file; seekable when the stored file is.

    Only the chunk holding the position is decrypted (and kept until the position leaves it).
    When the stored file is seekable the final chunk is checked on opening, so a file that was
    cut off or extended fails before a single byte is served.
    """

    mode = "rb"

    def __init__(self, raw: IO[bytes], name: str, stored_size: int | None = None):
        super().__init__()
        self._raw = raw
        self._name = name
        token, self._body = _read_header(raw, name)
        key, prefix = _unwrap(token, name)
        self._aead, self._prefix, self._aad = AESGCM(key), prefix, MAGIC + prefix
        self._seekable = bool(getattr(raw, "seekable", lambda: False)())
        if self._seekable:
            raw.seek(0, io.SEEK_END)
            stored_size = raw.tell()
        if stored_size is None:
            raise SealedFileError(name, "its size is unknown")
        self._count, self._last_size, self._size = _layout(stored_size - self._body, name)
        self._raw_pos = self._body
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None
        self._final_checked = False
        if self._seekable:
            self._chunk(self._count - 1)

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        start = self._body + index * SEALED_CHUNK
        last = index == self._count - 1
        length = self._last_size if last else SEALED_CHUNK
        if self._seekable:
            self._raw.seek(start)
        elif start != self._raw_pos:
            raise io.UnsupportedOperation("The stored file can only be read from start to end.")
        sealed = _read_exact(self._raw, length)
        self._raw_pos = start + len(sealed)
        if len(sealed) != length:
            raise SealedFileError(self._name, "it is shorter than its chunks say")
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, index, last), sealed, self._aad)
        except InvalidTag:
            raise SealedFileError(
                self._name, f"chunk {index} was changed, moved or cut off"
            ) from None
        if last:
            self._final_checked = True
        self._cached = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def readinto(self, buffer) -> int:
        if self._pos >= self._size:
            if not self._final_checked:
                self._chunk(self._count - 1)  # an empty file: its one chunk is still checked
            return 0
        index, offset = divmod(self._pos, CHUNK)
        chunk = self._chunk(index)
        size = min(len(buffer), len(chunk) - offset)
        buffer[:size] = chunk[offset : offset + size]
        self._pos += size
        return size

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("The stored file is not seekable.")
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._pos + offset
        elif whence == io.SEEK_END:
            position = self._size + offset
        else:
            raise ValueError(f"Invalid whence ({whence}).")
        if position < 0:
            raise ValueError("Negative seek position.")
        self._pos = position
        return position

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._cached = None
            self._raw.close()
        super().close()


def _open_reader(inner: Storage, name: str) -> io.BufferedReader:
    raw = inner.open(name, "rb")
    try:
        seekable = getattr(raw, "seekable", lambda: False)()
        stored_size = None if seekable else inner.size(name)
        reader = _DecryptingReader(raw, name, stored_size)
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(reader, buffer_size=CHUNK)


class SealedFile(File):
    """A decrypting file; reopening goes through the storage again, never around it."""

    def __init__(self, storage: SealedStorage, name: str):
        self._storage = storage
        super().__init__(storage._reader(name), name=name)

    def open(self, mode: str | None = None, *args, **kwargs) -> SealedFile:
        if mode is not None and mode not in READ_MODES:
            raise ValueError("A sealed file opens for binary reading ('rb') only.")
        if not self.closed:
            self.seek(0)
        else:
            self.file = self._storage._reader(str(self.name))
        return self


@deconstructible(path="kernel.sealed_files.SealedStorage")
class SealedStorage(Storage):
    """Encrypts on save and decrypts on open; everything else is the inner storage's.

    ``inner`` is the alias in ``STORAGES`` that holds the bytes; it is looked up on every use,
    so a changed ``MEDIA_ROOT`` or ``STORAGES`` (tests, settings overrides) applies at once.
    Private files have no URL and no local path: they are served by a view that checks the
    reader's right and decrypts.
    """

    def __init__(self, inner: str = "default"):
        self.inner_alias = inner

    @property
    def inner(self) -> Storage:
        storage = storages[self.inner_alias]
        if isinstance(storage, SealedStorage):
            raise ImproperlyConfigured(
                f"STORAGES['{self.inner_alias}'] is sealed itself: a sealed storage needs a "
                "plain storage (the filesystem, an object store) to keep its bytes in."
            )
        return storage

    def _reader(self, name: str) -> io.BufferedReader:
        return _open_reader(self.inner, name)

    def _open(self, name: str, mode: str = "rb") -> SealedFile:
        if mode not in READ_MODES:
            raise ValueError("A sealed file opens for binary reading ('rb') only.")
        return SealedFile(self, name)

    def _save(self, name: str, content) -> str:
        with _spooled() as spool:
            _seal_into(content.chunks(), spool)
            return _store(self.inner, name, spool, None)

    def size(self, name: str) -> int:
        """The plaintext size, from the stored size and the header's length."""
        inner = self.inner
        with inner.open(name, "rb") as handle:
            _token, body = _read_header(handle, name)
        return _layout(inner.size(name) - body, name)[2]

    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def listdir(self, path: str):
        return self.inner.listdir(path)

    def get_valid_name(self, name: str) -> str:
        return self.inner.get_valid_name(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.inner.generate_filename(filename)

    def get_accessed_time(self, name: str):
        return self.inner.get_accessed_time(name)

    def get_created_time(self, name: str):
        return self.inner.get_created_time(name)

    def get_modified_time(self, name: str):
        return self.inner.get_modified_time(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError(
            "Sealed files have no URL: a view that checks the reader's right serves them."
        )


def sealed_storage() -> SealedStorage:
    """The storage of every private ``FileField`` (a callable, so migrations name it)."""
    storage = storages["sealed"]
    if not isinstance(storage, SealedStorage):
        raise ImproperlyConfigured(
            "STORAGES['sealed'] must use kernel.sealed_files.SealedStorage: private files "
            "are never stored unencrypted."
        )
    return storage


# -- rotation and migration helpers: they work on the inner storage, the one with the bytes ---


def file_is_sealed(inner: Storage, name: str) -> bool:
    """Whether the stored file starts with the sealed header (else: plain text from before)."""
    with inner.open(name, "rb") as handle:
        return _read_exact(handle, len(MAGIC)) == MAGIC


def file_opens_with_primary(inner: Storage, name: str, *, primary: Fernet | None = None) -> bool:
    """Whether the file's data key opens with the newest key alone (plain text: no)."""
    primary = primary or primary_fernet()
    try:
        with inner.open(name, "rb") as handle:
            token, _body = _read_header(handle, name)
        primary.decrypt(token)
    except (SealedFileError, InvalidToken):
        return False
    return True


def _rest(handle: IO[bytes]) -> Iterator[bytes]:
    return iter(partial(handle.read, SEALED_CHUNK), b"")


def file_reseal(inner: Storage, name: str, *, max_length: int | None = None) -> str:
    """Write a copy whose data key is wrapped with the newest key; return its name.

    The body is copied byte for byte (the data key itself does not change). The old file is
    left for the caller to delete once its row names the copy.
    """
    with inner.open(name, "rb") as handle:
        token, _body = _read_header(handle, name)
        try:
            token = fernet().rotate(token)
        except InvalidToken:
            raise SealedFileError(
                name, "its data key opens with none of FIELD_ENCRYPTION_KEYS"
            ) from None
        with _spooled() as spool:
            spool.write(MAGIC + len(token).to_bytes(_LENGTH_BYTES, "big") + token)
            for part in _rest(handle):
                spool.write(part)
            return _store(inner, name, spool, max_length)


def file_seal_legacy(inner: Storage, name: str, *, max_length: int | None = None) -> str:
    """Write a sealed copy of a plain-text file stored before sealing; return its name."""
    with inner.open(name, "rb") as handle:
        start = _read_exact(handle, len(MAGIC))
        if start == MAGIC:
            raise SealedFileError(name, "it is sealed already")
        with _spooled() as spool:
            # Read on from where the check stopped: the stored file need not be seekable.
            _seal_into(itertools.chain([start], _rest(handle)), spool)
            return _store(inner, name, spool, max_length)


def file_unseal(inner: Storage, name: str, *, max_length: int | None = None) -> str:
    """Write a plain-text copy (only to undo the sealing migration); return its name."""
    with _open_reader(inner, name) as reader, _spooled() as spool:
        for part in iter(partial(reader.read, CHUNK), b""):
            spool.write(part)
        return _store(inner, name, spool, max_length)


def stored_files_convert(model, field_names: Iterable[str], *, seal: bool = True) -> int:
    """For data migrations: seal the plain-text files that rows of ``model`` name (or, with
    ``seal=False``, write them back in plain text). Files already in the wanted form and names
    of missing files are left alone, so it can run again; on an empty database it does nothing.

    Each row moves to the new file only if it still names the old one; the old file is deleted
    once the migration's transaction commits, so a failed migration leaves every row naming a
    file that exists.
    """
    inner = sealed_storage().inner
    converted = 0
    for field_name in field_names:
        field = model._meta.get_field(field_name)
        rows = (
            model._base_manager.exclude(**{field_name: ""})
            .exclude(**{f"{field_name}__isnull": True})
            .order_by("pk")
            .values_list("pk", field_name)
        )
        for pk, name in list(rows):
            if not inner.exists(name) or file_is_sealed(inner, name) == seal:
                continue
            convert = file_seal_legacy if seal else file_unseal
            new = convert(inner, name, max_length=field.max_length)
            moved = model._base_manager.filter(pk=pk, **{field_name: name}).update(
                **{field_name: new}
            )
            if moved:
                transaction.on_commit(partial(inner.delete, name))
                converted += 1
            else:
                inner.delete(new)
    return converted
