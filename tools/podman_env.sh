# Sourced by tools/images.sh and tools/deploy_check.sh: how podman runs on a
# Debian 12 machine without a registry or systemd (see TOOLCHAIN notes in the
# README's "Containers" section).

# The dnsname CNI plugin resolves network aliases (deploy_check.sh's Service
# names): Debian 12's podman uses CNI, which has no DNS without it.
CONTAINER_PACKAGES=(podman runc mmdebstrap golang-github-containernetworking-plugin-dnsname)
PODMAN=(podman --runtime runc)
# Explicit limits: podman's defaults ask for more than the host grants
# ("setrlimit ... Operation not permitted").
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
IMAGE_PREFIX="localhost/transfer-tracker"
CACHE_DIR="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/transfer-tracker"

ensure_container_packages() {
  local missing=() p
  for p in "${CONTAINER_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Prints why podman cannot run containers here, or nothing when it can.
podman_unusable_reason() {
  [ "$(id -u)" -eq 0 ] || { echo "not root (rootless podman is not set up here)"; return; }
  ensure_container_packages >/dev/null 2>&1 || { echo "podman, runc, mmdebstrap or the dnsname plugin could not be installed"; return; }
  "${PODMAN[@]}" info >/dev/null 2>&1 || { echo "podman info fails: $("${PODMAN[@]}" info 2>&1 | tail -1)"; return; }
}

# The Dockerfile's FROM images, made from Debian's archive with mmdebstrap.
ensure_base_image() {
  ensure_container_packages
  if "${PODMAN[@]}" image exists docker.io/library/debian:12 \
      && "${PODMAN[@]}" image exists docker.io/library/debian:12-slim; then
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  if [ ! -s "$CACHE_DIR/base.tar" ]; then
    echo "making the Debian 12 base image with mmdebstrap" >&2
    mmdebstrap --variant=minbase bookworm "$CACHE_DIR/base.tar.tmp" >&2
    mv "$CACHE_DIR/base.tar.tmp" "$CACHE_DIR/base.tar"
  fi
  "${PODMAN[@]}" import --change 'CMD ["/bin/bash"]' "$CACHE_DIR/base.tar" docker.io/library/debian:12 >&2
  "${PODMAN[@]}" tag docker.io/library/debian:12 docker.io/library/debian:12-slim
}
