#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine (as root) and serves the API on an embedded SQLite
# database (db/redmine.sqlite3, created with Redmine's default data on first start; the admin's
# password and API key are printed then, once). Arguments go to the server, e.g. --port 3001.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# -O2: GCC 12 reports false maybe-uninitialized/restrict warnings at -O3, and warnings are errors here.
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release -Doptimization=2 >/dev/null
ninja -C build-release redmine-server
mkdir -p db/data
exec ./build-release/redmine-server --config config/redmine.conf "$@"
