#!/usr/bin/env bash
# Installs the Debian 12 packages socialdefault needs to build, run and test.
# Idempotent: packages already present are not downloaded again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libcurl4-openssl-dev libpugixml-dev libssl-dev libsqlite3-dev tzdata
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang libclang-rt-14-dev python3-zeep cppcheck libxslt1-dev openssl xsltproc libxml2-utils sqlite3
)
# The purchasing console's browser test (tests/integration/console): Debian's
# Chromium, and Node.js with npm for playwright-core.
packages+=(chromium nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
