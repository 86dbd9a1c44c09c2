#!/usr/bin/env bash
# Supply-chain checks for CI (.ci/run): known vulnerabilities in the pinned runtime requirements
# (pip-audit) and high-severity findings in our own code (bandit).
#
# pip-audit fails the build on any known vulnerability. When the advisory service cannot be
# reached (no network, or it answers for none of the packages) it prints a warning instead:
# an outage elsewhere must not block a release, but it must be visible in the log.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
report=$(mktemp)
errors=$(mktemp)
trap 'rm -f "$report" "$errors"' EXIT

echo "pip-audit -r requirements.txt"
"$VENV/bin/pip-audit" -r requirements.txt --progress-spinner off --format json --output "$report" 2>"$errors"
audit_rc=$?
"$VENV/bin/python" - "$report" "$errors" "$audit_rc" <<'PY'
import json
import re
import sys

report_path, errors_path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
errors = open(errors_path, encoding="utf-8", errors="replace").read()
try:
    deps = json.load(open(report_path, encoding="utf-8")).get("dependencies", [])
except (OSError, ValueError):
    deps = None

if deps is not None:
    vulnerable = [d for d in deps if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        sys.exit(1)
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d for d in deps if "skip_reason" in d]
    if deps and not audited:
        print(
            f"WARNING: pip-audit could not audit any of the {len(skipped)} packages "
            "(the vulnerability service did not answer for them); nothing was checked.",
        )
        sys.exit(0)
    for dep in skipped:
        print(f"WARNING: not audited: {dep['name']} {dep['version']}: {dep['skip_reason']}")
    print(f"pip-audit: no known vulnerabilities in {len(audited)} packages")
    sys.exit(0)

network = re.compile(
    r"ConnectionError|ConnectTimeout|ReadTimeout|Max retries exceeded|NameResolutionError|"
    r"Temporary failure in name resolution|Network is unreachable|Connection refused|SSLError|timed out",
    re.IGNORECASE,
)
if network.search(errors):
    print("WARNING: pip-audit could not reach the vulnerability service; dependencies were NOT audited.")
    print("\n".join(errors.strip().splitlines()[-3:]))
    sys.exit(0)
print(errors.strip() or f"pip-audit failed (exit {rc}) without output", file=sys.stderr)
sys.exit(1)
PY
status=$?
[ $status -eq 0 ] || { echo "pip-audit: FAILED"; exit $status; }

echo "bandit (high severity)"
"$VENV/bin/bandit" -q -r config core staff training supervision finance -x tests,migrations -lll
status=$?
[ $status -eq 0 ] && echo "bandit: no high-severity findings" || echo "bandit: FAILED"
exit $status
