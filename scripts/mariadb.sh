#!/usr/bin/env bash
# A private MariaDB server on loopback for the tests, without systemd.
#   scripts/mariadb.sh start DIR PORT   initialise DIR (if new) and start; prints nothing on success
#   scripts/mariadb.sh stop DIR         stop it (by its socket, then its PID)
set -euo pipefail
cmd=${1:?start or stop}
dir=$(realpath -m "${2:?directory}")
case "$cmd" in
start)
  port=${3:?port}
  mkdir -p "$dir/tmp"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1
  fi
  setsid mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/mysqld.sock" \
    --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --tmpdir="$dir/tmp" --skip-name-resolve --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=256M </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 240); do
    if mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then
      # Tests connect over TCP as root without a password, like a fresh server's socket login.
      mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot -e \
        "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
      exit 0
    fi
    sleep 0.25
  done
  echo "MariaDB did not start; see $dir/error.log" >&2
  tail -20 "$dir/error.log" >&2 || true
  exit 1
  ;;
stop)
  if [ -S "$dir/mysqld.sock" ]; then
    mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot shutdown >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/mysqld.pid" ]; then
    pid=$(cat "$dir/mysqld.pid" 2>/dev/null || true)
    for _ in $(seq 1 80); do
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  fi
  ;;
*) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
