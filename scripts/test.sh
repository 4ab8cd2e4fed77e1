#!/usr/bin/env bash
# Everything the project checks, from a fresh Debian 12 machine (as root): installs what is missing,
# builds, starts a private MariaDB on loopback, runs the spec suite on SQLite and on MariaDB (also
# under AddressSanitizer and UndefinedBehaviorSanitizer), replays the golden captures of real
# Redmine against our server, and stops what it started, on failure too.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REFERENCE=${SPEC_REFERENCE:-$(realpath -m "$ROOT/../shared/reference")}
WORK=$(mktemp -d /tmp/redmine-test.XXXXXX)
MYSQL_PORT=${TEST_MYSQL_PORT:-$((20000 + RANDOM % 20000))}
SERVER_PID=

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  "$ROOT/scripts/mariadb.sh" stop "$WORK/mariadb" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# Each step says when it started (seconds since the start), so the command's time is measured as it grows.
say() { echo "== [${SECONDS}s] $*"; }

"$ROOT/scripts/install-deps.sh"
[ -f "$REFERENCE/seeded-redmine.sqlite3" ] || { echo "missing $REFERENCE (shared/reference beside the checkout)" >&2; exit 1; }
export SPEC_REFERENCE="$REFERENCE"

say "build"
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
# One clang build with AddressSanitizer and UBSan serves the sanitizer run of the spec suite and the
# libFuzzer targets (-Dfuzz=true). UBSan's vptr check needs RTTI that libsoci does not export; every
# other check stays on.
[ -f build-asan/build.ninja ] || CC=clang CXX=clang++ meson setup build-asan --buildtype=debug -Dfuzz=true \
  -Db_sanitize=address,undefined -Db_lundef=false -Dcpp_args=-fno-sanitize=vptr \
  -Dcpp_link_args=-fno-sanitize=vptr >/dev/null
ninja -C build
ninja -C build-asan

say "MariaDB on 127.0.0.1:$MYSQL_PORT"
"$ROOT/scripts/mariadb.sh" start "$WORK/mariadb" "$MYSQL_PORT"
mariadb --no-defaults -h127.0.0.1 -P"$MYSQL_PORT" -uroot -e \
  "CREATE DATABASE spec_seeded CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
# Line 1 of the dump is a sandbox-mode comment that older clients refuse.
tail -n +2 "$REFERENCE/seeded-redmine-mysql.sql" | mariadb --no-defaults -h127.0.0.1 -P"$MYSQL_PORT" -uroot spec_seeded
MYSQL_URL="mysql://root@127.0.0.1:$MYSQL_PORT/"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1
status=0
run_spec() {  # NAME BINARY BACKEND
  say "spec: $1"
  if ! SPEC_DB=$3 SPEC_MYSQL_URL=$MYSQL_URL "$2"; then status=1; fi
}
run_spec "SQLite" build/spec sqlite
run_spec "MariaDB" build/spec mysql
run_spec "SQLite, ASan+UBSan" build-asan/spec sqlite
run_spec "MariaDB, ASan+UBSan" build-asan/spec mysql

say "golden captures of Redmine 5.0.4 (compare-golden.py)"
cp "$REFERENCE/seeded-redmine.sqlite3" "$WORK/golden.sqlite3"
# its attachment files, in files/ beside the database (the server's default files_dir)
tar xzf "$REFERENCE/seeded-files.tar.gz" -C "$WORK"
GOLDEN_PORT=$((MYSQL_PORT + 1))
# The captures were taken from Redmine at http://127.0.0.1:3000: that is our public base URL here.
# They were taken on 2026-11-22, and an issue created without a start date starts today: the server
# runs with its clock started on that day (libfaketime), so the replay passes on any day.
REDMINE_LOG_LEVEL=warn REDMINE_BASE_URL=http://127.0.0.1:3000 TZ=UTC faketime -f '@2026-11-22 18:00:00' \
  build/redmine-server --database "sqlite:$WORK/golden.sqlite3" --port "$GOLDEN_PORT" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$GOLDEN_PORT/health" >/dev/null && break; sleep 0.1; done
if ! python3 "$REFERENCE/compare-golden.py" "http://127.0.0.1:$GOLDEN_PORT" --must-pass spec/golden-must-pass.txt \
     > "$WORK/golden.txt"; then
  status=1
  grep -B0 -A5 "^FAIL" "$WORK/golden.txt" | head -100 || true
fi
tail -n 2 "$WORK/golden.txt"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=

say "fuzzing: every target for ${FUZZ_SECONDS:=15} s from its seeds (scripts/fuzz.sh)"
for target in $(scripts/fuzz.sh --list); do
  printf '%s: ' "$target"
  if ! scripts/fuzz.sh "$target" "$FUZZ_SECONDS"; then status=1; fi
done

if [ "$status" -ne 0 ]; then echo "FAILED"; exit 1; fi
echo "all checks passed in ${SECONDS} s"
