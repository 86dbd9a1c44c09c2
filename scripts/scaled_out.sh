#!/usr/bin/env bash
# The scaled-out shape on one machine: two gunicorn instances and two Celery workers on loopback,
# one PostgreSQL database and one Redis. Sends ledger imports through both web instances and
# background jobs to the queue, checks that every import and job completed (and that both workers
# took jobs, and both web instances see the same data), then stops everything it started.
#
#   scripts/scaled_out.sh            # uses $SCALED_OUT_DATABASE_URL, default the `bench` database
#
# Needs: a migrated database with the demo agency (`make seed-large`, or `seed_demo`), Redis on
# 127.0.0.1:6379 (database $REDIS_DB, default 9), PostgreSQL. Exit 0 when everything completed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
export DATABASE_URL=${SCALED_OUT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench}
export CELERY_BROKER_URL=${SCALED_OUT_BROKER_URL:-redis://127.0.0.1:6379/${REDIS_DB:-9}}
export DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 LOG_LEVEL=WARNING
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
PASSWORD=${DEMO_PASSWORD:-demo-pass-2025}
PORTS=(${SCALED_OUT_PORTS:-8021 8022})
JOBS=${SCALED_OUT_JOBS:-20}
WORK=$(mktemp -d /tmp/scaled_out.XXXXXX)
export STATIC_ROOT=$WORK/static
PIDS=()

stop() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped ${#PIDS[@]} processes; logs in $WORK"
}
trap stop EXIT

"$PY" manage.py collectstatic --noinput -v0
for i in 0 1; do
  BIND=127.0.0.1:${PORTS[$i]} WEB_CONCURRENCY=2 "$BIN/gunicorn" -c config/gunicorn.conf.py config.wsgi \
    >"$WORK/web$((i + 1)).log" 2>&1 &
  PIDS+=($!)
  "$BIN/celery" -A config worker --concurrency 1 -n "scaled$((i + 1))@%h" --without-gossip --without-mingle \
    --loglevel INFO >"$WORK/worker$((i + 1)).log" 2>&1 &
  PIDS+=($!)
done
echo "started web on ${PORTS[*]} and two workers (pids ${PIDS[*]}); database ${DATABASE_URL##*@}"

for port in "${PORTS[@]}"; do
  for _ in $(seq 60); do
    curl -fsS -H "Host: 127.0.0.1" "http://127.0.0.1:$port/health/" >/dev/null 2>&1 && break
    sleep 1
  done
  echo "web :$port health: $(curl -sS -H 'Host: 127.0.0.1' "http://127.0.0.1:$port/health/")"
done

# ---- imports through both web instances (finance officer of the demo agency, API token) ---------
token=$(curl -fsS -X POST -H "Host: 127.0.0.1" -d "username=finance&password=$PASSWORD" \
  "http://127.0.0.1:${PORTS[0]}/api/v1/auth/token/" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])')
contract=$(curl -fsS -H "Host: 127.0.0.1" -H "Authorization: Token $token" \
  "http://127.0.0.1:${PORTS[1]}/api/v1/finance/contracts/?ordering=code" |
  "$PY" -c 'import json,sys; d=json.load(sys.stdin); print((d.get("results", d))[0]["code"])')
year=${contract#*-*-}; year=${year%%-*}
stamp=$(date +%s)
ok_imports=0
for i in 0 1; do
  csv=$WORK/ledger$((i + 1)).csv
  {
    echo "日期,金额,预算科目,收款方,摘要,发票号,支付方式,凭证号"
    for n in $(seq 1 100); do
      printf '%s-03-%02d,%d.%02d,A1,扩容测试商户%d,活动物资,SO%s%d%03d,bank,SO-%s-%d-%03d\n' \
        "$year" $((n % 28 + 1)) $((100 + n)) $((n % 100)) "$n" "$stamp" "$i" "$n" "$stamp" "$i" "$n"
    done
  } >"$csv"
  answer=$(curl -sS -H "Host: 127.0.0.1" -H "Authorization: Token $token" -F "contract=$contract" \
    -F "file=@$csv;type=text/csv" "http://127.0.0.1:${PORTS[$i]}/api/v1/finance/imports/upload/")
  rows=$(echo "$answer" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["rows"] if d.get("ok") else -1)' || echo -1)
  echo "import via :${PORTS[$i]} into $contract: $answer" | cut -c1-220
  if [ "$rows" = 100 ]; then ok_imports=$((ok_imports + 1)); fi
done

# ---- background jobs into the queue; both workers must take some ----------------------------------
ids=$("$PY" manage.py shell -c "
from django.db import transaction
from overview.demo import DEMO_SLUG
from core.jobs import job_dispatch
from core.models import Agency
from django.contrib.auth import get_user_model
agency = Agency.objects.get(slug=DEMO_SLUG)
user = get_user_model().objects.get(username='director')
ids = []
for n in range($JOBS):
    with transaction.atomic():
        ids.append(job_dispatch(agency=agency, user=user, kind='core.selftest', params={'n': n}).pk)
print(','.join(map(str, ids)))
" | tail -1)
echo "queued $JOBS jobs: $ids"
status=""
for _ in $(seq 90); do
  status=$("$PY" manage.py shell -c "
from core.models import Job
rows = Job.objects.filter(pk__in=[$ids])
done = rows.filter(status='succeeded').count()
print(done, rows.exclude(status__in=['queued', 'running']).count(), rows.filter(result__worker=True).count())
" | tail -1)
  set -- $status
  [ "$2" = "$JOBS" ] && break
  sleep 1
done
set -- $status
succeeded=$1 in_worker=$3
w1=$(grep -c "succeeded in" "$WORK/worker1.log" || true)
w2=$(grep -c "succeeded in" "$WORK/worker2.log" || true)
seen1=$(curl -fsS -H "Host: 127.0.0.1" -H "Authorization: Token $token" "http://127.0.0.1:${PORTS[0]}/api/v1/finance/imports/" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["count"])')
seen2=$(curl -fsS -H "Host: 127.0.0.1" -H "Authorization: Token $token" "http://127.0.0.1:${PORTS[1]}/api/v1/finance/imports/" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["count"])')

echo "imports completed: $ok_imports/2; ledger imports listed by web 1: $seen1, by web 2: $seen2"
echo "jobs succeeded: $succeeded/$JOBS (ran in a worker: $in_worker); tasks done by worker 1: $w1, worker 2: $w2"
if [ "$ok_imports" = 2 ] && [ "$succeeded" = "$JOBS" ] && [ "$in_worker" = "$JOBS" ] && [ "$w1" -gt 0 ] &&
  [ "$w2" -gt 0 ] && [ "$seen1" = "$seen2" ]; then
  echo "scaled-out check: OK"
else
  echo "scaled-out check: FAILED" >&2
  exit 1
fi
