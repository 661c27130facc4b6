#!/usr/bin/env bash
# Changed orders, payloadID statuses and PunchOut forms through `socialdefault
# record --adapter ubl|cxml`: a UBL OrderChange and a cXML change order
# replace their order's figures in the export (a repeated change does not
# count twice), a StatusUpdateRequest naming the order only by payloadID
# finds it, a PunchOut cart posted as a form (urlencoded or base64) is
# recorded like the gateway records it, a malformed form or change exits 4
# and records nothing, and the ledger stays intact.
# Usage: standard_versions_test.sh <path to socialdefault>
set -uo pipefail
cli=$(realpath "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SD_CONFIG=examples/config.xml SD_LEDGER=$work/ledger.db
ubl=tests/adapters/ubl/fixtures cxml=tests/adapters/cxml/fixtures

passed=0 failed=0
check() {  # check "what" command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}
totals() {  # "orders,spend" of November's export
  "$cli" export --from 2026-11-01 --to 2026-11-30 | awk -F, '$1 == "EUR" { print $2 "," $3 }'
}
now=2026-11-27T10:00:00Z later=2026-11-28T09:00:00Z

"$cli" record --adapter ubl --now $now --request $ubl/order-kvk-endpoint.xml > /dev/null
check "the UBL order is counted" test "$(totals)" = "1,42.50"
"$cli" record --adapter ubl --now $later --request $ubl/order-change.xml > "$work/change.out"
check "an OrderChange exits 0" test $? -eq 0
check "it is recorded as version 1 of the order" grep -q ", version 1 of order PO-KVK-1$" "$work/change.out"
check "its lines replace the order's" test "$(totals)" = "2,100.00"
"$cli" record --adapter ubl --now $later --request $ubl/order-change.xml > /dev/null
check "the same change again counts once" test "$(totals)" = "2,100.00"
"$cli" record --adapter ubl --now $later --request $ubl/order-change-bad-sequence.xml > /dev/null 2> "$work/bad.err"
check "a change without a sequence number exits 4" test $? -eq 4
check "the refusal names the field" grep -q "<cbc:SequenceNumberID> is \"first\"" "$work/bad.err"
check "and records nothing" test "$(totals)" = "2,100.00"

"$cli" record --adapter cxml --now $now --request $cxml/order-request-kvk.xml > /dev/null
"$cli" record --adapter cxml --now $later --request $cxml/order-request-update.xml > "$work/update.out"
check "a cXML change order is recorded as a version" grep -q ", version 1 of order PO-CX-1$" "$work/update.out"
check "the change order's amount replaces the order's" test "$(totals)" = "3,152.50"

sed 's/code="200"/code="406"/' $cxml/status-update-payload-only.xml > "$work/rejected.xml"
"$cli" record --adapter cxml --now $later --request "$work/rejected.xml" > "$work/status.out"
check "a StatusUpdateRequest named by payloadID is recorded" \
  grep -q 'recorded status of order PO-CX-1 (document "1764240000.1@voorbeeldstad.example"): rejected' "$work/status.out"
check "it rejects the order it names" test "$(totals)" = "2,100.00"
"$cli" record --adapter cxml --now $later --request $cxml/status-update-unknown-payload.xml > /dev/null 2> "$work/unknown.err"
check "an unknown payloadID exits 4" test $? -eq 4
check "the refusal names it" grep -q 'no recorded order came in the document "never-sent@voorbeeldstad.example"' "$work/unknown.err"

for form in urlencoded base64; do
  "$cli" record --adapter cxml --now $now --request $cxml/punchout-form-$form.form > "$work/$form.out"
  check "a PunchOut form ($form) exits 0" test $? -eq 0
  check "its cart is recorded" grep -q "^recorded SESSION-8842 line 1: " "$work/$form.out"
done
"$cli" record --adapter cxml --now $now --request $cxml/punchout-form-bad-escape.form > /dev/null 2> "$work/form.err"
check "a malformed form exits 4" test $? -eq 4
check "the refusal names the escape" grep -q 'the form field cxml-urlencoded has a malformed percent escape "%ZZ"' "$work/form.err"
printf 'session=42&submit=Bestellen' > "$work/not-a-cart.form"
"$cli" record --adapter cxml --now $now --request "$work/not-a-cart.form" > /dev/null 2> "$work/nocart.err"
check "a form without a cart exits 4" test $? -eq 4
check "the refusal says it is no cart" grep -q "the request is neither XML nor a PunchOut form" "$work/nocart.err"

"$cli" verify > "$work/verify.json"
check "the ledger is intact" grep -q '"intact":true' "$work/verify.json"

echo "$passed passed, $failed failed"
test "$failed" -eq 0
