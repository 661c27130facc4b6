#!/usr/bin/env bash
# The Debian packages, end to end on this machine: builds socialdefault and
# socialdefault-dev with CPack from the release build, installs them with
# dpkg, starts socialdefaultd from the installed files (the unit's ExecStart
# as the unit's user: CI runs no systemd) in front of the example ERP test
# fixture, sends one shortlist and one order with curl, reloads with SIGHUP,
# stops it, checks the ledger with the installed CLI (verify and export),
# builds the example host against the installed -dev package with CMake and
# with pkg-config, and purges both packages, checking that nothing is left.
#
#   packaging/test-deb.sh [BUILD_DIR]     (default build/release, configured)
#
# Needs root and dpkg, and a machine without socialdefault installed (the
# purge would take an installation's key and ledger with it): test.sh runs
# it in CI on a fresh Debian 12. Exits 77 when it cannot run here, with the
# reason. Whatever happens, the packages are purged at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "installing packages needs root"
command -v dpkg >/dev/null || skip "dpkg is not installed (this is not a Debian system)"
for tool in cpack curl xmllint setpriv; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
[ -f "$build/CPackConfig.cmake" ] || skip "$build is not a configured build folder (cmake --preset release)"
grep -q '^SD_BUILD_TESTS:BOOL=ON' "$build/CMakeCache.txt" ||
  skip "$build has no tests (SD_BUILD_TESTS=OFF): the example ERP fixture is missing"

# Several worktrees on one machine: one package test at a time.
lock_dir=/run/lock
[ -d "$lock_dir" ] || lock_dir=/tmp
exec 9>"$lock_dir/socialdefault-deb-test.lock"
flock -w 600 9 || skip "another package test holds $lock_dir/socialdefault-deb-test.lock"

# Installed, or removed with its configuration kept: either way ours to keep.
if dpkg-query -W -f='${db:Status-Status}\n' socialdefault socialdefault-dev 2>/dev/null | grep -qvx not-installed; then
  skip "socialdefault is installed on this machine (or its configuration is left); this test would purge it"
fi
for leftover in /etc/socialdefault /var/lib/socialdefault; do
  [ -e "$leftover" ] && skip "$leftover exists without the package; this test would delete it"
done
getent passwd socialdefault >/dev/null && skip "the user socialdefault exists without the package"
# The shipped gateway.xml listens on 8090 and forwards to 8091.
for port in 8090 8091; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    skip "port $port is in use; the installed example configuration needs it"
  fi
done

work=$(mktemp -d)
erp_pid=
daemon_pid=
installed=
failed=0
cleanup() {
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "$erp_pid" ] && kill -TERM "$erp_pid" 2>/dev/null && wait "$erp_pid" 2>/dev/null
  if [ -n "$installed" ]; then
    dpkg --purge socialdefault-dev socialdefault >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT
check() {  # check NAME COMMAND...
  if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failed=$((failed + 1)); return 1; fi
}
wait_for() {  # wait_for FILE PATTERN: at most 10 s
  for _ in $(seq 1 100); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
fatal() {  # stops at a failure the later steps depend on
  echo "FAIL $*"
  echo "$failed failed before this"
  exit 1
}

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
IFS=. read -r major minor _ <<<"$version"
if [ "$major" = 0 ]; then soversion=0.$minor; else soversion=$major; fi

# --- build ----------------------------------------------------------------
# What the packages and this test need. cpack builds the rest of "all" first
# (its preinstall step); in test.sh that is built already.
cmake --build "$build" -j "${SD_JOBS:-2}" --target socialdefault socialdefault_cli socialdefaultd sd_man_pages sd_example_erp >"$work/build.log" 2>&1 || { cat "$work/build.log"; fatal "build"; }
cpack --config "$build/CPackConfig.cmake" -B "$work/packages" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fatal "cpack"; }
arch=$(dpkg --print-architecture)
deb=$work/packages/socialdefault_${version}_${arch}.deb
dev_deb=$work/packages/socialdefault-dev_${version}_${arch}.deb
[ -f "$deb" ] && [ -f "$dev_deb" ] || { ls -l "$work/packages"; fatal "cpack made $deb and $dev_deb"; }

