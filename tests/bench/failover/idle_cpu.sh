#!/usr/bin/env bash
# Idle cost of our failover engine: CPU (% of one core) and RSS of mysql-operator --standalone
# watching the bench's 3-node topology (no writes), at a given poll interval. Usage:
#   idle_cpu.sh [--poll 0.1] [--seconds 30] [--net 127.0.35]
# Needs /work/shared/bench/failover (BENCH_DIR) for the topology. Stops everything it started.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench="${BENCH_DIR:-/work/shared/bench/failover}"
poll=0.1 seconds=30 net=127.0.35
while [ $# -gt 0 ]; do
  case "$1" in
    --poll) poll="$2" ;;
    --seconds) seconds="$2" ;;
    --net) net="$2" ;;
    *) echo "idle_cpu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
scratch="$(mktemp -d)"
engine_pid=""
cleanup() {
  if [ -n "$engine_pid" ]; then kill "$engine_pid" 2>/dev/null || true; wait "$engine_pid" 2>/dev/null || true; fi
  python3 "$bench/topology.py" down --scratch "$scratch" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT
python3 "$bench/topology.py" up --scratch "$scratch" --net "$net" >/dev/null
hosts="$net.1:3306,$net.2:3306,$net.3:3306"
"$here/engine.sh" --hosts "$hosts" --user topology --password topology_pass --repl-user repl \
  --repl-password repl_pass --scratch "$scratch/engine" --poll "$poll" >"$scratch/engine.log" 2>&1 &
engine_pid=$!
sleep 3  # start and arm
ticks() { awk '{print $14 + $15}' "/proc/$engine_pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s.%N)
sleep "$seconds"
t1=$(ticks); s1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$engine_pid/status")
python3 -c "import sys; t0,t1,s0,s1,hz,rss,poll=map(float,sys.argv[1:]); \
print('poll %.2fs: engine CPU %.2f %% of one core over %.0f s, RSS %.1f MiB' % (poll, 100*(t1-t0)/hz/(s1-s0), s1-s0, rss/1024))" \
  "$t0" "$t1" "$s0" "$s1" "$hz" "$rss" "$poll"
