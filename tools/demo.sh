#!/usr/bin/env bash
# The main job: the whole product on this machine, in a few minutes.
#
# Builds, makes a local tracking repository (a bare remote plus the
# service's own clone) holding the real excerpt with some jobs put back in
# backlog, or generated demo studies in the same format when
# ../shared/fixtures is absent; starts the WES simulators (two compute
# environments), the SONG simulator, the Slack sink and the four services on
# free loopback ports; runs scheduling cycles until every demo job is in
# completed/ or failed/ (a failed job whose analyses are then PUBLISHED in
# SONG is completed by the scheduler itself; the other failed jobs are
# requeued once, as an admin would, and resume their run); shows the report after each cycle and the Slack
# messages at the end. Stops everything it started, also on Ctrl-C.
#
# usage: tools/demo.sh [--jobs N] [--failure_rate R] [--interval SECONDS] [--keep]
#   --jobs N          demo jobs put in backlog (default 24)
#   --failure_rate R  share of runs that fail (default 0.1)
#   --interval S      seconds between cycles (default 2)
#   --keep            leave the services running until Enter is pressed
# Environment: TRACKER_BIN_DIR=DIR uses binaries already built under DIR
# (bazel-bin layout) and skips install and build; TRACKER_FIXTURES=DIR
# names the folder holding tracking-excerpt.bundle.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=24 failure_rate=0.1 interval=2 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --failure_rate) failure_rate="$2"; shift 2 ;;
    --failure_rate=*) failure_rate="${1#*=}"; shift ;;
    --interval) interval="$2"; shift 2 ;;
    --interval=*) interval="${1#*=}"; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$jobs" in ''|*[!0-9]*) echo "demo.sh: --jobs must be a whole number" >&2; exit 2 ;; esac

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
step() { echo; bold "== $*"; }

bin="${TRACKER_BIN_DIR:-}"
if [ -z "$bin" ]; then
  tools/install_deps.sh
  step "building (the first build takes a few minutes)"
  bazel build //services/... //tools/sim/... //clients/jobctl 2>&1 | grep -E "^(ERROR|INFO: Build)" | tail -3
  bin="$(bazel info bazel-bin 2>/dev/null)"
fi
fixtures="${TRACKER_FIXTURES:-../shared/fixtures}"

