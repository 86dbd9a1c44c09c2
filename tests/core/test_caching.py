"""The shared cache: chosen from the environment, the database by default, used by the API
throttles and by the dashboard panels that may be a minute old."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation

from config.env import EnvError, env_cache
from core.caching import cache_key, minute_cached

DB_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "core_cache"}}


def test_the_cache_comes_from_cache_url_or_redis_url_and_is_the_database_by_default():
    assert env_cache(environ={}) == DB_CACHE["default"]
    assert env_cache(environ={"CACHE_URL": "redis://127.0.0.1:6379/1"}) == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert (
        env_cache(environ={"REDIS_URL": "rediss://:pw@cache:6380/0"})["LOCATION"]
        == "rediss://:pw@cache:6380/0"
    )
    # CACHE_URL wins over REDIS_URL (the broker's Redis need not be the cache's).
    assert env_cache(environ={"CACHE_URL": "locmem://", "REDIS_URL": "redis://x"})["BACKEND"].endswith(
        "LocMemCache"
    )
    assert env_cache(environ={"CACHE_URL": "db://my_cache"})["LOCATION"] == "my_cache"
    assert env_cache(environ={"CACHE_URL": "dummy://"})["BACKEND"].endswith("DummyCache")
    with pytest.raises(EnvError, match=r"CACHE_URL must start with redis://.*got 'memcached://x'"):
        env_cache(environ={"CACHE_URL": "memcached://x"})


def test_minute_cached_computes_once_per_agency_user_and_language(agency, outsider_agency):
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert minute_cached("t", compute, agency=agency) == {"n": 1}
    assert minute_cached("t", compute, agency=agency) == {"n": 1}
    assert minute_cached("t", compute, agency=outsider_agency) == {"n": 2}
    with translation.override("zh-hans"):
        assert minute_cached("t", compute, agency=agency) == {"n": 3}
    assert minute_cached("t", compute, agency=agency, user=7) == {"n": 4}
    assert minute_cached("t", lambda: None, agency=agency, parts=("x",)) is None  # None is kept too
    assert cache.get(cache_key("t", agency=agency, parts=("x",))) == (None,)
    cache.clear()
    assert minute_cached("t", compute, agency=agency) == {"n": 5}


def test_a_cache_that_cannot_be_reached_is_not_an_error(agency, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    assert minute_cached("t", lambda: 42, agency=agency) == 42


@pytest.mark.django_db
def test_the_database_cache_keeps_the_api_throttle_counts_for_every_worker(director, client):
    with override_settings(CACHES=DB_CACHE):
        call_command("createcachetable", verbosity=0)  # what every migrate does (core.apps)
        cache.clear()
        client.force_login(director)
        assert client.get("/api/v1/staff/").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM core_cache")
            keys = [row[0] for row in cursor.fetchall()]
        assert any(f"throttle_user_{director.pk}" in key for key in keys), keys
        # A second process reading the same table sees the same entry.
        assert minute_cached("shared", lambda: "first") == "first"
        assert minute_cached("shared", lambda: "second") == "first"
