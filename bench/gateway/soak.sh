#!/usr/bin/env bash
# Soak run of socialdefaultd on loopback: the example ERP fixture, the daemon
# with the example deployment's limits and threads (soak.xml.in), and for
# --minutes a steady mixed load: wrk posting shortlists at --rate a second
# (steady.lua), orders at --order-rate a second from soak_client.py, which
# also sends a misbehaving request every few seconds (garbage, an oversized
# body, malformed XML, a DOCTYPE, a client that sends a byte a second) and
# calls the admin API (metrics, readiness, a reload a minute). Every
# --sample seconds it notes the daemon's RSS, open descriptors, threads, CPU
# and its metrics. At the end: the ledger verified through the admin API,
# SIGTERM and a clean exit, every accepted order in the ledger, no offer
# dropped, and the growth of RSS and descriptors over the second half of the
# run. Prints a Markdown report (and into --output FILE); exits 1 when a
# check fails.
#
# usage: bench/gateway/soak.sh [options]
#   --minutes M         length of the load (default 20)
#   --rate R            shortlists a second (default 300; wrk, 4 connections)
#   --order-rate R      orders a second (default 20)
#   --suppliers N       suppliers per shortlist (default 50)
#   --sample S          seconds between samples (default 30)
#   --build DIR         build tree (default build/release)
#   --socialdefaultd P  the daemon (default DIR/adapters/gateway/socialdefaultd); a sanitizer
#                       build works too (a report in its log fails the run; its RSS is not checked)
#   --rss-growth MIB    most RSS may grow over the second half (default 16)
#   --output FILE       also write the report there
# Needs wrk and curl (bench/gateway/run.sh installs wrk) and /usr/bin/python3.
# Every wait is bounded; everything listens on 127.0.0.1 only.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
minutes=20
rate=300
order_rate=20
suppliers=50
sample=30
build_dir=$root/build/release
sdd=
rss_growth=16
output=
command_line="bench/gateway/soak.sh $*"

die() { echo "soak.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --order-rate) order_rate=$2; shift 2 ;;
    --suppliers) suppliers=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --build) build_dir=$2; shift 2 ;;
    --socialdefaultd) sdd=$2; shift 2 ;;
    --rss-growth) rss_growth=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
for number in "$minutes" "$rate" "$order_rate" "$suppliers" "$sample" "$rss_growth"; do
  [[ $number =~ ^[1-9][0-9]*$ ]] || die "expected a positive whole number, got \"$number\""
done
[ -n "$sdd" ] || sdd=$build_dir/adapters/gateway/socialdefaultd
fixture=$build_dir/tests/fixtures/sd_example_erp
[ -x "$sdd" ] || die "$sdd is not an executable (cmake --build $build_dir --target socialdefaultd)"
[ -x "$fixture" ] || die "$fixture is not an executable (cmake --build $build_dir --target sd_example_erp)"
sdd=$(readlink -f "$sdd")  # the daemon starts in its scratch folder
fixture=$(readlink -f "$fixture")
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk, or run bench/gateway/run.sh once)"
command -v curl >/dev/null || die "curl is missing"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is missing"

bench_name=soak
# shellcheck source=common.sh
. "$here/common.sh"

seconds=$((minutes * 60))
token=soak-admin-token
token_sha=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
connections=4
pause_ms=$(( connections * 1000 / rate ))
[ "$pause_ms" -ge 1 ] || die "--rate $rate is above what $connections paced connections send (1,000 a second each)"

"$fixture" --port 0 --suppliers "$suppliers" --threads 2 >"$work/erp.out" 2>"$work/erp.err" &
started+=("$!")
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/erp.out" && break; sleep 0.1; done
erp_url=$(sed -n 's/^listening on //p' "$work/erp.out")
[ -n "$erp_url" ] || die "the example ERP fixture did not start: $(cat "$work/erp.err")"

mkdir -p "$work/run"
port=$(free_port); admin_port=$(free_port)
gateway_config "$here/soak.xml.in" "$work/run/gateway.xml.tmp" "$port" "$admin_port" "$erp_url" "$work/run"
sed "s|@TOKEN_SHA256@|$token_sha|" "$work/run/gateway.xml.tmp" >"$work/run/gateway.xml"
(cd "$work/run" && exec "$sdd" --config "$work/run/gateway.xml") >"$work/run/daemon.log" 2>&1 &
pid=$!
started+=("$pid")
wait_port "$port" "$pid" || die "socialdefaultd did not start: $(tail -5 "$work/run/daemon.log")"
url=http://127.0.0.1:$port/purchasing
admin=http://127.0.0.1:$admin_port

