#!/bin/bash
# The entrypoint of bitpoke's sidecar images (images/mysql-operator-sidecar-*/docker-entrypoint.sh,
# compat.md section 4) for the local cluster: the sidecar's own subcommands run our
# mysql-operator-sidecar (the image profile sets MYSQLOP_SIDECAR_BINARY from ${binDir}); anything
# else is a program of the image (pt-heartbeat, pt-kill, later rclone), run from the host as is.
set -e

if [ -z "${MYSQLOP_SIDECAR_BINARY:-}" ]; then
  echo "sidecar-entrypoint: MYSQLOP_SIDECAR_BINARY is not set (the image profile sets it)" >&2
  exit 1
fi

case "${1:-}" in
  clone-and-init | take-backup-to | remove-backup)
    exec "$MYSQLOP_SIDECAR_BINARY" --debug "$@"
    ;;
  config-and-serve)
    shift
    exec "$MYSQLOP_SIDECAR_BINARY" --debug run "$@"
    ;;
  "")
    echo "sidecar-entrypoint: no command (expected clone-and-init, config-and-serve," \
      "take-backup-to, remove-backup or a program)" >&2
    exit 1
    ;;
  pt-heartbeat | pt-kill)
    # Both exit when the server does not answer yet, and a container that exits waits out the
    # kubelet's restart back-off (10 s, then 20 s...) before it runs again: pt-heartbeat has no
    # probe, so that back-off alone held every new pod's readiness back by 10 s or more. Ours
    # start once the pod's server accepts connections (bitpoke's image starts them at once).
    trap 'exit 143' TERM INT # as PID 1, bash would ignore a SIGTERM it has no trap for
    until (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; do
      sleep 0.2
    done
    exec "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
