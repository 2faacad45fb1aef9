#!/usr/bin/env bash
# Load test against gunicorn on PostgreSQL (README, "Load test").
#
#   loadtest/run.sh                      # 10 and 50 operators, 120 s each
#   USERS="10 50 100" DURATION=120s loadtest/run.sh
#
# Creates a scratch database (dropped and re-created each run), migrates, loads the demo
# data (DEMO_MEETINGS meetings), creates LOADTEST_OPERATORS operator accounts spread over
# the four desks, starts gunicorn (WORKERS processes) with DEBUG off, then runs locust
# headless once per value of USERS and prints throughput, p95 latency and errors.
set -euo pipefail
cd "$(dirname "$0")/.."

PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${LOADTEST_DB:-activitycr_loadtest}
USERS=${USERS:-"10 50"}
DURATION=${DURATION:-120s}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-1}
PORT=${PORT:-8077}
DEMO_MEETINGS=${DEMO_MEETINGS:-10000}
export LOADTEST_OPERATORS=${LOADTEST_OPERATORS:-50}
export LOADTEST_PASSWORD=${LOADTEST_PASSWORD:-carico-Activity-2021}
OUT=${OUT:-data/loadtest}  # ./data is git-ignored
BIN=.venv/bin

export DATABASE_URL="$PG/$DB" DEBUG=false LOG_LEVEL=WARNING TWO_FACTOR_REQUIRED=true
PGHOST_ARGS=$(
  "$BIN/python" - "$PG" <<'PY'
import sys, urllib.parse as u
p = u.urlparse(sys.argv[1])
print(f"-h {p.hostname or '127.0.0.1'} -p {p.port or 5432} -U {p.username or 'postgres'}")
PY
)
# shellcheck disable=SC2086
dropdb $PGHOST_ARGS --if-exists "$DB"
# shellcheck disable=SC2086
createdb $PGHOST_ARGS "$DB"
"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py demo_data --meetings "$DEMO_MEETINGS" > /dev/null
"$BIN/python" manage.py shell -c "
import os
from django.contrib.auth.models import Group, User
from casework.roles import OPERATOR
from sportelli.models import Desk
desks = list(Desk.objects.order_by('pk'))
slugs = ['casalmaggiore', 'gussola', 'piadena-drizzona', 'san-giovanni-in-croce']
group = Group.objects.get(name=OPERATOR)
for n in range(1, int(os.environ['LOADTEST_OPERATORS']) + 1):
    user, _ = User.objects.get_or_create(username=f'loadop{n}')
    user.set_password(os.environ['LOADTEST_PASSWORD'])
    user.save()
    user.groups.add(group)
    Desk.objects.get(slug=slugs[(n - 1) % len(slugs)]).operators.add(user)
"
"$BIN/python" manage.py collectstatic --noinput -v 0

"$BIN/gunicorn" activitycr.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --threads "$THREADS" --log-level warning --pid "/tmp/activitycr-loadtest-$PORT.pid" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && break
  sleep 0.2
done

mkdir -p "$OUT"
printf '\n%-6s %-10s %-8s %-8s %-8s %-7s | %-22s\n' users actions "req/s" "p50 ms" "p95 ms" errors "logins: n, p95 ms, err"
for U in $USERS; do
  LOADTEST_USERS="$U" LOADTEST_SUMMARY="$OUT/u$U.json" "$BIN/locust" -f loadtest/locustfile.py --headless \
    --only-summary -u "$U" -r "$U" --run-time "$DURATION" --host "http://127.0.0.1:$PORT" \
    --csv "$OUT/u$U" > "$OUT/u$U.log" 2>&1 || true
  "$BIN/python" - "$OUT/u$U.json" "$U" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
a, l = s["actions"], s["login"]
print(f"{sys.argv[2]:<6} {a['requests']:<10} {a['per_second']:<8.1f} {a['p50_ms']:<8.0f} "
      f"{a['p95_ms']:<8.0f} {a['errors']:<7} | {l['requests']}, {l['p95_ms']:.0f}, {l['errors']}"
      f"   (steady state: last {a['window_s']:.0f} s)")
PY
done
echo
echo "Per action: $OUT/u<users>_stats.csv; failures: $OUT/u<users>_failures.csv"
