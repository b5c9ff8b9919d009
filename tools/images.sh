#!/usr/bin/env bash
# Builds every image of deploy/Dockerfile with podman, exactly as a registry
# build would (same file, same targets, no second recipe, the committed tree
# of HEAD as the context), on a Debian 12 base image made offline with
# mmdebstrap, and prints their sizes.
#
#   tools/images.sh            # tags localhost/transfer-tracker/TARGET:dev
#   TAG=v1 tools/images.sh
#
# No registry is reachable here, so the base is built from Debian's archive
# (the one apt uses) and imported under the names the Dockerfile asks for
# (docker.io/library/debian:12 and :12-slim); `--pull=never` makes sure the
# build uses it. The base tarball is cached in ~/.cache/transfer-tracker and
# podman's layer cache keeps the build stage between runs on one machine.
# podman runs with runc (crun does not support this machine's hybrid cgroups)
# and explicit ulimits (podman's defaults exceed what the host allows).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/podman_env.sh

tag="${TAG:-dev}"
targets=(repo-service wes-poller azure-verifier scheduler-service jobctl)

ensure_base_image

# The context is HEAD as committed: what a registry builds from, the same
# bytes for every target (so the build stage is built once and cached), and
# never a half-edited working tree.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
git archive --format=tar HEAD | tar -x -C "$context"
git diff --quiet HEAD 2>/dev/null \
  || echo "note: uncommitted changes are not in the images (they are $(git rev-parse --short HEAD))" >&2

start=$(date +%s)
for target in "${targets[@]}"; do
  echo "building $target" >&2
  "${PODMAN[@]}" build --pull=never "${ULIMITS[@]}" \
    -f "$context/deploy/Dockerfile" --target "$target" \
    --label "org.opencontainers.image.revision=$(git rev-parse HEAD)" \
    -t "$IMAGE_PREFIX/$target:$tag" "$context" >&2
done
echo "built ${#targets[@]} images in $(( $(date +%s) - start )) s" >&2

printf '%-60s %s\n' IMAGE SIZE
for target in "${targets[@]}"; do
  printf '%-60s %s\n' "$IMAGE_PREFIX/$target:$tag" \
    "$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE_PREFIX/$target:$tag" \
       | awk '{printf "%.1f MB", $1/1e6}')"
done
