#!/usr/bin/env bash
# Polls 1,000 runs through the wes-poller's Poller against the WES simulator
# with 50 ms latency per request, against one-request-at-a-time in the same
# run.   tools/bench/poll_bench.sh [RUNS] [LATENCY_MS]
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/install_deps.sh
work="$(mktemp -d)"
bazel build -c opt //tools/bench:poll_bench //tools/sim:wes-sim >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; exit 1; }
bazel-bin/tools/sim/wes-sim --port_file="$work/port" --require_auth=false \
  --queued_ms=600000 >"$work/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
bazel-bin/tools/bench/poll_bench "http://127.0.0.1:$(cat "$work/port")" "${1:-1000}" "${2:-50}"