field() { dpkg-deb -f "$1" "$2"; }
# One package name a line, without the versions.
depends=$(field "$deb" Depends | sed 's/ ([^)]*)//g; s/, /\n/g')
for dependency in libcurl4 libpugixml1v5 libssl3 libsqlite3-0 libboost-json1.81.0 libstdc++6 passwd tzdata; do
  check "socialdefault depends on $dependency" grep -qxF "$dependency" <<<"$depends"
done
check "socialdefault-dev depends on this socialdefault" \
  test "$(field "$dev_deb" Depends)" = "socialdefault (= $version)"
dpkg-deb -c "$deb" >"$work/deb.contents"
dpkg-deb -c "$dev_deb" >"$work/dev.contents"
check "the package has the man pages socialdefault(1) and socialdefaultd(8)" \
  bash -c "grep -q '/man1/socialdefault\.1\.gz\$' '$work/deb.contents' && grep -q '/man8/socialdefaultd\.8\.gz\$' '$work/deb.contents'"
check "the package ships no key" bash -c "! grep -q '\\.key\$' '$work/deb.contents'"
check "the library is in socialdefault, its link in -dev" \
  bash -c "grep -q 'libsocialdefault\\.so\\.$version\$' '$work/deb.contents' && grep -q 'libsocialdefault\\.so ->' '$work/dev.contents' && ! grep -q 'libsocialdefault\\.so ->' '$work/deb.contents'"

# --- install ----------------------------------------------------------------
installed=yes
dpkg -i "$deb" "$dev_deb" >"$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log"; fatal "dpkg -i"; }
echo "ok   dpkg -i socialdefault socialdefault-dev"

check "the conffiles are the three example files" \
  test "$(dpkg-query -W -f='${Conffiles}\n' socialdefault | awk 'NF {print $1}' | sort | tr '\n' ' ')" = \
       "/etc/socialdefault/config.xml /etc/socialdefault/gateway.xml /etc/socialdefault/mapping.xml "
check "a system user socialdefault without a login shell" \
  bash -c "[ \"\$(getent passwd socialdefault | cut -d: -f7)\" = /usr/sbin/nologin ] && [ \"\$(id -u socialdefault)\" -lt 1000 ]"
check "/var/lib/socialdefault belongs to it, mode 750" \
  test "$(stat -c '%U:%G %a' /var/lib/socialdefault)" = "socialdefault:socialdefault 750"
check "the key was made at installation: root:socialdefault, mode 640" \
  test "$(stat -c '%U:%G %a' /etc/socialdefault/pseudonym.key)" = "root:socialdefault 640"
check "the key is 32 random bytes in hexadecimal, not the example key" \
  bash -c "grep -Eqx '[0-9a-f]{64}' /etc/socialdefault/pseudonym.key && ! cmp -s /etc/socialdefault/pseudonym.key examples/pseudonym.key"
