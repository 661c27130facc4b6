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
  # Tryton 6.0 for tests/integration/tryton (docs/tryton.md): the server and
  # the purchase modules the module extends, proteus for the scenario, sao
  # (the web client trytond serves) and chromium for the browser check;
  # --no-install-recommends below keeps the office suite and desktop out.
  # Node.js (20 or newer, with its npm) is the machine's own: Debian 12's
  # nodejs 18 is too old for playwright-core.
  tryton-server tryton-modules-purchase tryton-modules-purchase-request
  tryton-modules-purchase-requisition tryton-proteus tryton-sao chromium
)
# The package test (packaging/test-deb.sh): CPack's dpkg-shlibdeps step needs
# file; the test talks to the installed gateway with curl.
packages+=(file curl)
# The purchasing console's browser test (tests/integration/console) runs
# playwright-core on Node.js with npm (Chromium is listed above). The machine's
# own Node.js 20 is used when present: Debian's npm would pull in Debian's
# nodejs 18 over it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

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
