#!/usr/bin/env bash
# socialdefault inside Tryton 6.0 (docs/tryton.md): builds one SQLite
# database with trytond-admin (the module found through an entry point on
# PYTHONPATH, nothing written under /usr), runs the proteus scenario, checks
# the ledger with the CLI (verify, export), then serves sao with trytond and
# runs the browser check with Debian's chromium.
#
#   tests/integration/tryton/run.sh LIBSOCIALDEFAULT_SO SOCIALDEFAULT_CLI [ARTEFACT_DIR]
#
# ARTEFACT_DIR (default build/tryton) keeps the screenshots and the logs.
# Exit 0 passed, 1 failed, 77 skipped (Tryton not installed; the reason is
# printed). Without chromium or node only the browser check is skipped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
if [ $# -lt 2 ]; then
  echo "usage: $0 LIBSOCIALDEFAULT_SO SOCIALDEFAULT_CLI [ARTEFACT_DIR]" >&2
  exit 2
fi
lib=$(realpath "$1")
cli=$(realpath "$2")
artefacts=$(realpath -m "${3:-$root/build/tryton}")
# Debian's trytond runs under the system interpreter, whatever python3 is first on PATH.
py=/usr/bin/python3
chromium=${SD_CHROMIUM:-/usr/bin/chromium}

skip() {
  echo "SKIPPED tryton: $*"
  exit 77
}
[ -x /usr/bin/trytond-admin ] || skip "trytond-admin is not installed (packaging/install-deps.sh installs tryton-server)"
"$py" -c 'import proteus, trytond.modules.purchase_requisition' 2>/dev/null ||
  skip "tryton-proteus or tryton-modules-purchase-requisition is not installed"
[ -f "$lib" ] || { echo "tryton: $lib is missing: build libsocialdefault first" >&2; exit 1; }
[ -x "$cli" ] || { echo "tryton: $cli is missing: build the socialdefault CLI first" >&2; exit 1; }

started=$SECONDS
work=$(mktemp -d)
trytond_pid=
cleanup() {
  if [ -n "$trytond_pid" ]; then
    kill "$trytond_pid" 2>/dev/null || true
    wait "$trytond_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$artefacts"
rm -f "$artefacts"/*.png "$artefacts"/*.log

export PYTHONPATH="$root/adapters/tryton${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONWARNINGS=ignore::DeprecationWarning
export TRYTONPASSFILE="$work/password"
echo admin >"$TRYTONPASSFILE"

conf() {  # conf FILE LEDGER [PORT]
  cat >"$1" <<EOF
[database]
uri = sqlite://
path = $work
list = True
[web]
listen = 127.0.0.1:${3:-8000}
root = /usr/share/tryton-sao/www
[socialdefault]
library = $lib
config = $root/examples/config.xml
ledger = $2
EOF
}

failed=0
passed=0
step() {  # step NAME COMMAND...: runs it, its output into the artefact log
  local name=$1
  shift
  if "$@" >"$artefacts/$name.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok    $name ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1))
    echo "FAIL  $name: see $artefacts/$name.log"
    tail -n 20 "$artefacts/$name.log" | sed 's/^/      /' || true
    return 1
  fi
}
finish() {
  echo "tryton: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] || exit 1
  exit 0
}

# 0. The ctypes layer on its own: decisions, errors, failing open.
step native env SD_LIBRARY="$lib" SD_SOURCE_DIR="$root" PYTHONPATH="$PYTHONPATH:$here" \
  "$py" -m unittest -v native_test || finish

# 1. One database per run: activate the module (and its dependencies), then
#    the example suppliers, product and category code.
conf "$work/admin.conf" "$work/scenario-ledger.db"
: >"$work/sd.sqlite"
step trytond-admin /usr/bin/trytond-admin -c "$work/admin.conf" -d sd --all --activate-dependencies \
  -u socialdefault --email admin@example.org || finish
step setup-db "$py" "$here/setup_db.py" "$work/admin.conf" sd || finish
cp "$work/sd.sqlite" "$work/web.sqlite"
cp "$work/sd.sqlite" "$work/failopen.sqlite"
cp "$work/sd.sqlite" "$work/purchases.sqlite"

# 2. The three requisitions, then the ledger through the CLI.
step scenario "$py" "$here/scenario.py" "$work/admin.conf" sd || finish
grep -E '^(ok|FAIL)  ' "$artefacts/scenario.log" | sed 's/^/      /' || true
step verify "$cli" verify --config "$root/examples/config.xml" --ledger "$work/scenario-ledger.db" || finish
today=$(date -u +%F)
step export "$cli" export --config "$root/examples/config.xml" --ledger "$work/scenario-ledger.db" \
  --from "$(date -u -d "$today - 1 day" +%F)" --to "$(date -u -d "$today + 1 day" +%F)" \
  --group-by supplier --format json --output "$artefacts/export.json" || finish
step ledger "$py" "$here/check_ledger.py" "$artefacts/export.json" "$artefacts/scenario.log" 3 || true
grep -E '^(ok|FAIL)  ' "$artefacts/ledger.log" | sed 's/^/      /' || true

# Recorded when a purchase is confirmed: a request's purchase, a direct one.
conf "$work/purchases.conf" "$work/purchases-ledger.db"
if step purchases "$py" "$here/scenario.py" "$work/purchases.conf" purchases --purchases; then
  grep -E '^(ok|FAIL)  ' "$artefacts/purchases.log" | sed 's/^/      /' || true
  step purchases-export "$cli" export --config "$root/examples/config.xml" \
    --ledger "$work/purchases-ledger.db" --from "$(date -u -d "$today - 1 day" +%F)" \
    --to "$(date -u -d "$today + 1 day" +%F)" --group-by supplier --format json \
    --output "$artefacts/purchases-export.json" &&
    step purchases-ledger "$py" "$here/check_ledger.py" "$artefacts/purchases-export.json" \
      "$artefacts/purchases.log" 2 || true
  grep -E '^(ok|FAIL)  ' "$artefacts/purchases-ledger.log" 2>/dev/null | sed 's/^/      /' || true
fi

# Without a loadable library Tryton works as without the module.
conf "$work/failopen.conf" "$work/failopen-ledger.db"
sed -i "s|^library = .*|library = $work/libabsent.so|" "$work/failopen.conf"
step fail-open "$py" "$here/scenario.py" "$work/failopen.conf" failopen --fail-open || true
grep -E '^(ok|FAIL)  ' "$artefacts/fail-open.log" | sed 's/^/      /' || true

# 3. The browser check against sao, served by trytond on a free port.
if [ ! -x "$chromium" ] || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIPPED tryton browser check: $chromium, node or npm is not installed (packaging/install-deps.sh)"
  finish
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "SKIPPED tryton browser check: playwright-core needs Node.js 20 or newer, this is $(node --version)"
  finish
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  step npm-ci npm ci --prefix "$here" --no-audit --no-fund || finish
fi
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf "$work/web.conf" "$work/web-ledger.db" "$port"
/usr/bin/trytond -c "$work/web.conf" >"$artefacts/trytond.log" 2>&1 &
trytond_pid=$!
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.5
done
step browser env SD_CHROMIUM="$chromium" node "$here/browser.mjs" "http://127.0.0.1:$port/" web "$artefacts" || true
grep -E '^(ok|FAIL|note)  ' "$artefacts/browser.log" | sed 's/^/      /' || true
# When sao failed, trytond's own log says whether the server raised.
if grep -q '^FAIL' "$artefacts/browser.log" && grep -q -E 'ERROR|Traceback' "$artefacts/trytond.log"; then
  grep -E -A8 'ERROR|Traceback' "$artefacts/trytond.log" | tail -n 30 | sed 's/^/      trytond: /'
fi
echo "tryton: screenshots in $artefacts"
finish
