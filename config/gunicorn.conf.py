"""gunicorn settings, read from the environment: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Run it from the project folder (gunicorn puts its working directory on ``sys.path`` before it
reads this file, which is how ``config.logging`` is found).

| variable | default | meaning |
| --- | --- | --- |
| ``BIND`` | ``0.0.0.0:$PORT`` when ``PORT`` is set, else ``127.0.0.1:8000`` | address(es), comma-separated |
| ``WEB_CONCURRENCY`` | 2 × cores + 1, at most 12 | worker processes |
| ``GUNICORN_THREADS`` | 1 | threads per worker (above 1 uses the ``gthread`` worker) |
| ``GUNICORN_TIMEOUT`` | 60 | seconds a request may take before its worker is restarted |
| ``GUNICORN_MAX_REQUESTS`` | 1000 | recycle a worker after this many requests (bounds memory) |
| ``FORWARDED_ALLOW_IPS`` | ``127.0.0.1,::1`` | proxies whose ``X-Forwarded-*`` headers are trusted |
| ``LOG_FORMAT``, ``LOG_LEVEL`` | as the app | access and error log in the app's format, to stderr |
"""

import multiprocessing
import os
import sys

from config.env import EnvError, env_bool, env_int, env_list, env_str
from config.logging import build_logging

try:
    _port = env_int("PORT", 0, minimum=1, maximum=65535) if env_str("PORT") else 0
    bind = env_list("BIND", f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")
    workers = env_int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12), minimum=1)
    threads = env_int("GUNICORN_THREADS", 1, minimum=1)
    timeout = env_int("GUNICORN_TIMEOUT", 60, minimum=0)
    graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=0)
    keepalive = env_int("GUNICORN_KEEPALIVE", 5, minimum=0)
    # Restart workers now and then so a large report's memory goes back to the system.
    max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
    # Only these proxies may set X-Forwarded-For/-Proto (Django trusts X-Forwarded-Proto itself,
    # see SECURE_PROXY_SSL_HEADER; the proxy must overwrite, not append, that header).
    forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    _debug = env_bool("DEBUG", False)
    _log_format, _log_level = env_str("LOG_FORMAT"), env_str("LOG_LEVEL", "INFO")
except EnvError as exc:
    # gunicorn prints a traceback for any exception in its config file; one line is enough.
    sys.exit(f"Configuration error: {exc}")

worker_class = "gthread" if threads > 1 else "sync"
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0
# Heartbeat files on tmpfs: a slow disk must not make the arbiter kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  # nosec B108
limit_request_line = 8190
proc_name = "agency-web"

# Access and error logs in the application's format (JSON lines in production) on stderr.
# The access message leaves out the query string; the JSON formatter adds method, path, status,
# duration and the proxy's X-Request-ID as fields (config/logging.py).
logconfig_dict = build_logging(debug=_debug, log_format=_log_format, level=_log_level)
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
