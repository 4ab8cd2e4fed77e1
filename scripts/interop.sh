#!/usr/bin/env bash
# Interop with the real Redmine 5.0.4 (../shared/reference, installed and run on 127.0.0.1:3000):
#   1. our server, on a copy of the seeded database, creates a user and attaches an uploaded file;
#   2. Redmine serves that database and files directory: the user logs in with Basic auth and the
#      file downloads byte-identical; Redmine then creates a user and attaches a file of its own;
#   3. our server serves Redmine's database and files: both users log in, both files download.
# Then, when scripts/compare-writes.py is present, the same write sequence runs on both servers
# (each on a fresh copy of the seeded database) and their answers are compared.
# Needs root (the reference runs as www-data under /var/lib/redmine). Not part of scripts/test.sh:
# installing the reference takes minutes and the network.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REF=$(realpath -m "$ROOT/../shared/reference")
PORT=${INTEROP_PORT:-3400}
WORK=$(mktemp -d /tmp/interop.XXXXXX)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  "$REF/stop-redmine.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT

./scripts/install-deps.sh
"$REF/setup-redmine.sh" >/dev/null
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build redmine-server >/dev/null

ours() {  # DB FILES_DIR: start our server on them
  REDMINE_LOG_LEVEL=warn REDMINE_BASE_URL=http://127.0.0.1:3000 REDMINE_FILES_DIR="$2" \
    build/redmine-server --database "sqlite:$1" --port "$PORT" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && return; sleep 0.1; done
  echo "our server did not start" >&2; exit 1
}
stop_ours() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

echo "== 1. our server writes"
cp "$REF/seeded-redmine.sqlite3" "$WORK/ours.sqlite3"
tar -C "$WORK" -xzf "$REF/seeded-files.tar.gz"
ours "$WORK/ours.sqlite3" "$WORK/files"
python3 scripts/interop.py write "http://127.0.0.1:$PORT" "$WORK/state.json" ours
stop_ours

echo "== 2. Redmine reads what we wrote, and writes"
tar -C "$WORK" -czf "$WORK/files.tar.gz" files
"$REF/serve-db.sh" "$WORK/ours.sqlite3" "$WORK/files.tar.gz" >/dev/null
python3 scripts/interop.py read http://127.0.0.1:3000 "$WORK/state.json"
python3 scripts/interop.py write http://127.0.0.1:3000 "$WORK/state.json" redmine
"$REF/stop-redmine.sh" >/dev/null

echo "== 3. our server reads what Redmine wrote"
. "$REF/common.sh"
# SQLite's backup API: the copy includes what is still in Redmine's WAL file
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
  "$REDMINE_DB" "$WORK/back.sqlite3"
rm -rf "$WORK/files" && cp -r "/var/lib/redmine/$REDMINE_INSTANCE/files" "$WORK/files"
ours "$WORK/back.sqlite3" "$WORK/files"
python3 scripts/interop.py read "http://127.0.0.1:$PORT" "$WORK/state.json"
stop_ours

if [ -f scripts/compare-writes.py ]; then
  echo "== 4. the same writes on both servers"
  cp "$REF/seeded-redmine.sqlite3" "$WORK/fresh.sqlite3"
  rm -rf "$WORK/files" && tar -C "$WORK" -xzf "$REF/seeded-files.tar.gz"
  ours "$WORK/fresh.sqlite3" "$WORK/files"
  "$REF/serve-db.sh" >/dev/null
  python3 scripts/compare-writes.py http://127.0.0.1:3000 "http://127.0.0.1:$PORT" \
    --db-a "$REDMINE_DB" --db-b "$WORK/fresh.sqlite3"
fi
echo "interop: all checks passed"
rm -rf "$WORK"
