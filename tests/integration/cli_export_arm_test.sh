#!/usr/bin/env bash
# `socialdefault export --group-by arm` after a simulated experiment on the
# example configuration (catering-2027): one row per arm with the orders the
# experiment report gives it, in CSV, XML (valid against its schema) and JSON;
# an unknown key is a usage error that names the keys.
# Usage: cli_export_arm_test.sh <path to socialdefault>
set -uo pipefail
cli=$(realpath "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SD_CONFIG=examples/config.xml SD_MAPPING=examples/erp/mapping.xml

passed=0 failed=0
check() {  # check "what" command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}

"$cli" simulate --ledger "$work/sim.db" --experiment catering-2027 --requesters 100 --orders 2 \
  --base-share 30 --effect impact=20 --seed 3 > "$work/report.csv" 2> /dev/null
check "simulate exits 0" test $? -eq 0

period=(--from 2027-01-01 --to 2027-06-30)
for format in csv xml json; do
  "$cli" export --ledger "$work/sim.db" "${period[@]}" --group-by arm --format $format --output "$work/arm.$format"
  check "export --group-by arm --format $format exits 0" test $? -eq 0
done

# arm,orders,social_orders of the report (columns 9, 12, 13) and of the export (1, 3, 5).
tail -n +2 "$work/report.csv" | awk -F, '{print $1 "/" $9 "," $12 "," $13}' | sort > "$work/report.arms"
tail -n +2 "$work/arm.csv" | tr -d '\r' | awk -F, '{print $1 "," $3 "," $5}' | sort > "$work/export.arms"
check "the report has four arms" test "$(wc -l < "$work/report.arms")" -eq 4
check "the CSV export has the report's orders per arm" diff "$work/report.arms" "$work/export.arms"
check "the CSV header starts with arm" grep -q '^arm,currency,orders,' "$work/arm.csv"
check "the XML export follows its schema" xmllint --noout --schema schemas/audit-export.xsd "$work/arm.xml"
check "the XML export keys rows by arm" grep -q '<key name="arm">catering-2027/impact</key>' "$work/arm.xml"
check "the JSON export has the report's orders per arm" python3 -c "
import json, sys
rows = json.load(open(sys.argv[1]))['rows']
got = sorted('%s,%d,%d' % (r['arm'], r['orders'], r['social_orders']) for r in rows)
assert got == open(sys.argv[2]).read().split(), (got, open(sys.argv[2]).read())
" "$work/arm.json" "$work/report.arms"

"$cli" export --ledger "$work/sim.db" "${period[@]}" --group-by arm,month,department > "$work/combined.csv"
check "arm combines with month and department" grep -q '^arm,month,department,currency,' "$work/combined.csv"
check "and gives the simulated department per arm and month" grep -q '^catering-2027/control,2027-01,Simulatie,EUR,' "$work/combined.csv"

"$cli" export --ledger "$work/sim.db" "${period[@]}" --group-by arms > /dev/null 2> "$work/bad.err"
check "an unknown key is a usage error (exit 1)" test $? -eq 1
check "that names the keys" grep -q 'group-by "arms" is not one of department, category, supplier, month, quarter, arm' "$work/bad.err"

echo "cli_export_arm: $passed passed, $failed failed"
test "$failed" -eq 0
