#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, only what is missing (idempotent).
set -euo pipefail
PKGS=(meson ninja-build pkg-config g++ python3 libpistache-dev libsoci-dev libboost-dev libsqlite3-dev
      libmariadb-dev libpugixml-dev nlohmann-json3-dev doctest-dev libssl-dev
      mariadb-server mariadb-client sqlite3 curl faketime clang libclang-rt-14-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
fi
