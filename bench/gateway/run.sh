#!/usr/bin/env bash
# Gateway load benchmark on loopback, side by side in one run: the example ERP
# test fixture alone (direct), nginx as a plain reverse proxy, nginx with its
# XSLT filter doing socialdefault's rewrite (shortlist_gateway.xsl), and
# socialdefaultd when its binary exists. Each proxy runs one worker (nginx:
# master_process off, so one process does all the work). wrk posts the
# GetSupplierShortlist request (shortlist_request.xml, via post.lua) at each
# shortlist size; for every target: req/s, p50 and p99 latency, and CPU time
# per request of the proxy process (utime+stime from /proc/PID/stat before and
# after, divided by the requests); then the same at a paced, equal load for
# every target (--paced). Then RSS of socialdefaultd (and of nginx,
# for comparison) holding 1,000 idle keep-alive connections. Prints a Markdown
# report on stdout (and into --output FILE).
#
# usage: bench/gateway/run.sh [options]
#   --sizes "10 50 500"     suppliers per shortlist (example ERP --suppliers N)
#   --duration S            seconds measured per target and size (default 10)
#   --warmup S              seconds of unmeasured load before each (default 15: a new
#                           socialdefaultd's ledger writer fills its 32 MB SQLite page cache in
#                           its first seconds under this load, and each page is a page fault;
#                           at 50 suppliers none are left after 15 s. The figures are a
#                           running gateway's, not its first seconds')
#   --connections C         wrk connections (default 16; one wrk thread)
#   --paced R               also measure each target at about R requests a second offered
#                           (default 2000; 0: skip): 40 connections, each waiting 40000/R ms
#                           between an answer and its next request (steady.lua), so the
#                           latencies compare at the same load rather than at each one's limit
#   --idle N                idle keep-alive connections for the RSS figure (default 1000; 0: skip)
#   --build DIR             build tree (default build/release; the fixture is built there)
#   --fixture PATH          sd_example_erp binary (default DIR/tests/fixtures/sd_example_erp)
#   --socialdefaultd PATH   gateway binary (default DIR/adapters/gateway/socialdefaultd, built
#                           there when the tree has adapters/gateway/)
#   --gateway-config FILE   its configuration TEMPLATE (default bench/gateway/gateway.xml.in if
#                           present); these placeholders are replaced: @LISTEN_PORT@ @ADMIN_PORT@
#                           @ERP_URL@ (the fixture's URL) @WORK_DIR@ (a scratch dir) @SOURCE_DIR@
#   --gateway-args "ARGS"   socialdefaultd arguments; @CONFIG@ is the filled-in config
#                           (default "--config @CONFIG@")
#   --gateway-path PATH     the route the gateway serves (default /erp/purchasing)
#   --output FILE           also write the report there
# Installs nginx, libnginx-mod-http-xslt-filter and wrk with apt-get when missing (as root).
# Every wait is bounded; everything listens on 127.0.0.1 only.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sizes="10 50 500"
duration=10
warmup=15
connections=16
paced=2000
paced_connections=40
idle=1000
build_dir=$root/build/release
fixture=
sdd=
gateway_config=
gateway_args="--config @CONFIG@"
gateway_path=/erp/purchasing
output=
command_line="bench/gateway/run.sh $*"

die() { echo "run.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --paced) paced=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --build) build_dir=$2; shift 2 ;;
    --fixture) fixture=$2; shift 2 ;;
    --socialdefaultd) sdd=$2; shift 2 ;;
    --gateway-config) gateway_config=$2; shift 2 ;;
    --gateway-args) gateway_args=$2; shift 2 ;;
    --gateway-path) gateway_path=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
for number in "$duration" "$warmup" "$connections" "$paced" "$idle" $sizes; do
  [[ $number =~ ^[0-9]+$ ]] || die "\"$number\": expected a whole number"
done

log() { echo "# $*" >&2; }

