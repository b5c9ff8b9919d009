#!/usr/bin/env bash
# Replays a transfer campaign (the real excerpt when ../shared/fixtures is
# there) on the simulators with the four services.
#   tools/bench/campaign_bench.sh [JOBS]
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/install_deps.sh
log="$(mktemp)"
bazel build -c opt //tools/bench:campaign_bench >"$log" 2>&1 || { cat "$log"; exit 1; }
rm -f "$log"
fixtures="$(cd .. && pwd)/shared/fixtures"
runfiles="$PWD/bazel-bin/tools/bench/campaign_bench.runfiles"
TRACKER_FIXTURES="$fixtures" TEST_SRCDIR="$runfiles" TEST_WORKSPACE=jobtracker \
  bazel-bin/tools/bench/campaign_bench "${1:-0}"
