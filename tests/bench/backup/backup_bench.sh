#!/bin/bash
# Backup and restore of a MariaDB database through the sidecar, against the same by hand
# (issue 14's benchmark). Prints one line per measurement.
#   tests/bench/backup/backup_bench.sh [BUILD_DIR] [SIZE_MIB]     (defaults: build, 1024)
# Needs: the built mysql-operator-sidecar and bin/plugins/mysqlop_target_{s3,file}.so, mariadbd,
# mariadb-backup, mbstream, rclone, gzip, and the Ceph packages of rgw.sh (a single-node RGW on
# loopback, memstore: the objects live in memory).
#   sidecar:  take-backup-to (health, GET /xbackup, gzip|zstd in-process, the s3 target) to RGW
#   by hand:  mariadb-backup --backup --stream=xbstream | gzip | rclone rcat  (bitpoke's pipeline)
#   restore:  clone-and-init from INIT_BUCKET_URI  vs  rclone cat | gunzip | mbstream -x; --prepare
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
B=$(cd "${1:-$SRC/build}" && pwd)
SIZE_MIB=${2:-1024}
SIDECAR=$B/bin/mysql-operator-sidecar
S3_PLUGIN=$B/bin/plugins/mysqlop_target_s3.so
W=$(mktemp -d /tmp/backup-bench-XXXXXX)
MYSQLD_PID=; SIDECAR_PID=

cleanup() {
  [ -n "$SIDECAR_PID" ] && kill "$SIDECAR_PID" 2>/dev/null || true
  if [ -n "$MYSQLD_PID" ]; then
    kill "$MYSQLD_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$MYSQLD_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  "$SRC/tests/integration/backup_targets/rgw.sh" stop "$W/rgw" >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
mibs() { echo "scale=1; $1 / 1048576 / $2" | bc; }

PORT=$(free_port); SPORT=$(free_port)
mkdir -p "$W"/{data,conf,mnt,xb,xb2,tmp}
cat > "$W/my.cnf" <<CNF
[mariadbd]
user=root
datadir=$W/data
tmpdir=$W/tmp
socket=$W/mysqld.sock
pid-file=$W/mysqld.pid
log-error=$W/error.log
port=$PORT
bind-address=127.0.0.1
skip-name-resolve
log_bin=$W/data/mysql-bin
server_id=1
innodb_buffer_pool_size=256M
innodb_log_file_size=64M
innodb_flush_log_at_trx_commit=2
CNF
mariadb-install-db --defaults-file="$W/my.cnf" >/dev/null 2>&1
mariadbd --defaults-file="$W/my.cnf" >/dev/null 2>&1 &
MYSQLD_PID=$!
for _ in $(seq 1 100); do mariadb --socket="$W/mysqld.sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
sql() { mariadb --socket="$W/mysqld.sock" -uroot -N -B -e "$1"; }
sql "CREATE USER sys_replication@'%' IDENTIFIED BY 'replpw'; GRANT ALL ON *.* TO sys_replication@'%';
     CREATE DATABASE app; CREATE DATABASE seq; CREATE TABLE app.t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(1100));"
# Rows of 1 KiB: 512 random hex digits and a repeated 32-character text, about 3:1 with gzip, as
# ordinary table data tends to be.
ROWS=$((SIZE_MIB * 1024)); BATCH=50000
T0=$(now)
for ((done_ = 0; done_ < ROWS; done_ += BATCH)); do
  n=$(( ROWS - done_ < BATCH ? ROWS - done_ : BATCH ))
  sql "INSERT INTO app.t (v) SELECT CONCAT(HEX(RANDOM_BYTES(256)), REPEAT(MD5(seq), 16)) FROM seq.seq_1_to_$n"
done
DBBYTES=$(du -sb "$W/data/app" | cut -f1)
echo "database: $ROWS rows, app/ $((DBBYTES / 1048576)) MiB on disk, data dir $(( $(du -sb "$W/data" | cut -f1) / 1048576 )) MiB (filled in $(secs "$T0" "$(now)") s)"

"$SRC/tests/integration/backup_targets/rgw.sh" start "$W/rgw" >/dev/null 2>&1
ENDPOINT=$(cat "$W/rgw/endpoint")
# AWS_CA_BUNDLE (set on some machines) makes rclone refuse a plain-http endpoint.
unset AWS_CA_BUNDLE
touch "$W/rclone.conf"
export RCLONE_CONFIG=$W/rclone.conf RCLONE_CONFIG_RGW_TYPE=s3 RCLONE_CONFIG_RGW_PROVIDER=Ceph RCLONE_CONFIG_RGW_ACCESS_KEY_ID=TESTKEY \
  RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY=TESTSECRET RCLONE_CONFIG_RGW_ENDPOINT=$ENDPOINT
rclone mkdir rgw:bench

POD_ENV=(HOSTNAME=c-mysql-0 MY_CLUSTER_NAME=c MY_NAMESPACE=ns MY_SERVICE_NAME=mysql
  MY_MYSQL_FLAVOR=mariadb MY_MYSQL_VERSION=10.11.0 OPERATOR_USER=sys_operator OPERATOR_PASSWORD=oppw
  REPLICATION_USER=sys_replication REPLICATION_PASSWORD=replpw METRICS_EXPORTER_USER=sys_exporter
  METRICS_EXPORTER_PASSWORD=expw ORC_TOPOLOGY_USER=orchestrator ORC_TOPOLOGY_PASSWORD=orcpw
  BACKUP_USER=sys_backup BACKUP_PASSWORD=backuppw)
