"""Board-scale data generator and benchmarks (``make bench``); never part of ``make test``."""

import os

BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/samen_een_bench"


def django_setup() -> None:
    """Django with ``bench.settings``: the scratch bench database (unless DATABASE_URL says
    otherwise), the memory broker, the floor views."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
    import django

    django.setup()
