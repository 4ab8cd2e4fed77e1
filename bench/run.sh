#!/usr/bin/env bash
# The benchmark: our server (and, with --with-redmine, the reference Redmine 5.0.4 on the same
# database) under wrk on loopback, at one or more scales. Writes bench/results.md and
# bench/results.png. Everything stays on 127.0.0.1; every wrk run is bounded in time.
#
#   bench/run.sh [--scales 10000,100000] [--duration 10s] [--connections 32] [--with-redmine]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCALES=10000
DURATION=10s
CONNECTIONS=32
WITH_REDMINE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scales) SCALES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --with-redmine) WITH_REDMINE=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
DATA=${BENCH_DATA:-/var/tmp/redmine-bench}
OUT=$ROOT/bench/out
PORT=${BENCH_PORT:-3300}
REFERENCE=$(realpath -m "$ROOT/../shared/reference")
mkdir -p "$DATA" "$OUT"

./scripts/install-deps.sh
for p in wrk gnuplot-nox; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq "$p" >/dev/null
done
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release -Doptimization=2 >/dev/null
ninja -C build-release redmine-server >/dev/null

KEY=$(python3 -c 'print(("%040x" % (0xBE4C0000 + 100))[-40:])')  # bench user 100, see generate.py
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

# One wrk run: NAME URL [LUA]; appends "server scale name req/s p50 p99 errors" to $OUT/raw.tsv
measure() {
  local server=$1 scale=$2 name=$3 url=$4 lua=${5:-}
  local args=(-t2 -c"$CONNECTIONS" -d"$DURATION" --latency --timeout 5s)
  [ -n "$lua" ] && args+=(-s "$lua")
  wrk -t2 -c8 -d2s ${lua:+-s "$lua"} "$url" >/dev/null 2>&1 || true
  wrk "${args[@]}" "$url" > "$OUT/$server-$scale-$name.txt" 2>&1
  local f="$OUT/$server-$scale-$name.txt"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' "$f")
  p50=$(awk '$1=="50%" {print $2}' "$f")
  p99=$(awk '$1=="99%" {print $2}' "$f")
  errors=$(awk '/Non-2xx or 3xx/ {n+=$NF} /Socket errors/ {gsub(",", ""); n+=$4+$6+$8+$10} END {print n+0}' "$f")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$scale" "$name" "$rps" "$p50" "$p99" "$errors" >> "$OUT/raw.tsv"
  printf '  %-28s %10s req/s  p50 %-9s p99 %-9s errors %s\n' "$name" "$rps" "$p50" "$p99" "$errors"
}

