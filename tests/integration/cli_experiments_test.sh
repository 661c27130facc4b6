#!/usr/bin/env bash
# `socialdefault experiments` and `socialdefault simulate` on the example
# configuration (experiment catering-2027): the report in three formats, a
# simulation that recovers its effects, and the refusals.
# Usage: cli_experiments_test.sh <path to socialdefault>
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

"$cli" simulate --ledger "$work/sim.db" --experiment catering-2027 --requesters 800 --orders 2 \
  --base-share 30 --effect default=10,impact=20 --seed 11 > "$work/sim.csv" 2> "$work/sim.err"
check "simulate exits 0" test $? -eq 0
check "simulate reports four arms" test "$(grep -c '^catering-2027,' "$work/sim.csv")" -eq 4
check "simulate recovers every effect" test "$(grep -c ': recovered$' "$work/sim.err")" -eq 3
check "simulate says how many orders" grep -q '^simulate: 1600 synthetic orders in ' "$work/sim.err"

"$cli" simulate --ledger "$work/sim.db" --experiment catering-2027 > /dev/null 2> "$work/again.err"
check "simulate refuses an existing ledger (exit 1)" test $? -eq 1
check "and says why" grep -q 'the ledger exists; simulate writes synthetic orders and needs a new ledger file' "$work/again.err"

for format in csv xml json; do
  "$cli" experiments --ledger "$work/sim.db" --format $format --output "$work/report.$format"
  check "experiments --format $format exits 0" test $? -eq 0
done
check "the CSV report equals the simulation's" cmp -s "$work/sim.csv" "$work/report.csv"
check "the XML report follows its schema" xmllint --noout --schema schemas/experiment-report.xsd "$work/report.xml"
check "the JSON report parses" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['experiments'][0]['arms'])==4" "$work/report.json"

"$cli" experiments --ledger "$work/sim.db" --experiment nope > /dev/null 2> "$work/nope.err"
check "an unknown experiment exits 5" test $? -eq 5
check "and names it" grep -q 'experiment "nope" is not in the configuration' "$work/nope.err"
"$cli" experiments --ledger "$work/sim.db" --format pdf > /dev/null 2>&1
check "an unknown format is a usage error" test $? -eq 1

echo "cli_experiments: $passed passed, $failed failed"
test "$failed" -eq 0
