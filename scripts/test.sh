#!/usr/bin/env bash
# Run the whole test suite against real services: PostgreSQL, Redis (with a
# real Celery worker) and Debian's Chromium. Each is started or installed
# when missing; with CI=true a service that still cannot be had fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

CI="${CI:-false}"
PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379
problems=()

note() { echo "[test] $*" >&2; }

ensure_postgres() {
  if pg_isready -h "$PG_HOST" -p "$PG_PORT" -q 2>/dev/null; then return 0; fi
  command -v pg_ctlcluster >/dev/null || scripts/ensure-debian-package.sh postgresql postgresql-client
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  if [ -n "$version" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    for _ in $(seq 1 30); do
      pg_isready -h "$PG_HOST" -p "$PG_PORT" -q && break
      sleep 1
    done
    # A cluster we started ourselves wants a password over TCP: give postgres one.
    runuser -u postgres -- psql -qc "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
  fi
  pg_isready -h "$PG_HOST" -p "$PG_PORT" -q
}

ensure_redis() {
  if (exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null; then return 0; fi
  command -v redis-server >/dev/null || scripts/ensure-debian-package.sh redis-server
  mkdir -p var
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir "$PWD/var" --logfile "$PWD/var/redis-test.log" >/dev/null
  for _ in $(seq 1 20); do
    (exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  scripts/ensure-debian-package.sh chromium fonts-dejavu-core
  [ -x /usr/bin/chromium ]
}

ensure_postgres || problems+=("PostgreSQL")
ensure_redis || problems+=("Redis")
ensure_chromium || problems+=("Chromium")

if [ ${#problems[@]} -gt 0 ]; then
  if [ "$CI" = "true" ]; then
    note "missing services: ${problems[*]} (CI=true: failing)"
    exit 1
  fi
  note "missing services: ${problems[*]}: their tests will be skipped"
fi

if pg_isready -h "$PG_HOST" -p "$PG_PORT" -q 2>/dev/null; then
  PGPASSWORD=postgres psql -h "$PG_HOST" -U postgres -qtc \
    "SELECT 1 FROM pg_database WHERE datname='iamconsole'" 2>/dev/null | grep -q 1 \
    || PGPASSWORD=postgres psql -h "$PG_HOST" -U postgres -qc "CREATE DATABASE iamconsole" >/dev/null 2>&1 || true
  export DATABASE_URL="${DATABASE_URL:-postgres://postgres:postgres@$PG_HOST:$PG_PORT/iamconsole}"
elif [ "$CI" = "true" ]; then
  exit 1
fi
export IAM_TEST_REDIS_URL="${IAM_TEST_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/15}"

rm -rf artifacts
exec .venv/bin/python -m pytest "$@"
