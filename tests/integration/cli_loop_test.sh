#!/usr/bin/env bash
# The whole loop through the `socialdefault` command on the example files:
# check-config, rewrite (the social default preselected and first, every
# supplier kept), record, export in three formats, verify, and a tampered
# ledger row found by verify. Usage: cli_loop_test.sh <path to socialdefault>
set -uo pipefail
cli=$(realpath "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SD_CONFIG=examples/config.xml SD_MAPPING=examples/erp/mapping.xml SD_LEDGER=$work/ledger.db

passed=0 failed=0
check() {  # check "what" command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}
# The text of every mapped element, by local name, in document order.
values() { xmllint --xpath "//*[local-name()='$2']/text()" "$1" 2>/dev/null | tr -s ' \n' '\n\n'; }

check "check-config accepts the example" "$cli" check-config

now=2026-11-27T10:00:00Z
"$cli" rewrite --now $now --request examples/erp/shortlist-request.xml --decision "$work/decision.json" \
  < examples/erp/shortlist-response.xml > "$work/rewritten.xml" 2> "$work/rewrite.err"
check "rewrite exits 0" test $? -eq 0
check "rewrite says nothing on stderr" test ! -s "$work/rewrite.err"
check "the rewritten message is well-formed" xmllint --noout "$work/rewritten.xml"
first=$(values "$work/rewritten.xml" SupplierId | head -n1)
check "a social supplier comes first (got $first)" grep -qE '^BLOEM-0[123]$' <<< "$first"
check "the decision names the same default" grep -q "\"default_supplier\":\"$first\"" "$work/decision.json"
pre=$(values "$work/rewritten.xml" Preselected | tr '\n' ' ')
check "exactly the first supplier is preselected ($pre)" grep -qE '^true( false)+ ?$' <<< "$pre"
for id in $(values examples/erp/shortlist-response.xml SupplierId); do
  check "supplier $id is still in the list" grep -q ">$id<" "$work/rewritten.xml"
done
check "the requester's raw id is not in the decision" bash -c "! grep -q 'requester\"' '$work/decision.json'"

# A message the mapping does not describe goes through byte for byte.
"$cli" rewrite --now $now < examples/erp/order-response.xml > "$work/passthrough.xml" 2>/dev/null
check "an unrelated message passes through unchanged" cmp -s examples/erp/order-response.xml "$work/passthrough.xml"
printf 'not xml at all' | "$cli" rewrite --now $now > "$work/junk.out" 2> "$work/junk.err"
check "junk fails open with exit 0" test $? -eq 0
check "junk comes back unchanged" test "$(cat "$work/junk.out")" = "not xml at all"
check "failing open says why" grep -q "unchanged" "$work/junk.err"

"$cli" record --now 2026-11-27T10:05:00Z --request examples/erp/order-request.xml \
  --response examples/erp/order-response.xml > "$work/record.out"
check "record exits 0" test $? -eq 0
check "record reports the choice" grep -q "recorded" "$work/record.out"

"$cli" record --now 2026-11-27T10:06:00Z --request examples/erp/order-request.xml \
  --response examples/erp/order-response-fault.xml > "$work/fault.out"
check "a Fault answer records nothing" grep -q "nothing recorded" "$work/fault.out"

for format in csv xml json; do
  "$cli" export --from 2026-11-01 --to 2026-11-30 --group-by department,category,supplier --format $format \
    --output "$work/export.$format"
  check "export $format exits 0" test $? -eq 0
  check "export $format shows the chosen supplier" grep -q "BLOEM-02" "$work/export.$format"
done
check "the CSV has a header and one row" test "$(wc -l < "$work/export.csv")" -eq 2
check "the XML export is valid" xmllint --noout --schema schemas/audit-export.xsd "$work/export.xml"
check "the JSON export parses" /usr/bin/python3 -m json.tool "$work/export.json" > /dev/null
"$cli" export --from 2026-12-01 --to 2026-12-31 --format csv --output "$work/empty.csv"
check "another period has no rows" test "$(wc -l < "$work/empty.csv")" -eq 1

"$cli" verify > "$work/verify.out"
check "verify finds the ledger intact" test $? -eq 0
check "verify says intact" grep -q '"intact":true' "$work/verify.out"

sqlite3 "$SD_LEDGER" "UPDATE choices SET department = 'Elders' WHERE rowid = (SELECT min(rowid) FROM choices);"
"$cli" verify > "$work/tampered.out" 2>&1
check "verify exits 3 on a tampered row" test $? -eq 3
check "verify names the choices table" grep -q 'choices' "$work/tampered.out"

printf '<configuration xmlns="urn:socialdefault:config:1">\n  <bogus/>\n</configuration>\n' > "$work/bad.xml"
"$cli" check-config --config "$work/bad.xml" 2> "$work/bad.err"
check "a bad configuration exits 2" test $? -eq 2
check "the error names the file and line" grep -q "bad.xml:[0-9]" "$work/bad.err"

"$cli" export --from 2026-11-01 > /dev/null 2>&1
check "a missing option is a usage error" test $? -eq 1
"$cli" verify --ledgr x > /dev/null 2>&1
check "an unknown option is a usage error" test $? -eq 1
SD_MAPPING= "$cli" verify > /dev/null 2>&1
check "verify runs without a mapping (and still finds the tampered row)" test $? -eq 3
SD_MAPPING= "$cli" rewrite < examples/erp/shortlist-response.xml > /dev/null 2> "$work/nomap.err"
check "rewrite without a mapping is a usage error" test $? -eq 1
check "it says the mapping is required" grep -q "^socialdefault: --mapping is required for rewrite (the ERP's SOAP mapping)" "$work/nomap.err"
SD_LEDGER= "$cli" export --from 2026-11-01 --to 2026-11-30 > /dev/null 2> "$work/noledger.err"
check "export without a ledger says what is required" grep -q "^socialdefault: --config and --ledger are required for export" "$work/noledger.err"

echo "$passed passed, $failed failed"
test "$failed" -eq 0
