#!/usr/bin/env bash
# The main job: builds, makes a local tracking repository (the real excerpt
# when ../shared/fixtures is there, else generated demo studies), starts
# repo-service on a free loopback port and shows what it serves.
# Stops everything it started, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh

echo "== building"
bazel build //services/repo_service:repo-service 2>&1 | tail -1

work="$(mktemp -d -t tracker-demo-XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$work"
  bazel shutdown >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

echo "== tracking repository"
if [ -f ../shared/fixtures/tracking-excerpt.bundle ]; then
  git clone -q --mirror ../shared/fixtures/tracking-excerpt.bundle "$work/remote.git"
  echo "the real excerpt (4 studies, 159 commits) as a bare remote: $work/remote.git"
else
  python3 tools/gen_tracking_repo.py "$work/remote.git" --jobs 24 --studies 3 --mix
fi

echo "== starting repo-service"
bazel-bin/services/repo_service/repo-service --listen=127.0.0.1:0 --port_file="$work/port" \
  --repo="$work/clone.git" --remote="$work/remote.git" 2>"$work/repo-service.log" &
pids+=($!)
for _ in $(seq 1 300); do [ -s "$work/port" ] && break; sleep 0.1; done
port="$(cat "$work/port")"
echo "repo-service is serving on 127.0.0.1:$port (health + reflection: grpcurl -plaintext 127.0.0.1:$port list)"

call() { tools/grpc_call.py "127.0.0.1:$port" "$@"; }
echo "== services it serves (asked through reflection)"
call list | sed 's/^/  /'
echo "== report of the scheduler branch: the seed's lines"
call tracker.v1.RepoService/Report '{"branch": "scheduler"}' \
  | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["text"], end=""); print("(%s jobs at %s)" % (r.get("total_jobs", 0), r["commit"][:12]))'
echo "== audit of the repository"
call tracker.v1.RepoService/Audit '{}' \
  | /usr/bin/python3 -c 'import json,sys; f=json.load(sys.stdin).get("findings", []); print(f"{len(f)} findings"); [print("  " + x["code"] + ": " + x["message"]) for x in f[:10]]'
echo "== repo-service log (one line per event)"
tail -n 5 "$work/repo-service.log"
