#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors,
# runs the suite, then builds and runs it again under ASan+UBSan.
#   ./test.sh           everything (what CI runs)
#   ./test.sh --quick   the normal build only
set -euo pipefail
cd "$(dirname "$0")"
packaging/install-deps.sh

jobs=${SD_JOBS:-2}

# Static checks: any cppcheck finding fails the run.
cppcheck --quiet --enable=warning,performance,portability --std=c++20 --inline-suppr --error-exitcode=1 \
  --suppress=missingIncludeSystem -I plugin/include -I plugin/src plugin/src adapters

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

if [ "${1:-}" != "--quick" ]; then
  cmake --preset sanitize >/dev/null
  cmake --build --preset sanitize -j "$jobs"
  ctest --preset sanitize -j "$jobs"

  # Fuzz smoke run: the SOAP adapter's libFuzzer target (clang), a bounded
  # minute from the example and golden messages. Long runs are separate.
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  corpus=$(mktemp -d)
  cp examples/erp/*.xml tests/adapters/soap/golden/* "$corpus"/
  build/fuzz/tests/fuzz/soap_fuzz -max_total_time=60 -dict=tests/fuzz/soap.dict "$corpus"
  rm -rf "$corpus"
fi