metric() {  # metric TEXT NAME[{labels}]: the value, or 0 (summed over lines that start with NAME)
  awk -v n="$2" 'index($0, n) == 1 { s += $NF } END { printf "%d", s }' <<<"$1"
}
sample_line() {  # elapsed seconds | rss MiB | anon MiB | hwm MiB | fds | threads | cpu s | offers queued/written/dropped | spool | fail-open
  local metrics status rss anon hwm fds threads ticks
  metrics=$(curl -s -m 10 -H "Authorization: Bearer $token" "$admin/metrics")
  status=/proc/$pid/status
  rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "$status")
  anon=$(awk '/^RssAnon/ { printf "%.1f", $2 / 1024 }' "$status")
  hwm=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "$status")
  fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  threads=$(awk '/^Threads/ { print $2 }' "$status")
  ticks=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
  printf "| %d | %s | %s | %s | %d | %d | %.0f | %d / %d / %d | %d | %d |\n" "$1" "$rss" "$anon" "$hwm" "$fds" "$threads" \
    "$(awk -v t="$ticks" -v h="$clk_tck" 'BEGIN { print t / h }')" \
    "$(metric "$metrics" 'socialdefault_offers_total{result="queued"}')" \
    "$(metric "$metrics" 'socialdefault_offers_total{result="written"}')" \
    "$(metric "$metrics" 'socialdefault_offers_total{result="dropped"}')" \
    "$(metric "$metrics" 'socialdefault_spool_depth')" "$(metric "$metrics" 'socialdefault_fail_open_total')"
}

# A moment of load first, so that the samples start from a daemon that has
# seen every kind of request.
timeout 30 wrk -t1 -c2 -d3s -s "$here/steady.lua" "$url" -- "$request" 10 >/dev/null 2>&1
begin=$(date +%s)
timeout $((seconds + 120)) wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "$here/steady.lua" "$url" \
  -- "$request" "$pause_ms" >"$work/wrk.out" 2>&1 &
wrk_pid=$!
timeout $((seconds + 300)) /usr/bin/python3 "$here/soak_client.py" --url "$url" --admin "$admin" --token "$token" \
  --order-request "$root/examples/erp/order-request.xml" --accepted "$work/accepted.txt" --seconds "$seconds" \
  --order-rate "$order_rate" --max-body 1048576 --request-timeout 5 >"$work/client.json" 2>"$work/client.err" &
client_pid=$!

: >"$work/samples"
alive=yes
while :; do
  now=$(( $(date +%s) - begin ))
  if ! kill -0 "$pid" 2>/dev/null; then alive=no; break; fi
  [ "$now" -lt "$seconds" ] || break
  sample_line "$now" >>"$work/samples"
  sleep "$sample"
done
wait "$wrk_pid"; wait "$client_pid"
# The last sample once the load has stopped.
kill -0 "$pid" 2>/dev/null || alive=no
[ "$alive" = no ] || sample_line $(( $(date +%s) - begin )) >>"$work/samples"

verify=$(curl -s -m 600 -H "Authorization: Bearer $token" "$admin/admin/verify")
exit_code=none
if [ "$alive" = yes ]; then
  kill -TERM "$pid"
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then exit_code="still running 60 s after SIGTERM"; kill -KILL "$pid"; fi
  wait "$pid"; rc=$?
  [ "$exit_code" != none ] || exit_code=$rc
fi

ledger_check=$(/usr/bin/python3 - "$work/run/ledger.db" "$work/accepted.txt" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
recorded = {row[0] for row in db.execute("SELECT correlation_id FROM choices")}
offers = db.execute("SELECT count(*) FROM offers").fetchone()[0]
accepted = [line.strip() for line in open(sys.argv[2]) if line.strip()]
missing = sum(1 for a in accepted if a not in recorded)
print("%d %d %d %d" % (len(accepted), missing, len(recorded), offers))
EOF
) || ledger_check="0 -1 0 0"
read -r accepted missing choices offers_in_ledger <<<"$ledger_check"
wrk_result=$(grep '^RESULT' "$work/wrk.out" || echo "RESULT requests=0")
sanitizer=$(grep -c -E '^(==[0-9]+==ERROR|SUMMARY: (Address|Undefined|Leak)Sanitizer)|runtime error:' "$work/run/daemon.log")

