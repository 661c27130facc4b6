#!/usr/bin/env bash
# Where socialdefaultd's CPU goes, per thread: the example ERP fixture with N
# suppliers, socialdefaultd with bench/gateway/gateway.xml.in in front of it,
# and wrk posting the GetSupplierShortlist request; for each thread of the
# daemon that used CPU, utime+stime over the measured seconds divided by the
# requests (clock ticks, so figures below about 1 µs/request are noise).
# Several binaries run in turn, round after round, so that a machine whose
# speed drifts treats them alike; the summary gives each one's range and
# median of the total CPU per request.
#
# usage: bench/gateway/threads.sh [options] [SOCIALDEFAULTD...]
#   SOCIALDEFAULTD...     daemons to measure in turn (default build/release/adapters/gateway/socialdefaultd)
#   --rounds N            rounds over all daemons (default 1)
#   --seconds S           seconds measured per run, after 2 s of warm-up (default 10)
#   --suppliers N         shortlist size (default 50)
#   --connections C       wrk connections (default 16; one wrk thread)
#   --fixture PATH        sd_example_erp binary (default build/release/tests/fixtures/sd_example_erp)
#   --perf FILE           also record `perf record -e cpu-clock -g` of the daemon into FILE (last run wins)
# Needs wrk (bench/gateway/run.sh installs it); every wait is bounded; loopback only.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=1
seconds=10
suppliers=50
connections=16
fixture=$root/build/release/tests/fixtures/sd_example_erp
perf_file=
daemons=()

die() { echo "threads.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --suppliers) suppliers=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --fixture) fixture=$2; shift 2 ;;
    --perf) perf_file=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) daemons+=("$1"); shift ;;
  esac
done
for number in "$rounds" "$seconds" "$suppliers" "$connections"; do
  [[ $number =~ ^[1-9][0-9]*$ ]] || die "expected a positive whole number, got \"$number\""
done
[ ${#daemons[@]} -gt 0 ] || daemons=("$root/build/release/adapters/gateway/socialdefaultd")
for i in "${!daemons[@]}"; do
  [ -x "${daemons[$i]}" ] || die "${daemons[$i]} is not an executable"
  daemons[$i]=$(readlink -f "${daemons[$i]}")  # each run starts in its own scratch folder
done
[ -x "$fixture" ] || die "$fixture is not an executable (cmake --build build/release --target sd_example_erp)"
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk, or run bench/gateway/run.sh once)"
[ -z "$perf_file" ] || command -v perf >/dev/null || die "perf is missing"

bench_name=threads
# shellcheck source=common.sh
. "$here/common.sh"
threads() {  # threads PID: "TID NAME TICKS" per thread
  for t in /proc/"$1"/task/*; do
    echo "${t##*/} $(tr ' ' '_' <"$t/comm") $(sed 's/^.*) //' "$t/stat" | awk '{ print $12 + $13 }')"
  done
}

"$fixture" --port 0 --suppliers "$suppliers" --threads 1 >"$work/erp.out" 2>"$work/erp.err" &
erp_pid=$!
started+=("$erp_pid")
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/erp.out" && break; sleep 0.1; done
erp_url=$(sed -n 's/^listening on //p' "$work/erp.out")
[ -n "$erp_url" ] || die "the example ERP fixture did not start: $(cat "$work/erp.err")"

# run DAEMON: one measurement; prints the per-thread lines and "total X"
run() {
  local dir=$work/run port admin pid
  rm -rf "$dir"; mkdir -p "$dir"
  port=$(free_port); admin=$(free_port)
  gateway_config "$here/gateway.xml.in" "$dir/gateway.xml" "$port" "$admin" "$erp_url" "$dir"
  (cd "$dir" && exec "$1" --config "$dir/gateway.xml") >"$dir/log" 2>&1 &
  pid=$!
  started+=("$pid")
  wait_port "$port" "$pid" || { echo "socialdefaultd did not start: $(tail -3 "$dir/log")" >&2; return 1; }
  local url=http://127.0.0.1:$port/erp/purchasing
  timeout 40 wrk -t1 -c"$connections" -d2s --timeout 10s -s "$here/post.lua" "$url" -- "$request" >/dev/null 2>&1
  threads "$pid" >"$dir/before"
  local perf_pid=
  if [ -n "$perf_file" ]; then
    perf record -e cpu-clock -F 4000 -g -p "$pid" -o "$perf_file" -- sleep "$seconds" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  timeout $((seconds + 60)) wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "$here/post.lua" "$url" \
    -- "$request" >"$dir/wrk.out" 2>&1
  [ -z "$perf_pid" ] || wait "$perf_pid"
  threads "$pid" >"$dir/after"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  local requests
  requests=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' "$dir/wrk.out")
  [ -n "$requests" ] && [ "$requests" -gt 0 ] || { echo "wrk failed: $(tail -3 "$dir/wrk.out")" >&2; return 1; }
  join <(sort "$dir/before") <(sort "$dir/after") | awk -v r="$requests" -v hz="$clk_tck" '
    { d = $5 - $3; if (d > 0) printf "  thread %s (%s): %.1f us/request\n", $1, $2, d * 1e6 / hz / r; total += d }
    END { printf "total %.1f\n", total * 1e6 / hz / r }'
  echo "  requests $requests in ${seconds} s"
}

: >"$work/totals"
for round in $(seq 1 "$rounds"); do
  for d in "${daemons[@]}"; do
    echo "round $round: ${d#"$root"/}"
    out=$(run "$d") || continue
    echo "$out" | grep -v '^total '
    echo "  total $(echo "$out" | sed -n 's/^total //p') us/request"
    echo "$d $(echo "$out" | sed -n 's/^total //p')" >>"$work/totals"
  done
done
echo
echo "total CPU µs per request (utime+stime of every thread / requests; $suppliers suppliers, wrk -c$connections, ${seconds} s per run):"
for d in "${daemons[@]}"; do
  grep -F "$d " "$work/totals" | awk '{ print $2 }' | sort -n | awk -v d="${d#"$root"/}" '
    { v[NR] = $1 } END { if (NR == 0) { print "  " d ": no run"; exit }
      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "  %s: %.1f to %.1f, median %.1f (%d runs)\n", d, v[1], v[NR], m, NR }'
done
