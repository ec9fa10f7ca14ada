"""Parallel test workers (pytest-xdist) never share a Redis database: tests clear the cache
and purge the broker, which empties a whole database."""

from samen_een.settings.test import _worker_redis_url


def test_worker_zero_keeps_the_configured_databases():
    assert _worker_redis_url("redis://127.0.0.1:6379/14", 0) == "redis://127.0.0.1:6379/14"


def test_each_worker_gets_databases_of_its_own():
    cache = [_worker_redis_url("redis://127.0.0.1:6379/14", n) for n in range(7)]
    broker = [_worker_redis_url("redis://127.0.0.1:6379/15", n) for n in range(7)]
    assert cache[1] == "redis://127.0.0.1:6379/12"
    assert broker[1] == "redis://127.0.0.1:6379/13"
    assert len(set(cache) | set(broker)) == 14


def test_other_backends_are_left_alone():
    assert _worker_redis_url("memory://", 3) == "memory://"
    assert _worker_redis_url("", 3) == ""
    assert _worker_redis_url("filesystem://", 1) == "filesystem://"
