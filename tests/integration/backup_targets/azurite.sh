#!/usr/bin/env bash
# Starts or stops Microsoft's Blob emulator (npm azurite 3.37.0, unpacked by scripts/fetch-tools
# into tools/azurite) for the azure target's tests. start writes DIR/endpoint
# (http://127.0.0.1:PORT; the account path is added by the tests) once it listens.
#   azurite.sh start DIR AZURITE_PREFIX   |   azurite.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop}; C=${2:?directory}

stop() {
  if [ -f "$C/pid" ]; then
    # SIGKILL: azurite takes minutes to stop on SIGTERM or SIGINT, and its data goes anyway.
    pid=$(cat "$C/pid")
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$C"
}

if [ "$cmd" = stop ]; then stop; exit 0; fi

BIN="${3:?the directory holding node_modules/.bin/azurite-blob}/node_modules/.bin/azurite-blob"
if [ ! -x "$BIN" ]; then
  echo "azurite is not installed at $BIN: run scripts/fetch-tools" >&2
  exit 1
fi
stop
mkdir -p "$C/data"
while :; do
  PORT=$((20000 + RANDOM % 20000))
  ss -ltnH "sport = :$PORT" | grep -q . || break
done
# --skipApiVersionCheck: the target speaks one fixed service version; --loose is not set, so
# azurite checks every SharedKey signature as Azure does.
"$BIN" --blobHost 127.0.0.1 --blobPort "$PORT" --location "$C/data" --silent \
  --skipApiVersionCheck >"$C/log" 2>&1 &
echo $! > "$C/pid"
for _ in $(seq 1 100); do
  if grep -q "successfully listens" "$C/log"; then
    echo "http://127.0.0.1:$PORT" > "$C/endpoint"
    echo "azurite ready on 127.0.0.1:$PORT"
    exit 0
  fi
  kill -0 "$(cat "$C/pid")" 2>/dev/null || break
  sleep 0.2
done
cat "$C/log" >&2
stop
exit 1