work="$(mktemp -d -t tracker-demo-XXXXXX)"
pids=()
cleanup() {
  trap - EXIT INT TERM
  # The scheduler first: nothing should be mid-cycle against a stopped service.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
  [ -n "${TRACKER_BIN_DIR:-}" ] || bazel shutdown >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'echo; echo "interrupted: stopping everything"; exit 130' INT TERM

# start NAME ARGS...: a binary on a free port, its port in $work/NAME.port.
start() {
  local name="$1"; shift
  "$@" --port_file="$work/$name.port" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do [ -s "$work/$name.port" ] && break; sleep 0.1; done
  if [ ! -s "$work/$name.port" ]; then
    echo "$name did not start; its log:" >&2; tail -20 "$work/$name.log" >&2; exit 1
  fi
  printf '  %-18s 127.0.0.1:%s\n' "$name" "$(cat "$work/$name.port")"
}
port() { cat "$work/$1.port"; }

step "simulators (real HTTP on loopback: GA4GH WES + ARGO GraphQL, SONG/SCORE, Slack)"
start song-sim "$bin/tools/sim/song-sim" --port=0 --seed=7
start slack-sink "$bin/tools/sim/slack-sink" --port=0
# Both answer status through ARGO's GraphQL, as the original's config says.
start wes-sim-rdpc_prod "$bin/tools/sim/wes-sim" --port=0 --seed=11 --queued_ms=300 --running_ms=1500 \
  --failure_rate="$failure_rate" --client_id=demo-prod --client_secret=demo-prod-secret
start wes-sim-rdpc_qa "$bin/tools/sim/wes-sim" --port=0 --seed=12 --queued_ms=300 --running_ms=1500 \
  --failure_rate="$failure_rate" --client_id=demo-qa --client_secret=demo-qa-secret
song="http://127.0.0.1:$(port song-sim)"
# The first run on rdpc_prod fails, so that the demo always has a failed
# job to show what happens to one whose data arrived anyway.
curl -s -X POST "http://127.0.0.1:$(port wes-sim-rdpc_prod)/_sim/outcomes" \
  -d '{"outcomes":["EXECUTOR_ERROR"]}' >/dev/null

step "tracking repository"
if [ -f "$fixtures/tracking-excerpt.bundle" ]; then
  python3 tools/campaign_repo.py "$fixtures/tracking-excerpt.bundle" "$work/remote.git" \
    --song-url "$song" --jobs "$jobs" >/dev/null
  echo "  the real excerpt (4 studies, 1,259 jobs) with $jobs jobs back in backlog/"
else
  python3 tools/gen_tracking_repo.py "$work/remote.git" --jobs "$jobs" --studies 3 --batch-size 8 \
    --song-url "$song" --score-url "$song" >/dev/null
  echo "  $jobs generated jobs in 3 studies (the real format; ../shared/fixtures is absent)"
fi
echo "  remote: $work/remote.git (branches main and scheduler)"

# The original scheduler's config file, as it ran the campaign, with only
# its hosts replaced by the simulators' loopback addresses; without the
# fixtures, a file of the same shape. Secrets come from the environment,
# named in the config (its ENV: mappings), never in it.
export PROD_CLIENT_ID=demo-prod PROD_CLIENT_SECRET=demo-prod-secret PROD_API_TOKEN=demo-prod-song-token
export QA_CLIENT_ID=demo-qa QA_CLIENT_SECRET=demo-qa-secret QA_API_TOKEN=demo-qa-song-token
export SLACK_HOOK_URL="http://127.0.0.1:$(port slack-sink)/services/T000/B000/demo"
prod="http://127.0.0.1:$(port wes-sim-rdpc_prod)"
qa="http://127.0.0.1:$(port wes-sim-rdpc_qa)"
if [ -f "$fixtures/job-scheduler.conf" ]; then
  sed -e "s#https://ego.icgc-argo.org#$prod#; s#https://wes.rdpc.cancercollaboratory.org#$prod#" \
      -e "s#https://api.rdpc.cancercollaboratory.org#$prod#" \
      -e "s#https://ego.qa.argo.cancercollaboratory.org#$qa#" \
      -e "s#https://wes.rdpc-qa.cancercollaboratory.org#$qa#" \
      -e "s#https://api.rdpc-qa.cancercollaboratory.org#$qa#" \
      "$fixtures/job-scheduler.conf" >"$work/config.yaml"
  echo "  config: ../shared/fixtures/job-scheduler.conf, the original's, its hosts on loopback"
else
  cat >"$work/config.yaml" <<EOF
job_tracking_repo: git@github.com:icgc-argo/icgc-25k-azure-transfer-job-tracking.git
tracking_repo_push_interval: 3  # in hours
scheduling_interval: 20  # in minutes
compute_environments:
    rdpc_prod:
        token_url: $prod/api/oauth/token
        wes_url: $prod/api/v1/runs
        graphql_url: $prod/graphql
        max_parallel_runs: 16
        excessive_failure_threshold: 100
        nfs_root_paths:
        - /nfs-1-c1
        - /nfs-1-c2
        ENV:
            client_id: PROD_CLIENT_ID
            client_secret: PROD_CLIENT_SECRET
            api_token: PROD_API_TOKEN
    rdpc_qa:
        token_url: $qa/api/oauth/token
        wes_url: $qa/api/v1/runs
        graphql_url: $qa/graphql
        max_parallel_runs: 16
        excessive_failure_threshold: 100
        nfs_root_paths:
        - /nfs-dev-1-vol-qa-1
        ENV:
            client_id: QA_CLIENT_ID
            client_secret: QA_CLIENT_SECRET
            api_token: QA_API_TOKEN
workflow:
    url: https://github.com/icgc-argo/icgc-25k-azure-transfer.git
    version: azure-transfer-wf.v0.12.0
    offline: true
slack_notification:
    ENV:
        web_hook_url: SLACK_HOOK_URL
EOF
  echo "  config: the original scheduler's keys and shape (../shared/fixtures is absent)"
fi

step "certificates and callers (what cert-manager and the identity provider give a deployment)"
pki="$work/pki"
tools/gen_certs.sh "$pki" repo-service wes-poller azure-verifier scheduler-service
demo_token="$(openssl rand -hex 32)"
printf '%s\n' "$demo_token" >"$pki/admin.token"
chmod 600 "$pki/admin.token"
{
  echo "# sha256 of each token, never the token"
  echo "tokens:"
  echo "  - sha256: $(printf '%s' "$demo_token" | sha256sum | cut -d' ' -f1)"
  echo "    name: demo-admin"
  echo "    email: demo-admin@example.org"
  echo "    role: admin"
} >"$pki/tokens.yaml"
printf 'token_file: tokens.yaml\ncertificates:\n  - identity: scheduler-service\n    role: scheduler\n' \
  >"$pki/auth.yaml"
unset demo_token
echo "  a CA and one certificate per service (tools/gen_certs.sh), a static admin token (stored hashed)"
tls() {
  echo --tls_cert="$pki/$1.pem" --tls_key="$pki/$1.key" --tls_ca="$pki/ca.pem" \
    --auth_config="$pki/auth.yaml" --health_listen=127.0.0.1:0 --health_port_file="$work/$1.health_port"
}

step "the four services (TLS on every port, mutual TLS between them, every caller authenticated)"
# shellcheck disable=SC2046
start repo-service "$bin/services/repo_service/repo-service" --listen=127.0.0.1:0 $(tls repo-service) \
  --repo="$work/clone.git" --remote="$work/remote.git"
# shellcheck disable=SC2046
start wes-poller "$bin/services/wes_poller/wes-poller" --listen=127.0.0.1:0 $(tls wes-poller) \
  --config="$work/config.yaml"
# shellcheck disable=SC2046
start azure-verifier "$bin/services/azure_verifier/azure-verifier" --listen=127.0.0.1:0 $(tls azure-verifier)
# shellcheck disable=SC2046
start scheduler-service "$bin/services/scheduler/scheduler-service" --listen=127.0.0.1:0 \
  $(tls scheduler-service) --config="$work/config.yaml" --timer=false \
  --repo_service="127.0.0.1:$(port repo-service)" --wes_poller="127.0.0.1:$(port wes-poller)" \
  --azure_verifier="127.0.0.1:$(port azure-verifier)"

export JOBCTL_REPO_SERVICE="127.0.0.1:$(port repo-service)"
export JOBCTL_WES_POLLER="127.0.0.1:$(port wes-poller)"
export JOBCTL_SCHEDULER="127.0.0.1:$(port scheduler-service)"
export JOBCTL_CA="$pki/ca.pem"
jobctl() { "$bin/clients/jobctl/jobctl" "$@"; }
echo "  without a token, jobctl is refused:"
if jobctl report >"$work/refused.txt" 2>&1; then
  echo "  an unauthenticated call was answered" >&2
  exit 1
fi
sed 's/^/    /' "$work/refused.txt"
export JOBCTL_TOKEN_FILE="$pki/admin.token"
echo "  jobctl talks to them through JOBCTL_REPO_SERVICE, JOBCTL_WES_POLLER, JOBCTL_SCHEDULER,"
echo "  verifies them against JOBCTL_CA and sends the token in JOBCTL_TOKEN_FILE"

# Jobs still to finish: the backlog and queued counts of the report.
open_jobs() { jobctl report | awk '$2 == "backlog" || $2 == "queued" { n += $3 } END { print n + 0 }'; }

step "before the first cycle: jobctl report"
jobctl report | sed 's/^/  /'
echo "  what the first cycle would do: jobctl cycle --dry-run"
jobctl cycle --dry-run | sed 's/^/  /'

requeued=0
published=0
demo_start="$(date +%s)"
for cycle in $(seq 1 200); do
  step "cycle $cycle: jobctl cycle"
  jobctl cycle | sed 's/^/  /'
  echo "  report:"
  jobctl report | sed 's/^/    /'
  if [ "$(open_jobs)" -eq 0 ]; then
    failed="$(jobctl jobs --state=failed --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("jobs", [])))')"
    if [ "$failed" -gt 0 ] && [ "$published" -eq 0 ]; then
      published=1
      # A failed run whose upload had finished: the real campaign had 16
      # such jobs, moved to completed/ by hand once an admin found their
      # analyses PUBLISHED. The scheduler now checks failed jobs in SONG.
      job="$(jobctl jobs --state=failed --json | python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]["key"]
print(j["study_id"], j["batch_id"], j["job_id"])')"
      read -r study batch job_id <<<"$job"
      step "$study/$batch/$job_id failed, but its data arrived: its analyses are PUBLISHED in SONG now"
      git -C "$work/clone.git" show "scheduler:jobs/$study/$batch/failed/$job_id/params.json" | python3 -c '
import json, sys
p = json.load(sys.stdin)
ids = p["analysis_id"] if isinstance(p["analysis_id"], list) else [p["analysis_id"]]
print(json.dumps({"study_id": p["study_id"], "analysis_ids": ids}))' |
        curl -s -X POST "$song/_sim/publish" -d @- >/dev/null
      echo "  the next cycle checks failed jobs in SONG (verify_failed_jobs_per_cycle) and completes it:"
      jobctl cycle | sed 's/^/  /'
      echo "  its commit on the scheduler branch:"
      git -C "$work/clone.git" log -1 --format=%B --grep="failed job.* completed, analyses all PUBLISHED" scheduler |
        sed '/^$/d; s/^/    /'
      continue
    fi
    if [ "$failed" -gt 0 ] && [ "$requeued" -eq 0 ]; then
      requeued=1
      step "$failed jobs failed: an admin requeues them (jobctl requeue --study=... --yes); they resume"
      for study in $(jobctl jobs --state=failed --json | python3 -c \
          'import json,sys; print(" ".join(sorted({j["key"]["study_id"] for j in json.load(sys.stdin).get("jobs", [])})))'); do
        jobctl requeue --study="$study" --yes | sed 's/^/  /'
      done
      continue
    fi
    break
  fi
  sleep "$interval"
done

step "every demo job reached completed/ or failed/ after $cycle cycles"
jobctl status | sed 's/^/  /'
# A job of this demo, a resumed one when there is one.
shown="$(jobctl jobs --json | python3 -c '
import json, sys
start = int(sys.argv[1])
jobs = [j for j in json.load(sys.stdin).get("jobs", [])
        if int(j.get("current_run", {}).get("epoch_seconds", 0)) >= start]
jobs.sort(key=lambda j: -j.get("run_count", 0))
print("/".join(jobs[0]["key"][k] for k in ("study_id", "batch_id", "job_id")) if jobs else "")' "$demo_start")"
if [ -n "$shown" ]; then
  step "one job: jobctl show $shown (run states fetched live from its workflow service)"
  jobctl show "$shown" | sed -n '1,/^params.json/p' | sed '$d' | sed 's/^/  /'
fi

step "the report sent to Slack: jobctl report --send"
jobctl report --send >/dev/null
step "Slack messages (alerts and reports, as the webhook received them)"
curl -s "http://127.0.0.1:$(port slack-sink)/_sim/messages" | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("messages", []):
    lines = m.get("text", "").splitlines()
    # The emoji of the level is a line of its own, as the original posted it.
    if len(lines) > 1 and lines[0].startswith(":") and lines[0].endswith(":"):
        lines = [lines[0] + " " + lines[1]] + lines[2:]
    print("  * " + (lines[0] if lines else ""))
    for line in lines[1:]:
        print("    " + line)'

step "final report"
jobctl report | sed 's/^/  /'
remaining="$(open_jobs)"
echo
if [ "$remaining" -eq 0 ]; then
  bold "done: all $jobs demo jobs reached completed/ or failed/; the scheduler branch is pushed to $work/remote.git"
else
  bold "stopped with $remaining jobs still in backlog/ or queued/"
fi
if [ "$keep" -eq 1 ]; then
  read -r -p "services still running (jobctl needs the JOBCTL_* variables above); Enter stops them " _ || true
fi
[ "$remaining" -eq 0 ]
