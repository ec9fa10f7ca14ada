"""Sealed storage for special-category and identifying data.

Values are encrypted at rest with ``MultiFernet`` built from ``FIELD_ENCRYPTION_KEYS``
(newest key first, older keys still decrypt, so keys rotate without downtime:
prepend a new key, run ``manage.py rotate_encryption_keys``, then drop the old one).
Lookups go through a keyed hash (``FIELD_HASH_KEY``), never through the ciphertext.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SealedDataError(ImproperlyConfigured):
    """A sealed value cannot be opened with the configured keys."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys or not any(k.strip() for k in keys):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: the portal cannot seal or open pupil data. "
            "Generate a key with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.strip().encode()))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def primary_fernet() -> Fernet:
    """The newest key alone (key rotation verifies against it). ``fernet()`` first, so missing
    or malformed keys fail loudly."""
    fernet()
    return Fernet(settings.FIELD_ENCRYPTION_KEYS[0].strip().encode())


def check_keys() -> None:
    """Fail loudly when the keys are missing or malformed; called when the app starts."""
    fernet()
    if not settings.FIELD_HASH_KEY:
        raise ImproperlyConfigured("FIELD_HASH_KEY is not set: sealed values cannot be looked up.")


def seal(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def unseal(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SealedDataError(
            "A sealed value cannot be opened with FIELD_ENCRYPTION_KEYS: the key it was sealed "
            "with is missing or wrong. Restore the previous key (keep it after the new one)."
        ) from exc


def reseal(token: str) -> str:
    """Re-encrypt with the newest key (key rotation)."""
    return fernet().rotate(token.encode()).decode()


def lookup_hash(value: str) -> str:
    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class SealedTextField(models.TextField):
    """A text field stored encrypted; the database column only ever holds Fernet tokens."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return unseal(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(str(value))