# The issue the workload reads and edits: the middle one of project 1, where user 100 is a Manager.
middle_issue() {
  python3 -c 'import sqlite3, sys
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM issues WHERE project_id = 1 ORDER BY id")]
print(ids[len(ids) // 2])' "$1"
}

workload() {  # SERVER SCALE BASE ISSUE
  local server=$1 scale=$2 base=$3 issue=$4
  cat > "$OUT/post_time_entry.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Redmine-API-Key"] = "$KEY"
-- a random day, so that Redmine's 999 hours-per-day limit never refuses an entry
request = function()
  local body = string.format('{"time_entry":{"project_id":1,"hours":0.5,"activity_id":9,' ..
    '"spent_on":"%04d-%02d-%02d","comments":"bench"}}', math.random(2000, 2025), math.random(1, 12), math.random(1, 28))
  return wrk.format(nil, nil, nil, body)
end
LUA
  cat > "$OUT/put_issue.lua" <<LUA
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Redmine-API-Key"] = "$KEY"
wrk.body = '{"issue":{"notes":"bench note"}}'
LUA
  measure "$server" "$scale" issues "$base/issues.json?limit=25&key=$KEY"
  measure "$server" "$scale" issues-filtered "$base/issues.json?limit=25&status_id=open&tracker_id=1&priority_id=2&key=$KEY"
  measure "$server" "$scale" issues-sorted "$base/issues.json?limit=25&sort=priority:desc,updated_on&key=$KEY"
  measure "$server" "$scale" issue-journals "$base/issues/$issue.json?include=journals&key=$KEY"
  measure "$server" "$scale" projects "$base/projects.json?key=$KEY"
  measure "$server" "$scale" time-entries-deep "$base/time_entries.json?limit=100&offset=$(( $2 / 10 ))&key=$KEY"
  measure "$server" "$scale" users-current "$base/users/current.json?key=$KEY"
  measure "$server" "$scale" post-time-entry "$base/time_entries.json" "$OUT/post_time_entry.lua"
  measure "$server" "$scale" put-issue "$base/issues/$issue.json" "$OUT/put_issue.lua"
}

# Pages through time entries at limit=100 on one keep-alive connection; prints seconds.
page_through() {
  python3 - "$1" "$KEY" <<'PY'
import http.client, json, sys, time
host, port = sys.argv[1].split("//")[1].split(":")
conn = http.client.HTTPConnection(host, int(port), timeout=30)
start, offset, total = time.time(), 0, None
while total is None or offset < min(total, 53000):
    conn.request("GET", "/time_entries.json?limit=100&offset=%d&key=%s" % (offset, sys.argv[2]))
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        sys.exit("page at offset %d answered %d" % (offset, response.status))
    body = json.loads(data)
    total = body["total_count"]
    offset += 100
print("%.2f %d" % (time.time() - start, min(total, 53000)))
PY
}

rm -f "$OUT/raw.tsv"
for scale in ${SCALES//,/ }; do
  db="$DATA/bench-$scale.sqlite3"
  if [ ! -f "$db" ]; then
    echo "== generating $scale issues"
    rm -f "$db.tmp"
    ./build-release/redmine-server --database "sqlite:$db.tmp" db init >/dev/null
    python3 bench/generate.py "$db.tmp" --issues "$scale" --time-entries $(( scale < 200000 ? 60000 : 200000 ))
    mv "$db.tmp" "$db"; rm -f "$db.tmp-wal" "$db.tmp-shm"
  fi
  copy="$DATA/run-$scale.sqlite3"; cp "$db" "$copy"; rm -f "$copy-wal" "$copy-shm"
  echo "== ours, $scale issues"
  REDMINE_LOG_LEVEL=warn ./build-release/redmine-server --database "sqlite:$copy" --port "$PORT" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
  workload ours "$scale" "http://127.0.0.1:$PORT" "$(middle_issue "$db")"
  read -r secs count < <(page_through "http://127.0.0.1:$PORT")
  printf 'ours\t%s\tpage-53000-time-entries\t%s\t-\t-\t%s\n' "$scale" "$secs" "$count" >> "$OUT/raw.tsv"
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
  printf 'ours\t%s\tpeak-rss-kb\t%s\t-\t-\t-\n' "$scale" "$rss" >> "$OUT/raw.tsv"
  echo "  paging 53000 time entries: ${secs}s; peak RSS ${rss} kB"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=

  if [ "$WITH_REDMINE" = 1 ]; then
    echo "== reference Redmine 5.0.4, $scale issues"
    "$REFERENCE/setup-redmine.sh" >/dev/null
    cp "$db" "$copy"; rm -f "$copy-wal" "$copy-shm"
    "$REFERENCE/serve-db.sh" "$copy" >/dev/null
    workload redmine "$scale" "http://127.0.0.1:3000" "$(middle_issue "$db")"
    "$REFERENCE/stop-redmine.sh" >/dev/null || true
  fi
done

python3 bench/report.py "$OUT/raw.tsv" bench/results.md bench/results.png "$(nproc) cores, $(uname -m), wrk -t2 -c$CONNECTIONS -d$DURATION" "bench/run.sh --scales $SCALES --duration $DURATION --connections $CONNECTIONS$([ "$WITH_REDMINE" = 1 ] && echo ' --with-redmine')"
echo "wrote bench/results.md and bench/results.png"
