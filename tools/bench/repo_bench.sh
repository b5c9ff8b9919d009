#!/usr/bin/env bash
# Benchmarks repo-service on the real excerpt (when ../shared/fixtures is
# there) and on a generated repository of 100,000 jobs in the real format,
# against the seed's shell loop and `git mv` + `git commit` in the same run.
#   tools/bench/repo_bench.sh [JOBS]      (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/install_deps.sh
jobs="${1:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

bazel build -c opt //tools/bench:repo_bench //services/repo_service:repo-service >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; exit 1; }
repos=()
if [ -f ../shared/fixtures/tracking-excerpt.bundle ]; then
  git clone -q --mirror ../shared/fixtures/tracking-excerpt.bundle "$work/excerpt.git"
  repos+=("excerpt=$work/excerpt.git")
fi
echo "generating a repository of $jobs jobs..." >&2
python3 tools/gen_tracking_repo.py "$work/generated.git" --jobs "$jobs" --studies 20 --mix >&2
repos+=("generated-$jobs=$work/generated.git")
# The store logs every transition, as the service does; to a file, so the
# figures stay readable.
bazel-bin/tools/bench/repo_bench "${repos[@]}" 2>"$work/bench.log" ||
  { tail -20 "$work/bench.log"; exit 1; }

# Resident memory of the real binary serving the generated repository.
port_file="$work/port"
bazel-bin/services/repo_service/repo-service --listen=127.0.0.1:0 --insecure_plaintext --port_file="$port_file" \
  --repo="$work/rs-clone.git" --remote="$work/generated.git" 2>"$work/rs.log" &
pid=$!
for _ in $(seq 1 600); do [ -s "$port_file" ] && break; sleep 0.1; done
/usr/bin/python3 - "$(cat "$port_file")" <<'PY' || true
import sys, grpc
ch = grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}")
grpc.channel_ready_future(ch).result(timeout=30)
PY
echo "  repo-service resident memory at $jobs jobs: $(awk '/VmRSS/{printf "%d MB", $2/1024}' /proc/$pid/status) (peak $(awk '/VmHWM/{printf "%d MB", $2/1024}' /proc/$pid/status))"
kill -TERM $pid; wait $pid || true
bazel shutdown >/dev/null 2>&1 || true
