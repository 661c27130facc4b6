#!/usr/bin/env bash
# Status changes after an order through `socialdefault record --adapter
# ubl|cxml`: a UBL OrderCancellation and a cXML ConfirmationRequest,
# StatusUpdateRequest and OrderRequest of type delete each change the status
# of an order recorded before; cancelled and rejected orders leave the
# export, an acceptance brings one back; refusals exit 4 and record nothing;
# the ledger stays intact. Usage: standard_status_test.sh <path to socialdefault>
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
orders() {  # the number of orders in November's export
  "$cli" export --from 2026-11-01 --to 2026-11-30 | awk -F, '$1 == "EUR" { n = $2 } END { print n + 0 }'
}
now=2026-11-27T10:00:00Z later=2026-11-28T09:00:00Z

"$cli" record --adapter ubl --now $now --request $ubl/order-kvk-endpoint.xml > /dev/null
"$cli" record --adapter cxml --now $now --request $cxml/order-request-kvk.xml > /dev/null
check "two orders recorded" test "$(orders)" = 2

"$cli" record --adapter ubl --now $later --request $ubl/cancellation.xml > "$work/cancel.out"
check "an OrderCancellation exits 0" test $? -eq 0
check "it records the status cancelled" grep -q "recorded status of order PO-KVK-1: cancelled" "$work/cancel.out"
check "the cancelled order leaves the export" test "$(orders)" = 1

"$cli" record --adapter cxml --now $later --request $cxml/confirmation-reject.xml > "$work/reject.out"
check "a rejecting ConfirmationRequest is recorded" \
  grep -q "recorded status of order PO-CX-1: rejected" "$work/reject.out"
check "the rejected order leaves the export" test "$(orders)" = 0

"$cli" record --adapter cxml --now $later --request $cxml/confirmation-accept.xml > "$work/accept.out"
check "an accepting ConfirmationRequest is recorded" \
  grep -q "recorded status of order PO-CX-1: accepted" "$work/accept.out"
check "the accepted order is back in the export" test "$(orders)" = 1

"$cli" record --adapter cxml --now $later --request $cxml/status-update-cancelled.xml > "$work/update.out"
check "a StatusUpdateRequest is recorded" grep -q "recorded status of order PO-CX-1: cancelled" "$work/update.out"
check "the order it cancels leaves the export" test "$(orders)" = 0

"$cli" record --adapter cxml --now $later --request $cxml/order-request-delete.xml > "$work/delete.out"
check "an OrderRequest of type delete records a cancellation" \
  grep -q "recorded status of order PO-CX-1: cancelled" "$work/delete.out"

"$cli" record --adapter cxml --now $later --request $cxml/confirmation-request-to-pay.xml > /dev/null 2> "$work/pay.err"
check "a requestToPay confirmation exits 4" test $? -eq 4
check "the refusal says why" grep -q 'ConfirmationHeader type "requestToPay" does not say whether' "$work/pay.err"
check "no SharedSecret in the refusal" bash -c "! grep -q Geheim-Leverancier-5520 '$work/pay.err'"

"$cli" record --adapter ubl --now $later --request $ubl/cancellation-two-orders.xml > /dev/null 2> "$work/two.err"
check "a cancellation of two orders exits 4" test $? -eq 4
check "the refusal names the count" grep -q "the OrderCancellation names 2 orders" "$work/two.err"

"$cli" record --adapter cxml --now $later --request $cxml/order-request-update.xml > "$work/change.out"
check "a change order is recorded as a new version" grep -q "version 1 of order PO-CX-1" "$work/change.out"

"$cli" verify > "$work/verify.json"
check "the ledger is intact" grep -q '"intact":true' "$work/verify.json"

echo "$passed passed, $failed failed"
test "$failed" -eq 0
