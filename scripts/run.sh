#!/usr/bin/env bash
# The embedded run: SQLite, a filesystem task broker, a Celery worker with
# beat, and the console on http://127.0.0.1:${PORT:-8000}. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
export PYTHONUNBUFFERED=1

$PY manage.py migrate --noinput >/dev/null
$PY manage.py demoaccount --base-url "http://127.0.0.1:${PORT}"

.venv/bin/celery -A iamconsole worker --beat --loglevel WARNING --concurrency 1 \
  --schedule var/celerybeat-schedule >var/celery.log 2>&1 &
WORKER=$!
sleep 2
if ! kill -0 "$WORKER" 2>/dev/null; then
  echo "The Celery worker did not start; see var/celery.log" >&2
  exit 1
fi
stop() {
  trap - INT TERM EXIT
  kill -TERM "${WEB:-}" "$WORKER" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

echo "IAM Console is running at http://127.0.0.1:${PORT}/signin  (Ctrl-C to stop)"
.venv/bin/gunicorn iamconsole.wsgi --bind "127.0.0.1:${PORT}" --workers 1 --threads 8 \
  --log-level warning --access-logfile - &
WEB=$!
wait "$WEB"
