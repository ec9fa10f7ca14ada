import pytest

from .fuzz import connections_kept_open, load_schema


@pytest.fixture(scope="session")
def api_schema(django_db_setup, django_db_blocker):
    """The app's OpenAPI document (/api/schema/), loaded once per run."""
    with django_db_blocker.unblock(), connections_kept_open():
        return load_schema()
