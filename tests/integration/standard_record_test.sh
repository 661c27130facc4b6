#!/usr/bin/env bash
# `socialdefault record --adapter ubl|cxml` on the adapters' own fixtures:
# a UBL order and a cXML order recorded against the example configuration,
# a later UBL OrderResponse that rejects the UBL order, which the export then
# leaves out, a hostile document refused with nothing recorded, and an
# intact ledger. Usage: standard_record_test.sh <path to socialdefault>
set -uo pipefail
cli=$(realpath "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SD_CONFIG=examples/config.xml SD_MAPPING=examples/erp/mapping.xml SD_LEDGER=$work/ledger.db
ubl=tests/adapters/ubl/fixtures cxml=tests/adapters/cxml/fixtures

passed=0 failed=0
check() {  # check "what" command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}
now=2026-11-27T10:00:00Z

"$cli" record --adapter ubl --now $now --request $ubl/order-kvk-endpoint.xml > "$work/ubl.out"
check "record --adapter ubl exits 0" test $? -eq 0
check "the UBL order's supplier is found by its KvK number" grep -q "line 1: BLOEM-01 (social" "$work/ubl.out"

"$cli" record --adapter cxml --now $now --request $cxml/order-request-kvk.xml > "$work/cxml.out"
check "record --adapter cxml exits 0" test $? -eq 0
check "the cXML order's supplier is found by its KvK credential" grep -q "line 1: BLOEM-01 (social" "$work/cxml.out"

"$cli" record --adapter cxml --now $now --request $cxml/order-request-unknown.xml > "$work/unknown.out"
check "an unknown supplier is recorded with its identifiers" \
  grep -q "line 1: duns:999999999;cxml-networkid:AN09999999999 (regular" "$work/unknown.out"

"$cli" record --adapter ubl --now $now --request $ubl/hostile-billion-laughs.xml > /dev/null 2> "$work/hostile.err"
check "a hostile document exits 4" test $? -eq 4
check "the refusal names the DOCTYPE" grep -q "a DOCTYPE is not allowed in a UBL document" "$work/hostile.err"

"$cli" export --from 2026-11-01 --to 2026-11-30 > "$work/before.csv"
check "three orders before the rejection" grep -q "^EUR,3," "$work/before.csv"

"$cli" record --adapter ubl --now 2026-11-28T09:00:00Z --request $ubl/response-rejected.xml > "$work/status.out"
check "an OrderResponse on its own records a status" \
  grep -q "recorded status of order PO-KVK-1: rejected" "$work/status.out"
"$cli" export --from 2026-11-01 --to 2026-11-30 > "$work/after.csv"
check "the rejected order is left out of the export" grep -q "^EUR,2," "$work/after.csv"

"$cli" record --adapter ubl --mapping examples/erp/mapping.xml --request $ubl/order-vat.xml > /dev/null 2> "$work/mapping.err"
check "the ubl adapter refuses a mapping" grep -q "the ubl adapter takes no mapping" "$work/mapping.err"

"$cli" verify > "$work/verify.json"
check "the ledger is intact" grep -q '"intact":true' "$work/verify.json"

echo "$passed passed, $failed failed"
test "$failed" -eq 0
