#!/usr/bin/env bash
# Builds the optimised binaries that the images ship, with the same Bazel
# workspace the tests use, and copies them to OUT (default dist/).
# The images' build stage runs exactly this (deploy/Dockerfile).
#   tools/build_release.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
tools/install_deps.sh
targets=(
  //services/repo_service:repo-service
  //services/wes_poller:wes-poller
  //services/azure_verifier:azure-verifier
  //services/scheduler:scheduler-service
  //clients/jobctl:jobctl
)
bazel build -c opt "${targets[@]}"
mkdir -p "$out"
for t in "${targets[@]}"; do
  bin="bazel-bin/$(echo "${t#//}" | tr ':' '/')"
  install -m 0755 "$bin" "$out/"
done
bazel shutdown >/dev/null 2>&1 || true
ls -l "$out"