# --- what the run needs ------------------------------------------------------
xslt_module=/usr/lib/nginx/modules/ngx_http_xslt_filter_module.so
missing=()
command -v nginx >/dev/null || missing+=(nginx)
[ -f "$xslt_module" ] || missing+=(libnginx-mod-http-xslt-filter)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run as root or apt-get install -y ${missing[*]}"
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
fi

# The fixture is (re)built unless given: a stale one would measure old code.
if [ -z "$fixture" ]; then
  fixture=$build_dir/tests/fixtures/sd_example_erp
  log "building the example ERP fixture in ${build_dir#"$root"/}"
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    # The tree's own preset when it is the preset's folder; otherwise a plain optimised build.
    if [ "$build_dir" = "$root/build/release" ]; then
      (cd "$root" && cmake --preset release >&2) || die "cannot configure $build_dir"
    else
      cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSD_BUILD_BENCH=OFF >&2 \
        || die "cannot configure $build_dir"
    fi
  fi
  cmake --build "$build_dir" -j1 --target sd_example_erp >&2 || die "cannot build sd_example_erp"
fi

sdd_note=
# Likewise the gateway, when this tree has it and no binary was given.
if [ -z "$sdd" ] && [ -f "$root/adapters/gateway/CMakeLists.txt" ] && [ -f "$build_dir/CMakeCache.txt" ]; then
  log "building socialdefaultd in ${build_dir#"$root"/}"
  cmake --build "$build_dir" -j1 --target socialdefaultd >&2 || log "cannot build socialdefaultd"
fi
if [ -z "$sdd" ] && [ -x "$build_dir/adapters/gateway/socialdefaultd" ]; then
  sdd=$build_dir/adapters/gateway/socialdefaultd
fi
if [ -z "$gateway_config" ] && [ -f "$here/gateway.xml.in" ]; then gateway_config=$here/gateway.xml.in; fi
if [ -z "$sdd" ]; then
  sdd_note="socialdefaultd not measured: no binary (looked for ${build_dir#"$root"/}/adapters/gateway/socialdefaultd; give --socialdefaultd PATH)"
elif [ ! -x "$sdd" ]; then
  sdd_note="socialdefaultd not measured: $sdd is not an executable"; sdd=
elif [ -z "$gateway_config" ] || [ ! -f "$gateway_config" ]; then
  sdd_note="socialdefaultd not measured: no gateway configuration template (give --gateway-config FILE)"; sdd=
fi
[ -z "$sdd_note" ] || log "$sdd_note"

bench_name=bench
# shellcheck source=common.sh
. "$here/common.sh"

