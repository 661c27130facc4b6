#!/usr/bin/env bash
# The main job: installs what is missing, builds, and starts everything on the
# example deployment: the example ERP (a test fixture that plays the ERP's
# purchasing service on loopback), and in front of it the gateway
# socialdefaultd with the embedded SQLite ledger and the example
# configuration. Ctrl-C (or SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")"
packaging/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "${SD_JOBS:-2}" --target socialdefaultd sd_example_erp socialdefault_cli >/dev/null

erp_bin=build/release/tests/fixtures/sd_example_erp
gateway_bin=build/release/adapters/gateway/socialdefaultd
"$gateway_bin" --config examples/gateway.xml --check

"$erp_bin" --port 8091 > build/example-erp.log 2>&1 &
erp=$!
"$gateway_bin" --config examples/gateway.xml &
gateway=$!
trap 'kill -TERM $gateway $erp 2>/dev/null; wait $gateway $erp 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 50); do
  curl -fsS -o /dev/null http://127.0.0.1:8099/healthz 2>/dev/null && break
  sleep 0.1
done

cat >&2 <<'TXT'

socialdefault is running.
  Send the ordering screen's SOAP calls to:  http://127.0.0.1:8090/purchasing
  (the example ERP behind it listens on http://127.0.0.1:8091/purchasing)
  Admin API (token example-admin-token-replace-me): http://127.0.0.1:8099/metrics

Try it:
  curl -s -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "urn:example:erp:purchasing:1#GetSupplierShortlist"' --data-binary @examples/erp/shortlist-request.xml http://127.0.0.1:8090/purchasing

Press Ctrl-C to stop.
TXT
wait $gateway
