#!/usr/bin/env python3
"""A bounded load test: N logged-in users on the role dashboards, list pages and API lists.

Standard library only (threads + http.client). Loopback only: it refuses any host but
127.0.0.1/localhost/::1. It stops by itself after ``--duration`` seconds or ``--requests``
requests, whichever comes first, then prints p50/p95/p99, the slowest request and the errors
per endpoint group and per endpoint. Exit status 1 when any request failed or the p95 of all
requests is more than ``--goal-ratio`` times the p95 of the login page, asked for by the same users
without a session in the same run (the baseline).

    .venv/bin/python scripts/loadtest.py --base http://127.0.0.1:8001 --password demo-pass-2025

Each virtual user logs in once with a session cookie (the ``prov_*`` logins of the large data
set by default, spread round-robin over the roles), then loops: pick one of its role's endpoints,
request it, wait a think time (``--think`` seconds on average, uniform 0.5-1.5x; 0 = none).
``--serve`` starts gunicorn itself first (``config/gunicorn.conf.py``, production settings with
``DEBUG=0``, HTTP cookies, static files collected into a temporary folder) on the database of
``DATABASE_URL`` and stops it at the end: ``make loadtest`` does that on the ``bench`` database.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# (group, path) per role. Lists use the default first page; the API lists are DRF's.
ENDPOINTS: dict[str, list[tuple[str, str]]] = {
    "director": [
        ("dashboard", "/"),
        ("list", "/staff/"),
        ("list", "/staff/retention/"),
        ("list", "/training/records/"),
        ("list", "/training/compliance/"),
        ("list", "/supervision/"),
        ("list", "/finance/"),
        ("list", "/finance/ledger/"),
        ("list", "/finance/flags/"),
        ("api", "/api/v1/staff/"),
        ("api", "/api/v1/training-records/"),
        ("api", "/api/v1/supervision-sessions/"),
        ("api", "/api/v1/finance/expenditures/"),
    ],
    "finance": [
        ("dashboard", "/"),
        ("list", "/finance/"),
        ("list", "/finance/ledger/"),
        ("list", "/finance/flags/"),
        ("api", "/api/v1/finance/contracts/"),
        ("api", "/api/v1/finance/expenditures/"),
    ],
    "supervisor": [
        ("dashboard", "/"),
        ("list", "/supervision/"),
        ("list", "/supervision/compliance/"),
        ("list", "/training/approvals/"),
        ("list", "/staff/"),
        ("api", "/api/v1/supervision-sessions/"),
        ("api", "/api/v1/training-records/"),
    ],
    "staff": [
        ("dashboard", "/"),
        ("list", "/training/my/"),
        ("list", "/supervision/"),
        ("api", "/api/v1/training-records/"),
        ("api", "/api/v1/supervision-sessions/"),
    ],
    "auditor": [
        ("dashboard", "/"),
        ("list", "/finance/"),
        ("list", "/finance/ledger/"),
        ("api", "/api/v1/finance/contracts/"),
        ("api", "/api/v1/finance/expenditures/"),
    ],
}
DEFAULT_LOGINS = "prov_director:director,prov_finance:finance,prov_supervisor:supervisor,prov_staff:staff,prov_auditor:auditor"


@dataclass
class Sample:
    group: str
    path: str
    seconds: float
    status: int  # 0 = connection error


@dataclass
class Shared:
    deadline: float
    budget: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[Sample] = field(default_factory=list)
    sent: int = 0

    def take(self) -> bool:
        """One more request allowed? (bounded by count and by time)."""
        with self.lock:
            if self.sent >= self.budget or time.monotonic() >= self.deadline:
                return False
            self.sent += 1
            return True


class Session:
    """One logged-in user: a keep-alive connection and a cookie jar."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        # Asks for gzip as every browser does, so the server's compression is in the figures.
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Content-Encoding") == "gzip":
                    data = gzip.decompress(data)
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise RuntimeError(f"GET /login/ answered {status} without a CSRF token")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
        ).encode()
        status, _ = self.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed (HTTP {status})")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


#: The baseline every user also asks for, with no session: the login page, the cheapest page
#: there is, measured under the same load in the same run (the goal is a ratio to its p95).
BASELINE = ("login", "/login/")


def _user(n: int, session: Session, role: str, shared: Shared, think: float, seed: int) -> None:
    rng = random.Random(seed + n)  # noqa: S311 - load pattern, not secrets
    endpoints = [*ENDPOINTS[role], BASELINE]
    anonymous = Session(session.host, session.port)
    while shared.take():
        group, path = rng.choice(endpoints)
        client = anonymous if (group, path) == BASELINE else session
        if client is anonymous:
            anonymous.cookies.clear()
        started = time.perf_counter()
        try:
            status, _ = client.request("GET", path, headers={"Accept": "text/html,application/json"})
        except (http.client.HTTPException, OSError):
            status = 0
        elapsed = time.perf_counter() - started
        with shared.lock:
            shared.samples.append(Sample(group, path, elapsed, status))
        if think:
            time.sleep(think * rng.uniform(0.5, 1.5))