stop() {  # stop PID: SIGTERM, up to 5 s, then SIGKILL
  kill "$1" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

cpu_ticks() {  # utime+stime of every thread of PID, in clock ticks
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# One look at what the target answers: "listed suppliers / preselected id".
answer_summary() {
  curl -s --max-time 20 -H 'Content-Type: text/xml; charset=utf-8' --data-binary "@$request" "$1" >"$work/answer"
  local listed preselected
  listed=$(grep -o '<erp:SupplierId>' "$work/answer" | wc -l)
  preselected=$(tr -d '\n' <"$work/answer" | grep -o '<erp:Supplier>[^!]*' | sed 's#</erp:Supplier>#\n#g' \
    | grep '<erp:Preselected>true<' | sed -n 's#.*<erp:SupplierId>\([^<]*\)<.*#\1#p' | paste -sd,)
  echo "$listed / ${preselected:-none}"
}

# measure LABEL URL PID SIZE: appends one row to $work/rows
# measure LABEL URL PID SIZE [paced]: wrk against URL, CPU of PID; one row into
# $work/rows (or, paced, at the load --paced offers, into $work/paced_rows).
measure() {
  local label=$1 url=$2 pid=$3 size=$4 mode=${5:-}
  local summary bytes script=post.lua conns=$connections pause=() rows=$work/rows figures=$work/figures
  local warm=$warmup
  if [ "$mode" = paced ]; then
    script=steady.lua conns=$paced_connections rows=$work/paced_rows figures=$work/paced_figures warm=2
    pause=("$((paced_connections * 1000 / paced))")
  fi
  summary=$(answer_summary "$url")
  bytes=$(wc -c <"$work/answer")
  timeout $((warm + 30)) wrk -t1 -c"$conns" -d"${warm}s" --timeout 10s -s "$here/$script" "$url" \
    -- "$request" "${pause[@]}" >/dev/null 2>&1
  local before after
  before=$(cpu_ticks "$pid")
  timeout $((duration + 60)) wrk -t1 -c"$conns" -d"${duration}s" --timeout 10s --latency \
    -s "$here/$script" "$url" -- "$request" "${pause[@]}" >"$work/wrk.out" 2>&1
  after=$(cpu_ticks "$pid")
  local result
  result=$(grep '^RESULT ' "$work/wrk.out")
  if [ -z "$result" ]; then
    log "wrk failed against $label${mode:+ ($mode)}: $(tail -3 "$work/wrk.out")"
    echo "| $size | $((bytes / 1024)) | $label | failed | | | | $summary | |" >>"$rows"
    return
  fi
  log "$label @ $size${mode:+ ($mode)}: $result"
  awk -v r="$result" -v label="$label" -v size="$size" -v kb="$((bytes / 1024))" -v ticks="$((after - before))" \
      -v hz="$clk_tck" -v summary="$summary" 'BEGIN {
    n = split(r, kv, /[ =]/); for (i = 2; i < n; i += 2) v[kv[i]] = kv[i + 1]
    rps = v["requests"] / (v["duration_us"] / 1e6)
    cpu = v["requests"] > 0 ? ticks * 1e6 / hz / v["requests"] : 0
    printf "| %s | %s | %s | %.0f | %.2f | %.2f | %.1f | %s | %d |\n", size, kb, label, rps,
           v["p50_us"] / 1000, v["p99_us"] / 1000, cpu, summary, v["errors"] + v["status_errors"]
    printf "%s %s %.1f %.3f %.0f\n", size, label, cpu, v["p99_us"] / 1000, rps > "/dev/stderr"
  }' >>"$rows" 2>>"$figures"
}

nginx_conf() {  # nginx_conf DIR LISTEN_PORT ERP_PORT XSLT(0|1)
  local dir=$1
  mkdir -p "$dir/logs" "$dir/tmp"
  {
    [ "$4" = 1 ] && echo "load_module $xslt_module;"
    cat <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 1000000;
  upstream erp { server 127.0.0.1:$3; keepalive 64; }
  server {
    listen 127.0.0.1:$2;
    location $gateway_path {
      proxy_pass http://erp/purchasing;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Hold a 240 KB shortlist in memory, never in a temporary file.
      proxy_buffer_size 16k;
      proxy_buffers 32 16k;
      proxy_busy_buffers_size 64k;
      proxy_max_temp_file_size 0;
CONF
    if [ "$4" = 1 ]; then
      echo "      xslt_stylesheet $here/shortlist_gateway.xsl;"
      echo "      xslt_types application/soap+xml;  # and text/xml, the default"
    fi
    echo "    }"
    echo "  }"
    echo "}"
  } >"$dir/nginx.conf"
}

start_nginx() {  # start_nginx NAME ERP_PORT XSLT -> sets proxy_pid, proxy_url
  local dir=$work/$1 port
  port=$(free_port)
  nginx_conf "$dir" "$port" "$2" "$3"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >"$dir/logs/stdout" 2>&1 &
  proxy_pid=$!
  started+=("$proxy_pid")
  proxy_url=http://127.0.0.1:$port$gateway_path
  wait_port "$port" "$proxy_pid" || { log "nginx ($1) did not start: $(tail -3 "$dir/logs/error.log")"; return 1; }
}

start_sdd() {  # start_sdd ERP_URL -> sets proxy_pid, proxy_url
  local dir=$work/socialdefaultd port admin
  mkdir -p "$dir"
  port=$(free_port)
  admin=$(free_port)
  gateway_config "$gateway_config" "$dir/gateway.xml" "$port" "$admin" "$1" "$dir"
  local args
  read -ra args <<<"${gateway_args//@CONFIG@/$dir/gateway.xml}"
  (cd "$dir" && exec "$sdd" "${args[@]}") >"$dir/log" 2>&1 &
  proxy_pid=$!
  started+=("$proxy_pid")
  proxy_url=http://127.0.0.1:$port$gateway_path
  wait_port "$port" "$proxy_pid" || { log "socialdefaultd did not start: $(tail -5 "$dir/log")"; return 1; }
}

# idle_rss LABEL URL PID: one row into $work/rss
idle_rss() {
  local line
  line=$(timeout 300 python3 "$here/idle_connections.py" --url "$2" --pid "$3" --count "$idle" \
    --request "$request" 2>>"$work/idle.err" | grep '^RSS ')
  [ -n "$line" ] || { echo "| $1 | failed | | | |" >>"$work/rss"; return; }
  awk -v r="$line" -v label="$1" 'BEGIN {
    n = split(r, kv, /[ =]/); for (i = 2; i < n; i += 2) v[kv[i]] = kv[i + 1]
    printf "| %s | %.1f | %.1f | %d | %d |\n", label, v["rss_before_kb"] / 1024, v["rss_idle_kb"] / 1024,
           v["open"], v["failed"]
  }' >>"$work/rss"
}

# --- the runs ------------------------------------------------------------------
: >"$work/rows"
: >"$work/figures"
: >"$work/paced_rows"
: >"$work/paced_figures"
: >"$work/rss"
ulimit -n 8192 2>/dev/null || true
for size in $sizes; do
  "$fixture" --port 0 --suppliers "$size" --threads 1 >"$work/erp.out" 2>"$work/erp.err" &
  erp_pid=$!
  started+=("$erp_pid")
  for _ in $(seq 1 100); do grep -q '^listening on ' "$work/erp.out" && break; sleep 0.1; done
  erp_url=$(sed -n 's/^listening on //p' "$work/erp.out")
  [ -n "$erp_url" ] || die "the example ERP fixture did not start: $(cat "$work/erp.err")"
  erp_port=${erp_url##*:}
  erp_port=${erp_port%%/*}

  measure "direct (ERP fixture; CPU is the fixture's)" "$erp_url" "$erp_pid" "$size"
  if start_nginx nginx "$erp_port" 0; then
    measure "nginx proxy" "$proxy_url" "$proxy_pid" "$size"
    [ "$paced" -eq 0 ] || measure "nginx proxy" "$proxy_url" "$proxy_pid" "$size" paced
    if [ "$size" = "$(echo $sizes | cut -d' ' -f1)" ] && [ "$idle" -gt 0 ]; then
      idle_rss "nginx proxy" "$proxy_url" "$proxy_pid"
    fi
    stop "$proxy_pid"
  fi
  if start_nginx nginx-xslt "$erp_port" 1; then
    measure "nginx + XSLT" "$proxy_url" "$proxy_pid" "$size"
    [ "$paced" -eq 0 ] || measure "nginx + XSLT" "$proxy_url" "$proxy_pid" "$size" paced
    stop "$proxy_pid"
  fi
  if [ -n "$sdd" ] && start_sdd "$erp_url"; then
    measure "socialdefaultd" "$proxy_url" "$proxy_pid" "$size"
    [ "$paced" -eq 0 ] || measure "socialdefaultd" "$proxy_url" "$proxy_pid" "$size" paced
    if [ "$size" = "$(echo $sizes | cut -d' ' -f1)" ] && [ "$idle" -gt 0 ]; then
      idle_rss "socialdefaultd" "$proxy_url" "$proxy_pid"
    fi
    stop "$proxy_pid"
  fi
  stop "$erp_pid"
  : >"$work/erp.out"
done

# --- the report ----------------------------------------------------------------
report() {
  echo "Command: \`$command_line\`"
  echo
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1);" \
       "load average before the report: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Versions: $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
  echo "wrk: 1 thread, $connections connections, ${duration} s measured after ${warmup} s of warm-up, per target and size."
  echo "Each proxy is one process (nginx: master_process off); the example ERP fixture runs 1 thread."
  echo
  echo "| suppliers | answer KB | target | req/s | p50 ms | p99 ms | CPU µs/req | listed / preselected | errors |"
  echo "|---:|---:|---|---:|---:|---:|---:|---|---:|"
  cat "$work/rows"
  echo
  awk '
    { cpu[$1 " " $2] = $(NF - 2); p99[$1 " " $2] = $(NF - 1) }
    $2 == "nginx" && $3 == "proxy" { plain[$1] = $(NF - 2); plain99[$1] = $(NF - 1); sizes[$1] = 1 }
    $2 == "nginx" && $3 == "+" { xslt[$1] = $(NF - 2) }
    $2 == "socialdefaultd" { sd[$1] = $(NF - 2); sd99[$1] = $(NF - 1) }
    END {
      for (s in sizes) {
        line = "- At " s " suppliers, CPU per request:"
        if (plain[s] > 0 && xslt[s] > 0) line = line sprintf(" nginx+XSLT %.1f× the plain proxy", xslt[s] / plain[s])
        if (sd[s] > 0 && plain[s] > 0) line = line sprintf("; socialdefaultd %.2f× the plain proxy (goal ≤ 1.5×)", sd[s] / plain[s])
        if (sd[s] > 0 && xslt[s] > 0) line = line sprintf("; nginx+XSLT %.1f× socialdefaultd (goal ≥ 15×)", xslt[s] / sd[s])
        if (sd[s] > 0 && plain99[s] > 0) line = line sprintf("; p99 %.2f ms against %.2f ms for the plain proxy (goal: no worse)", sd99[s], plain99[s])
        print line "."
      }
    }' "$work/figures" | sort -n -k3
  if [ -s "$work/paced_rows" ]; then
    echo
    echo "At about $paced requests a second offered ($paced_connections connections, each waiting" \
         "$((paced_connections * 1000 / paced)) ms between an answer and its next request; ${duration} s after 2 s;" \
         "a target whose req/s falls short of the offer was at its limit):"
    echo
    echo "| suppliers | answer KB | target | req/s | p50 ms | p99 ms | CPU µs/req | listed / preselected | errors |"
    echo "|---:|---:|---|---:|---:|---:|---:|---|---:|"
    cat "$work/paced_rows"
    echo
    awk -v offered="$paced" '
      $2 == "nginx" && $3 == "proxy" { plain99[$1] = $(NF - 1); sizes[$1] = 1 }
      $2 == "socialdefaultd" { sd99[$1] = $(NF - 1); sdrps[$1] = $NF }
      END {
        for (s in sizes) {
          if (!(s in sd99)) continue
          line = sprintf("- At %s suppliers and about %d requests a second: p99 %.2f ms for socialdefaultd against %.2f ms for the plain proxy", s, offered, sd99[s], plain99[s])
          if (sdrps[s] < 0.9 * offered) line = line sprintf(" (socialdefaultd at its limit: %d req/s)", sdrps[s])
          print line "."
        }
      }' "$work/paced_figures" | sort -n -k3
  fi
  [ -z "$sdd_note" ] || { echo; echo "$sdd_note."; }
  if [ -s "$work/rss" ]; then
    echo
    echo "Memory with $idle idle keep-alive connections (each made one request first; ${sizes%% *} suppliers):"
    echo
    echo "| process | RSS before MiB | RSS with connections idle MiB | still open | failed |"
    echo "|---|---:|---:|---:|---:|"
    cat "$work/rss"
  fi
}
if [ -n "$output" ]; then report | tee "$output"; else report; fi
