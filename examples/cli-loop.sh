#!/usr/bin/env bash
# The whole loop through the command line: installs what is missing, builds, and runs the whole loop on
# the example files with the embedded SQLite ledger and the example
# configuration: the ERP's shortlist is rewritten, the order's choice is
# recorded durably, and the MVI export shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "${SD_JOBS:-2}" --target socialdefault_cli >/dev/null

cli=build/release/adapters/cli/socialdefault
work=${SD_RUN_DIR:-build/run}
mkdir -p "$work"
export SD_CONFIG=examples/config.xml SD_MAPPING=examples/erp/mapping.xml SD_LEDGER=$work/ledger.db

echo "== 1. configuration"
"$cli" check-config

echo
echo "== 2. the ERP's shortlist response, rewritten (examples/erp/shortlist-response.xml)"
"$cli" rewrite --request examples/erp/shortlist-request.xml --decision "$work/decision.json" \
  < examples/erp/shortlist-response.xml
echo
echo "-- decision: $(cat "$work/decision.json")"

echo
echo "== 3. the order is placed and accepted: the choice is recorded"
"$cli" record --request examples/erp/order-request.xml --response examples/erp/order-response.xml

today=$(date +%F)
month_start=$(date +%Y-%m-01)
echo
echo "== 4. MVI export $month_start..$today by department and category (CSV)"
"$cli" export --from "$month_start" --to "$today" --group-by department,category --format csv
echo
echo "== 5. the same as JSON, by supplier"
"$cli" export --from "$month_start" --to "$today" --group-by supplier --format json
echo
echo "== 6. ledger verification"
"$cli" verify
echo
echo "Ledger: $SD_LEDGER (run again to add another offer and order)"
