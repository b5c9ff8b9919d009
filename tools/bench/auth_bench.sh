#!/usr/bin/env bash
# What TLS and the check of every caller cost per call (auth_bench.cc).
#   tools/bench/auth_bench.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/install_deps.sh
log="$(mktemp)"
bazel build -c opt //tools/bench:auth_bench >"$log" 2>&1 || { cat "$log"; exit 1; }
rm -f "$log"
runfiles="$PWD/bazel-bin/tools/bench/auth_bench.runfiles"
TEST_SRCDIR="$runfiles" TEST_WORKSPACE=jobtracker bazel-bin/tools/bench/auth_bench "${1:-2000}"
