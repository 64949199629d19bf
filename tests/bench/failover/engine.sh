#!/usr/bin/env bash
# Runs our failover engine (mysql-operator --standalone, orchestrator plugin with staticClusters)
# for /work/shared/bench/failover's `--engine command` (README.md here). Usage:
#   engine.sh --hosts H:P,H:P,... --user U --password P --repl-user U --repl-password P \
#             --scratch DIR [--poll SECONDS] [--fencing semi-sync|none] [--grace SECONDS]
# Environment: MYSQLOP_BIN (default: build/bin/mysql-operator of this checkout).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${MYSQLOP_BIN:-$here/../../../build/bin/mysql-operator}"
hosts="" user="" password="" repl_user="" repl_password="" scratch="" poll="0.1"
fencing="semi-sync" grace="1.0"
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts="$2" ;;
    --user) user="$2" ;;
    --password) password="$2" ;;
    --repl-user) repl_user="$2" ;;
    --repl-password) repl_password="$2" ;;
    --scratch) scratch="$2" ;;
    --poll) poll="$2" ;;
    --fencing) fencing="$2" ;;
    --grace) grace="$2" ;;
    *) echo "engine.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
for v in hosts user repl_user scratch; do
  if [ -z "${!v}" ]; then echo "engine.sh: --${v//_/-} is required" >&2; exit 2; fi
done
mkdir -p "$scratch"
config="$scratch/engine-config.yaml"
umask 077
# JSON is YAML: the values are written as JSON strings by python (passwords may hold anything).
python3 - "$config" "$hosts" "$user" "$password" "$repl_user" "$repl_password" "$poll" \
  "$fencing" "$grace" <<'PY'
import json, sys
path, hosts, user, pw, ru, rp, poll, fencing, grace = sys.argv[1:]
cfg = {
    "leaderElection": {"enabled": False},
    "metricsAddr": "127.0.0.1:0",
    "healthzAddr": "127.0.0.1:0",
    "plugins": [{"name": n, "enabled": False}
                for n in ("cluster", "backup", "database", "user", "s3", "file")] + [{
        "name": "orchestrator",
        "config": {
            "instancePollSeconds": float(poll),
            "failureDetectionGraceSeconds": float(grace),
            "fencing": fencing,
            "staticClusters": [{"name": "bench", "hosts": hosts.split(","), "user": user,
                                "password": pw, "replicationUser": ru,
                                "replicationPassword": rp}],
        },
    }],
}
open(path, "w").write(json.dumps(cfg, indent=1) + "\n")
PY
exec "$bin" --standalone --config "$config"
