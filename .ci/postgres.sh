#!/usr/bin/env bash
# PostgreSQL for the database tests: `bash .ci/postgres.sh start` installs Debian's postgresql when it is missing
# (apt-get update first), starts its cluster unless it is already running, makes a `notecheck` role that may create
# databases (each test makes its own) and prints the URL for NOTECHECK_TEST_POSTGRES_URL on stdout.
# `bash .ci/postgres.sh stop` stops the cluster again if `start` was the one that started it. Runs as root.
set -euo pipefail
marker=/tmp/notecheck-ci-postgres.started
log() { echo "postgres.sh: $*" >&2; }

if [ "${1:-start}" = "stop" ]; then
    if [ -f "$marker" ]; then
        read -r ver cluster < "$marker"
        pg_ctlcluster "$ver" "$cluster" stop >&2 || true
        rm -f "$marker"
    fi
    exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/postgres > /dev/null 2>&1 || ! command -v pg_ctlcluster > /dev/null; then
    log "installing Debian's postgresql"
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 postgresql >&2
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" {found=1} END {exit !found}'; then
    pg_createcluster "$ver" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" && $4 == "online" {found=1} END {exit !found}'; then
    pg_ctlcluster "$ver" main start >&2
    echo "$ver main" > "$marker"
fi
port=$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" {print $3}')
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p "$port" >&2
runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'notecheck') THEN
    CREATE ROLE notecheck LOGIN CREATEDB PASSWORD 'notecheck';
  END IF;
END $$;
SELECT 'CREATE DATABASE notecheck OWNER notecheck' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'notecheck')
\gexec
SQL
echo "postgresql+psycopg://notecheck:notecheck@127.0.0.1:$port/notecheck"