lib=$(ls /usr/lib/*/libsocialdefault.so."$version" /usr/lib/libsocialdefault.so."$version" 2>/dev/null | head -1)
check "the library's SONAME is libsocialdefault.so.$soversion" \
  grep -q "SONAME.*\\[libsocialdefault\\.so\\.$soversion\\]" <<<"$(readelf -d "$lib")"
check "the installed programs say version $version" \
  test "$(socialdefault --version) / $(socialdefaultd --version)" = "socialdefault $version / socialdefaultd $version"
check "the installed configuration passes its check" \
  setpriv --reuid=socialdefault --regid=socialdefault --init-groups \
    socialdefaultd --config /etc/socialdefault/gateway.xml --check

unit=/usr/lib/systemd/system/socialdefaultd.service
[ -f "$unit" ] || unit=/lib/systemd/system/socialdefaultd.service
for setting in User=socialdefault NoNewPrivileges=yes PrivateTmp=yes ProtectSystem=strict ProtectHome=yes \
               ReadWritePaths=/var/lib/socialdefault 'ExecReload=/bin/kill -HUP $MAINPID'; do
  check "the unit sets $setting" grep -qxF "$setting" "$unit"
done
if command -v systemd-analyze >/dev/null; then
  # It also opens the unit's Documentation= man pages, when man can.
  man_option=()
  man -w 8 socialdefaultd >/dev/null 2>&1 || man_option=(--man=no)
  check "systemd-analyze verify ${man_option[*]} accepts the unit" systemd-analyze verify "${man_option[@]}" "$unit"
else
  echo "skip systemd-analyze verify: systemd-analyze is not installed"
fi

# --- run: the unit's command line as the unit's user --------------------------
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
read -r -a command_line <<<"$exec_start"
"$build/tests/fixtures/sd_example_erp" --port 8091 >"$work/erp.log" 2>&1 &
erp_pid=$!
wait_for "$work/erp.log" '^listening on ' || fatal "the example ERP starts (log: $(cat "$work/erp.log"))"
(cd / && umask 0027 && exec setpriv --reuid=socialdefault --regid=socialdefault --init-groups --no-new-privs \
  "${command_line[@]}") >"$work/daemon.log" 2>&1 &
daemon_pid=$!
wait_for "$work/daemon.log" '"listening"' || fatal "socialdefaultd starts (log: $(cat "$work/daemon.log"))"
echo "ok   socialdefaultd listens: $exec_start"

soap() {  # soap ACTION FILE OUT: prints the HTTP status
  curl -s --max-time 20 -o "$3" -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
    -H "SOAPAction: \"urn:example:erp:purchasing:1#$1\"" --data-binary "@$2" http://127.0.0.1:8090/purchasing
}
check "the shortlist is answered with 200" \
  test "$(soap GetSupplierShortlist examples/erp/shortlist-request.xml "$work/shortlist.xml")" = 200
preselected=$(xmllint --xpath 'string(//*[local-name()="Supplier"][*[local-name()="Preselected"]="true"]/*[local-name()="SupplierId"])' \
  "$work/shortlist.xml" 2>/dev/null)
check "the rewritten shortlist preselects a social flower supplier (got \"$preselected\")" \
  grep -Eqx 'BLOEM-0[123]' <<<"$preselected"
check "the order is answered with 200" \
  test "$(soap SubmitRequisition examples/erp/order-request.xml "$work/order.xml")" = 200

kill -HUP "$daemon_pid"
check "SIGHUP (ExecReload) reloads the configuration" wait_for "$work/daemon.log" '"reloaded"'
kill -TERM "$daemon_pid"
wait "$daemon_pid"
status=$?
daemon_pid=
check "SIGTERM stops the gateway with exit code 0" test "$status" = 0
# Info lines are buffered until the exit, so they are read now.
check "the gateway logged the rewrite" grep -q '"outcome":"rewritten"' "$work/daemon.log"
check "the gateway recorded the order" grep -q '"outcome":"recorded"' "$work/daemon.log"
kill -TERM "$erp_pid"
wait "$erp_pid" 2>/dev/null
erp_pid=

# --- the ledger through the installed CLI, as the service's user ---------------
as_service() { setpriv --reuid=socialdefault --regid=socialdefault --init-groups "$@"; }
cli_options=(--config /etc/socialdefault/config.xml --ledger /var/lib/socialdefault/ledger.db)
as_service socialdefault verify "${cli_options[@]}" >"$work/verify.json" 2>&1
check "socialdefault verify finds the ledger intact" test $? = 0
check "... and its report says intact" grep -q '"intact":true' "$work/verify.json"
# The order's date is today in the organisation's zone: a day either side is safe.
as_service socialdefault export "${cli_options[@]}" --from "$(date -u -d yesterday +%F)" \
  --to "$(date -u -d tomorrow +%F)" --group-by supplier --format csv >"$work/export.csv" 2>&1
check "socialdefault export works" test $? = 0
check "the export holds the order: BLOEM-02, 45.95 EUR" \
  bash -c "grep 'BLOEM-02' '$work/export.csv' | grep -q '45.95'"

# --- the example host against the installed -dev package -------------------------
host_src=/usr/share/doc/socialdefault-dev/examples/host
if [ ! -f "$host_src/host.c" ]; then
  # Slim images tell dpkg not to unpack /usr/share/doc (path-exclude).
  echo "note $host_src was not unpacked here; building the example host from examples/host"
  host_src=$PWD/examples/host
fi
check "pkg-config knows socialdefault $version" test "$(pkg-config --modversion socialdefault)" = "$version"
cmake -S "$host_src" -B "$work/host-cmake" >"$work/host-cmake.log" 2>&1 &&
  cmake --build "$work/host-cmake" >>"$work/host-cmake.log" 2>&1
check "the example host builds with find_package(socialdefault)" test $? = 0 ||
  cat "$work/host-cmake.log"
mkdir -p "$work/host-pc"
make -s -f "$host_src/Makefile" OUT="$work/host-pc" >"$work/host-pc.log" 2>&1
check "the example host builds with pkg-config" test $? = 0 || cat "$work/host-pc.log"
for host in "$work/host-cmake/sd_example_host" "$work/host-pc/sd_example_host"; do
  [ -x "$host" ] || continue
  kind=$(basename "$(dirname "$host")")
  check "$kind: sd_version() is $version" test "$("$host" --version)" = "$version"
  loaded=$(ldd "$host" | sed -n "s/^[[:space:]]*libsocialdefault\.so\.$soversion => \([^ ]*\) .*/\1/p")
  check "$kind: it loads the installed library (${loaded:-not found})" \
    test -n "$loaded" -a "$(readlink -f "$loaded")" = "$(readlink -f "$lib")"
  "$host" /etc/socialdefault/config.xml /etc/socialdefault/mapping.xml "$work/$kind.db" \
    examples/erp/shortlist-response.xml examples/erp/shortlist-request.xml >"$work/$kind.xml" 2>"$work/$kind.err"
  check "$kind: sd_rewrite in-process succeeds" test $? = 0 || cat "$work/$kind.err"
  preselected=$(xmllint --xpath 'string(//*[local-name()="Supplier"][*[local-name()="Preselected"]="true"]/*[local-name()="SupplierId"])' \
    "$work/$kind.xml" 2>/dev/null)
  check "$kind: it preselects a social flower supplier (got \"$preselected\")" grep -Eqx 'BLOEM-0[123]' <<<"$preselected"
done

# --- remove keeps the state, a reinstall carries on ------------------------------
key_before=$(cat /etc/socialdefault/pseudonym.key)
dpkg -r socialdefault-dev socialdefault >"$work/remove.log" 2>&1
check "dpkg -r succeeds" test $? = 0 || cat "$work/remove.log"
check "remove keeps the key, the ledger and the user" \
  bash -c "[ -f /etc/socialdefault/pseudonym.key ] && [ -f /var/lib/socialdefault/ledger.db ] && getent passwd socialdefault >/dev/null"
check "remove takes the programs" test ! -e /usr/bin/socialdefaultd
dpkg -i "$deb" "$dev_deb" >"$work/dpkg-i2.log" 2>&1
check "dpkg -i again succeeds" test $? = 0 || cat "$work/dpkg-i2.log"
check "the reinstall keeps the key" test "$(cat /etc/socialdefault/pseudonym.key)" = "$key_before"
as_service socialdefault verify "${cli_options[@]}" >"$work/verify2.json" 2>&1
check "the ledger is intact after the reinstall" test $? = 0

# --- purge: nothing left --------------------------------------------------------
dpkg -L socialdefault socialdefault-dev >"$work/files" 2>/dev/null
dpkg --purge socialdefault-dev socialdefault >"$work/purge.log" 2>&1
check "dpkg --purge succeeds" test $? = 0 || cat "$work/purge.log"
installed=
check "dpkg knows neither package any more" \
  bash -c "! dpkg-query -W -f='\${db:Status-Status}\n' socialdefault socialdefault-dev 2>/dev/null | grep -qv not-installed"
check "dpkg -L lists nothing" bash -c "! dpkg -L socialdefault socialdefault-dev 2>/dev/null | grep -q /"
left=()
while read -r path; do
  # Shared folders (/usr/bin, /etc) stay; ours and every file must go.
  if [ -e "$path" ] || [ -L "$path" ]; then
    if [ ! -d "$path" ] || [[ "$path" == *socialdefault* ]]; then left+=("$path"); fi
  fi
done <"$work/files"
check "no file of the packages is left (${left[*]:-none})" test ${#left[@]} = 0
check "/etc/socialdefault is gone" test ! -e /etc/socialdefault
check "/var/lib/socialdefault is gone" test ! -e /var/lib/socialdefault
check "the user and the group are gone" bash -c "! getent passwd socialdefault && ! getent group socialdefault"

echo "$failed failed"
[ "$failed" = 0 ]
