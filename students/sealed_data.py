"""Start-up proof that the configured keys open the data sealed (encrypted at rest) earlier."""

from django.db import DatabaseError, connection

from kernel.crypto import check_keys

CANARY = "samen-een-seal-check"


def sealed_data_verify() -> None:
    """Raise ImproperlyConfigured when keys are missing, malformed or cannot open stored data."""
    check_keys()
    from .models import SealCanary

    try:
        if SealCanary._meta.db_table not in connection.introspection.table_names():
            return
        canary = SealCanary.objects.first()  # unseals: a wrong key raises SealedDataError
        if canary is None:
            SealCanary.objects.create(token=CANARY)
    except DatabaseError:
        # No database yet (first start): nothing sealed can be unreadable.
        return
