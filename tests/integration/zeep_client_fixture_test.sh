#!/usr/bin/env bash
# Runs the zeep SOAP client (zeep_client_test.py) straight against the example
# ERP test fixture. Usage: zeep_client_fixture_test.sh FIXTURE_BINARY SOURCE_DIR
# Exit 77 (skipped, with the reason) when python3-zeep or the example WSDL is absent.
set -u
fixture=${1:?usage: zeep_client_fixture_test.sh FIXTURE_BINARY SOURCE_DIR}
source_dir=${2:?usage: zeep_client_fixture_test.sh FIXTURE_BINARY SOURCE_DIR}
python=/usr/bin/python3  # Debian's python3-zeep is installed for this one
wsdl=$source_dir/examples/erp/purchasing.wsdl

if ! "$python" -c 'import zeep' 2>/dev/null; then
  echo "SKIPPED: python3-zeep is not installed for $python (apt-get install -y python3-zeep)"
  exit 77
fi
if [ ! -f "$wsdl" ]; then
  echo "SKIPPED: the example WSDL examples/erp/purchasing.wsdl is not in this tree"
  exit 77
fi

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$fixture" --port 0 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 100); do  # at most 10 s
  grep -q '^listening on ' "$work/out" && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/out")
if [ -z "$url" ]; then
  echo "the example ERP fixture did not start:"
  cat "$work/err"
  exit 1
fi
timeout 120 "$python" "$source_dir/tests/integration/zeep_client_test.py" --wsdl "$wsdl" --address "$url"
