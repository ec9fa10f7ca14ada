from django.core import checks

from kernel.crypto import SealedDataError


@checks.register(checks.Tags.security)
def sealed_data_opens(app_configs, **kwargs):
    """runserver, check and migrate refuse to go on when the keys cannot open stored data."""
    from .sealed_data import sealed_data_verify

    try:
        sealed_data_verify()
    except SealedDataError as exc:
        return [checks.Error(str(exc), id="students.E001")]
    return []
