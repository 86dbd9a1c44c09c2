"""pytest plugin (loaded with -p before Django settings): the test-process environment.

Tests exercise the production settings (DEBUG off) with a throw-away key; HTTPS redirects are
off because the test client and live server speak plain HTTP.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
# Jobs run in-process after commit, so a test sees an import's scan; tests of the database
# queue and its worker switch this off (tests/core/test_jobs.py).
os.environ.setdefault("JOBS_RUN_INLINE", "1")
# The cache in local memory, emptied after every test (tests/conftest.py): the query counts the
# tests pin are those of the pages themselves, not of the database cache's statements (the
# default, tested in tests/core/test_caching.py).
os.environ.setdefault("CACHE_URL", "locmem://")
