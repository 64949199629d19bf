#!/bin/bash
# Upload throughput of the s3 target against `rclone rcat` (bitpoke's uploader) on the same bytes,
# to the same local Ceph RGW, and the memory of each (peak RSS from /usr/bin/time).
#   tests/bench/backup_targets/s3_vs_rclone.sh BUILD_DIR [SIZE_MIB=2048] [CONFIG_JSON]
set -euo pipefail
BUILD=${1:?build directory}; SIZE=${2:-2048}; CONFIG=${3:-'{}'}
HERE=$(cd "$(dirname "$0")" && pwd)
RGW=$(mktemp -d /tmp/mysqlop-bench-rgw.XXXXXX)
DATA=$(mktemp /dev/shm/mysqlop-bench-data.XXXXXX)
trap '"$HERE/../../integration/backup_targets/rgw.sh" stop "$RGW"; rm -f "$DATA"' EXIT
RGW_MEMSTORE_BYTES=$(( (SIZE * 3 + 1024) * 1024 * 1024 )) \
  "$HERE/../../integration/backup_targets/rgw.sh" start "$RGW" >/dev/null 2>&1
EP=$(cat "$RGW/endpoint")
# AWS_CA_BUNDLE (set on some machines) makes rclone refuse a plain-http endpoint.
unset AWS_CA_BUNDLE
export RCLONE_CONFIG_RGW_TYPE=s3 RCLONE_CONFIG_RGW_PROVIDER=Ceph RCLONE_CONFIG_RGW_ENDPOINT=$EP \
  RCLONE_CONFIG_RGW_ACCESS_KEY_ID=TESTKEY RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY=TESTSECRET
rclone mkdir rgw:bench
head -c $((SIZE * 1024 * 1024)) /dev/urandom > "$DATA"
echo "== rclone rcat ($(rclone version | head -1)), ${SIZE} MiB"
/usr/bin/time -f "rclone: %e s elapsed, peak RSS %M KiB" rclone rcat rgw:bench/rclone.bin < "$DATA"
echo "== s3 target, config $CONFIG"
/usr/bin/time -f "target: %e s elapsed, peak RSS %M KiB" "$BUILD/bench/bench_target_upload" \
  "$BUILD/bin/plugins/mysqlop_target_s3.so" --url s3://bench/target.bin --config "$CONFIG" \
  --credentials AWS_ACCESS_KEY_ID=TESTKEY --credentials AWS_SECRET_ACCESS_KEY=TESTSECRET \
  --credentials "S3_ENDPOINT=$EP" < "$DATA"
rclone lsl rgw:bench