env -i PATH="$PATH" "${POD_ENV[@]}" MYSQLOP_DATA_DIR="$W/data" MYSQLOP_CONF_DIR="$W/conf" \
  MYSQLOP_MYSQL_HOST=127.0.0.1 MYSQLOP_MYSQL_PORT="$PORT" MYSQLOP_LISTEN_ADDRESS=127.0.0.1 \
  MYSQLOP_SIDECAR_PORT="$SPORT" XTRABACKUP_TARGET_DIR="$W/xb" "$SIDECAR" run >"$W/serve.log" 2>&1 &
SIDECAR_PID=$!
TARGETS="{\"targets\":[{\"name\":\"s3\",\"path\":\"$S3_PLUGIN\",\"config\":{}}]}"

# take-backup-to <url>: prints "sidecar <kind>: <s> s, <MiB/s> MiB/s of xbstream, stored <MiB>".
take() {
  local url=$1 t0 t1 report
  t0=$(now)
  env -i PATH="$PATH" BACKUP_USER=sys_backup BACKUP_PASSWORD=backuppw MYSQLOP_BACKUP_TARGETS="$TARGETS" \
    AWS_ACCESS_KEY_ID=TESTKEY AWS_SECRET_ACCESS_KEY=TESTSECRET S3_ENDPOINT="$ENDPOINT" \
    MYSQLOP_TERMINATION_LOG="$W/term" "$SIDECAR" take-backup-to "127.0.0.1:$SPORT" "$url" \
    >"$W/take.log" 2>&1 || { cat "$W/take.log"; exit 1; }
  t1=$(now)
  report=$(cat "$W/term")
  local src stored s
  src=$(echo "$report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sourceBytes"])')
  stored=$(echo "$report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["storedBytes"])')
  s=$(secs "$t0" "$t1")
  echo "backup, sidecar take-backup-to $url: $s s, $(mibs "$src" "$s") MiB/s of xbstream ($((src / 1048576)) MiB), stored $((stored / 1048576)) MiB"
}

hand() {
  local t0 t1 s
  rm -rf "$W/xb2" && mkdir -p "$W/xb2"
  t0=$(now)
  mariadb-backup --backup --slave-info --stream=xbstream --datadir="$W/data" --host=127.0.0.1 \
    --port="$PORT" --user=sys_replication --password=replpw --target-dir="$W/xb2" 2>"$W/hand.log" \
    | gzip | rclone -q rcat rgw:bench/hand.xbackup.gz
  t1=$(now)
  s=$(secs "$t0" "$t1")
  echo "backup, by hand mariadb-backup | gzip | rclone rcat: $s s, stored $(( $(rclone size --json rgw:bench/hand.xbackup.gz | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes"])') / 1048576 )) MiB"
}

restore_sidecar() {
  local url=$1 t0 t1 dir=$W/restore
  rm -rf "$dir" "$W/rconf" && mkdir -p "$dir" "$W/rconf" && cp "$W/my.cnf" "$W/mnt/my.cnf"
  t0=$(now)
  env -i PATH="$PATH" "${POD_ENV[@]}" MYSQLOP_DATA_DIR="$dir" MYSQLOP_CONF_DIR="$W/rconf" \
    MYSQLOP_CONF_SOURCE_DIR="$W/mnt" MYSQLOP_REPLICAS_URL=http://127.0.0.1:1 \
    MYSQLOP_MASTER_URL=http://127.0.0.1:1 INIT_BUCKET_URI="$url" MYSQLOP_BACKUP_TARGETS="$TARGETS" \
    AWS_ACCESS_KEY_ID=TESTKEY AWS_SECRET_ACCESS_KEY=TESTSECRET S3_ENDPOINT="$ENDPOINT" \
    "$SIDECAR" clone-and-init >"$W/restore.log" 2>&1 || { cat "$W/restore.log"; exit 1; }
  t1=$(now)
  echo "restore, sidecar clone-and-init from $url: $(secs "$t0" "$t1") s (read, decompress, mbstream -x, --prepare, config)"
}

restore_hand() {
  local t0 t1 dir=$W/restore
  rm -rf "$dir" && mkdir -p "$dir"
  t0=$(now)
  rclone cat rgw:bench/hand.xbackup.gz | gunzip | mbstream -x -C "$dir"
  mariadb-backup --prepare --target-dir="$dir" >"$W/prepare.log" 2>&1
  t1=$(now)
  echo "restore, by hand rclone cat | gunzip | mbstream -x; --prepare: $(secs "$t0" "$t1") s"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2; do
  echo "--- round $round"
  take "s3://bench/sidecar.xbackup.gz"
  hand
  take "s3://bench/sidecar.xbackup.zst"
  restore_sidecar "s3://bench/sidecar.xbackup.gz"
  restore_hand
  restore_sidecar "s3://bench/sidecar.xbackup.zst"
done