def _table(title: str, groups: dict[str, list[Sample]]) -> list[str]:
    lines = [
        f"{title:<44} {'n':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for key, rows in groups.items():
        ms = [r.seconds * 1000 for r in rows]
        errors = sum(1 for r in rows if r.status == 0 or r.status >= 400)
        lines.append(
            f"{key:<44} {len(rows):>6} {errors:>6} {percentile(ms, 50):>8.0f} {percentile(ms, 95):>8.0f} "
            f"{percentile(ms, 99):>8.0f} {max(ms):>8.0f}"
        )
    return lines


def serve(port: int, workers: int, static_root: str) -> subprocess.Popen:
    """Start gunicorn on 127.0.0.1:``port`` with production settings; wait for /health/."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": static_root,
        "BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        **({"WEB_CONCURRENCY": str(workers)} if workers else {}),
    }
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    python = sys.executable
    subprocess.run(  # noqa: S603 - our manage.py; the manifest storage needs collected static files
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root, env=env, check=True
    )
    gunicorn = os.path.join(os.path.dirname(python), "gunicorn")
    process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [gunicorn, "-c", "config/gunicorn.conf.py", "config.wsgi"], cwd=root, env=env
    )
    for _ in range(120):
        time.sleep(0.5)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return process
        except OSError:
            continue
    process.terminate()
    raise RuntimeError("gunicorn did not answer /health/ within 60 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8001")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (after login)")
    parser.add_argument("--requests", type=int, default=6000, help="stop after this many requests")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between requests, s")
    parser.add_argument("--logins", default=DEFAULT_LOGINS, help="user:role,... (round-robin)")
    parser.add_argument("--password", required=True)
    parser.add_argument(
        "--goal-ratio",
        type=float,
        default=20.0,
        help="goal: p95 of the users' pages and API lists within this many times the login page's p95",
    )
    parser.add_argument("--json", help="also write the summary as JSON to this file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", action="store_true", help="start (and stop) gunicorn on --base's port")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers with --serve (default: its own)"
    )
    args = parser.parse_args(argv)

    url = urllib.parse.urlsplit(args.base)
    if url.scheme != "http" or url.hostname not in LOOPBACK:
        parser.error("only http:// on the loopback interface (127.0.0.1, localhost, ::1)")
    host, port = url.hostname, url.port or 80
    if not args.serve:
        return run(args, host, port)
    with tempfile.TemporaryDirectory() as static_root:
        process = serve(port, args.workers, static_root)
        try:
            return run(args, host, port)
        finally:
            process.terminate()
            process.wait(timeout=60)


def run(args, host: str, port: int) -> int:
    """Log the users in, run the load, print the tables; 0 when the goal is met."""
    logins = [tuple(item.split(":", 1)) for item in args.logins.split(",") if item]

    sessions = []
    started = time.perf_counter()
    for n in range(args.users):
        username, role = logins[n % len(logins)]
        session = Session(host, port)
        session.login(username, args.password)
        sessions.append((session, role))
    print(f"{args.users} users logged in in {time.perf_counter() - started:.1f} s", flush=True)

    # Every endpoint once per role before the clock starts: a broken page is an error, not load.
    for role in {role for _u, role in logins}:
        session = next(s for s, r in sessions if r == role)
        for _group, path in ENDPOINTS[role]:
            status, _ = session.request("GET", path)
            if status != 200:
                print(f"  warm-up: {role} GET {path} -> {status}", flush=True)

    shared = Shared(deadline=time.monotonic() + args.duration, budget=args.requests)
    threads = [
        threading.Thread(target=_user, args=(n, s, role, shared, args.think, args.seed), daemon=True)
        for n, (s, role) in enumerate(sessions)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    wall = time.perf_counter() - started
    samples = shared.samples

    by_group: dict[str, list[Sample]] = {"all": samples}
    by_path: dict[str, list[Sample]] = {}
    for sample in samples:
        by_group.setdefault(sample.group, []).append(sample)
        by_path.setdefault(f"{sample.group} {sample.path}", []).append(sample)
    print(f"{len(samples)} requests in {wall:.1f} s ({len(samples) / wall:.1f} req/s), {args.users} users")
    print("\n".join(_table("group", by_group)))
    print()
    print("\n".join(_table("endpoint", dict(sorted(by_path.items())))))
    failed = [s for s in samples if s.status == 0 or s.status >= 400]
    for sample in failed[:10]:
        print(f"  error: {sample.status} {sample.path}")
    mix = [s.seconds * 1000 for s in samples if (s.group, s.path) != BASELINE]
    login = [s.seconds * 1000 for s in samples if (s.group, s.path) == BASELINE]
    p95, login_p95 = percentile(mix, 95), percentile(login, 95)
    ratio = p95 / login_p95 if login and login_p95 > 0 else float("inf")
    if args.json:
        summary = {
            "requests": len(samples),
            "seconds": round(wall, 1),
            "users": args.users,
            "p95_ms": round(p95, 1),
            "login_p95_ms": round(login_p95, 1),
            "ratio": round(ratio, 1),
            "groups": {
                key: {
                    "n": len(rows),
                    "errors": sum(1 for r in rows if r.status == 0 or r.status >= 400),
                    **{
                        f"p{p}_ms": round(percentile([r.seconds * 1000 for r in rows], p), 1)
                        for p in (50, 95, 99)
                    },
                }
                for key, rows in {**by_group, **by_path}.items()
            },
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2, ensure_ascii=False)
    ok = not failed and ratio <= args.goal_ratio
    print(
        f"p95 of the pages and API lists: {p95:.0f} ms; p95 of the login page: {login_p95:.0f} ms; ratio {ratio:.1f}×"
    )
    print(
        f"goal: ratio ≤ {args.goal_ratio:.0f}× and no errors → {'met' if ok else 'NOT met'}"
        f" ({len(failed)} errors)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
