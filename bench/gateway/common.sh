# Shared by bench/gateway/run.sh and bench/gateway/threads.sh (sourced, after
# `here` is set): a scratch folder whose processes are stopped on exit, and
# the helpers both scripts start their servers with.

work=$(mktemp -d -t "sd-gateway-${bench_name:-bench}.XXXXXX")
started=()
cleanup() {
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

clk_tck=$(getconf CLK_TCK)
request=$here/shortlist_request.xml

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {  # wait_port PORT PID: up to 10 s for something to accept on PORT
  for _ in $(seq 1 100); do
    kill -0 "$2" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# gateway_config TEMPLATE OUT LISTEN_PORT ADMIN_PORT ERP_URL WORK_DIR: the
# template with its @...@ placeholders filled in
gateway_config() {
  sed -e "s|@LISTEN_PORT@|$3|g" -e "s|@ADMIN_PORT@|$4|g" -e "s|@ERP_URL@|$5|g" \
      -e "s|@WORK_DIR@|$6|g" -e "s|@SOURCE_DIR@|$root|g" "$1" >"$2"
}
