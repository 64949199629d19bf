# Shared by scripts/test, scripts/demo and .ci/run. Idempotent set-up on a fresh Debian bookworm
# machine as root: install what is missing, then configure and build.
set -euo pipefail

MYSQLOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MYSQLOP_BUILD="${MYSQLOP_BUILD:-$MYSQLOP_ROOT/build}"
MYSQLOP_JOBS="${MYSQLOP_JOBS:-$(nproc)}"

# Every Debian package the build, the tests and the demo use.
MYSQLOP_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl
  libpoco-dev libboost-dev libboost-filesystem-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libssl-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  mariadb-server mariadb-client mariadb-backup
  bubblewrap iproute2 openssl procps
  clang-format clang-tidy
  python3  # the host program of the python image profile (localcluster/image-profiles.yaml)
  python3-kubernetes  # the official Python client, a second real client of the local API server
  bsdutils  # script(1): kubectl exec -it driven through a pseudo-terminal in tests
  prometheus-mysqld-exporter  # the metrics exporter image's program (localcluster/image-profiles.yaml)
  percona-toolkit  # pt-heartbeat and pt-kill, run in the MySQL pods' sidecar image
  nodejs  # runs the failover engine's web page script in a test (tests/unit/orchestrator)
  radosgw ceph-mon ceph-osd ceph-common  # a real S3 server for the s3 target's tests (rgw.sh)
  zlib1g-dev libzstd-dev  # the sidecar's in-process gzip and zstd of backups (docs/dependencies.md)
  rclone  # bitpoke's upload tool: the s3 target's throughput anchor, and the rclone target's program
  python3-cryptography  # verifies the gs target's JWT in its test server (tests/integration/backup_targets/gcs_server.py)
)

log() { printf '\033[1m[mysql-operator]\033[0m %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "${MYSQLOP_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # npm installs azurite (scripts/fetch-tools, the azure target's tests). Debian ships it apart
  # from nodejs; a nodejs package that bundles npm conflicts with Debian's, so only when absent.
  command -v npm >/dev/null || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
      log "not root: install these packages first"; exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

configure_and_build() {
  local dir="$1"; shift
  if [ ! -f "$dir/build.ninja" ]; then
    log "configuring $dir"
    cmake -S "$MYSQLOP_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  fi
  log "building $dir"
  cmake --build "$dir" -j "$MYSQLOP_JOBS"
}

# Tools the tests use that are not installed as packages (for example Debian's kubectl 1.20,
# unpacked beside the build). scripts/fetch-tools is idempotent.
fetch_tools() {
  if [ -x "$MYSQLOP_ROOT/scripts/fetch-tools" ]; then
    "$MYSQLOP_ROOT/scripts/fetch-tools"
  fi
}