failed=()
[ "$alive" = yes ] || failed+=("the daemon died during the run")
[ "$exit_code" = 0 ] || failed+=("exit after SIGTERM: $exit_code")
grep -q '"intact":true' <<<"$verify" || failed+=("ledger verification: $verify")
[ "$missing" = 0 ] || failed+=("$missing accepted orders are not in the ledger")
[ "$accepted" -gt 0 ] || failed+=("no order was accepted")
[ "$sanitizer" = 0 ] || failed+=("$sanitizer sanitizer reports in the daemon's log")
client_failures=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("counts", {}).get("failures", 0))' \
  "$work/client.json" 2>/dev/null || echo "no report")
[ "$client_failures" = 0 ] || failed+=("soak_client.py: $client_failures failures")
wrk_errors=$(sed -n 's/.* errors=\([0-9]*\) status_errors=\([0-9]*\).*/\1 \2/p' <<<"$wrk_result")
[ "$wrk_errors" = "0 0" ] || failed+=("wrk errors (socket, status): ${wrk_errors:-no result}")
# Growth over the second half: the first sample at or after half the run, and the last.
read -r half_rss half_fds <<<"$(awk -F'|' -v h=$((seconds / 2)) '$2 + 0 >= h { print $3 + 0, $6 + 0; exit }' "$work/samples")"
read -r end_rss end_fds dropped <<<"$(tail -1 "$work/samples" | awk -F'|' '{ split($9, o, "/"); print $3 + 0, $6 + 0, o[3] + 0 }')"
rss_delta=$(awk -v a="${end_rss:-0}" -v b="${half_rss:-0}" 'BEGIN { printf "%.1f", a - b }')
fd_delta=$(( ${end_fds:-0} - ${half_fds:-0} ))
# A sanitizer's quarantine holds freed memory back, so its RSS grows by design;
# leaks are what LeakSanitizer reports at exit.
if grep -qa __asan_init "$sdd"; then
  rss_note=" (not checked: AddressSanitizer's quarantine holds freed memory)"
else
  rss_note=""
  awk -v d="$rss_delta" -v g="$rss_growth" 'BEGIN { exit !(d <= g) }' || failed+=("RSS grew by $rss_delta MiB over the second half")
fi
[ "$fd_delta" -le 8 ] || failed+=("open descriptors grew by $fd_delta over the second half")
[ "${dropped:-0}" = 0 ] || failed+=("$dropped offers dropped")

report() {
  echo "Command: \`$command_line\` ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo "Daemon: ${sdd#"$root"/}; example ERP fixture with $suppliers suppliers; shortlists at $rate/s (wrk, $connections"
  echo "connections, ${pause_ms} ms apart), orders at $order_rate/s, a misbehaving request every 5 s, admin calls every 10 s."
  echo
  echo "| s | RSS MiB | of it anonymous | peak MiB | fds | threads | CPU s | offers queued / written / dropped | spool | fail-open |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  cat "$work/samples"
  echo
  echo "- shortlists: $wrk_result"
  echo "- orders and misbehaviour: $(cat "$work/client.json" 2>/dev/null || echo none)"
  echo "- ledger: $accepted orders accepted, $missing of them missing; $choices choices and $offers_in_ledger offers in the ledger"
  echo "- verify: $verify"
  echo "- exit after SIGTERM: $exit_code; log $(wc -l <"$work/run/daemon.log") lines, $sanitizer sanitizer reports"
  echo "- second half: RSS ${half_rss:-?} → ${end_rss:-?} MiB ($rss_delta)$rss_note, descriptors ${half_fds:-?} → ${end_fds:-?}"
  if [ ${#failed[@]} -eq 0 ]; then
    echo "- **passed**"
  else
    for f in "${failed[@]}"; do echo "- **failed**: $f"; done
    echo
    echo "Last lines of the daemon's log:"
    echo '```'
    tail -20 "$work/run/daemon.log" | cut -c1-300
    echo '```'
  fi
}
report | tee ${output:+"$output"}
[ ${#failed[@]} -eq 0 ]
