#!/bin/bash
# A single-node Ceph RGW for the s3 target's tests (docs: toolchain.md section 6): a monitor, one
# memstore OSD and radosgw, cephx on, no systemd. The monitor is on loopback; the S3 frontend on
# loopback too unless BIND names another local address (the e2e tests give a local cluster's
# bridge gateway 198.18.N.1, so that pods reach it; never a public address).
#   rgw.sh start DIR [BIND]  starts it, creates the user TESTKEY/TESTSECRET, writes DIR/endpoint
#   rgw.sh stop DIR          stops the daemons by their pid files and removes DIR
set -euo pipefail
cmd=${1:?start or stop}; C=${2:?directory}; BIND=${3:-127.0.0.1}

stop() {
  for f in "$C"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$C"
}

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi

rm -rf "$C" && mkdir -p "$C"/{mon.a,osd.0,run,log,rgw} && cd "$C"
MONPORT=$(free_port); RGWPORT=$(free_port)
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > ceph.conf <<CNF
[global]
fsid = $FSID
mon_host = v2:127.0.0.1:$MONPORT
mon_initial_members = a
ms_bind_msgr1 = false
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 1
auth_allow_insecure_global_id_reclaim = false
osd_crush_chooseleaf_type = 0
run_dir = $C/run
admin_socket = $C/run/\$name.asok
log_file = $C/log/\$name.log
pid_file = $C/run/\$name.pid
keyring = $C/keyring
[mon]
mon_data = $C/mon.\$id
[osd]
osd_data = $C/osd.\$id
keyring = $C/osd.\$id/keyring
osd_objectstore = memstore
memstore_device_bytes = ${RGW_MEMSTORE_BYTES:-4294967296}
[client.rgw.a]
keyring = $C/rgw/keyring
rgw_data = $C/rgw
rgw_frontends = beast endpoint=$BIND:$RGWPORT
# Virtual-hosted requests name the bucket in Host: <bucket>.s3.test (the test maps that name to
# loopback in a private /etc/hosts); other hosts are read path-style.
rgw_dns_name = s3.test
CNF
ceph-authtool --create-keyring keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool keyring --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MONPORT]" monmap >/dev/null
ceph-mon -c ceph.conf --mkfs -i a --monmap monmap --keyring keyring
ceph-mon -c ceph.conf -i a
U=$(cat /proc/sys/kernel/random/uuid)
ceph -c ceph.conf osd new "$U" >/dev/null
ceph -c ceph.conf auth get-or-create osd.0 osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' -o osd.0/keyring
ceph-osd -c ceph.conf -i 0 --mkfs --osd-uuid "$U" 2>/dev/null
ceph -c ceph.conf osd crush add osd.0 1.0 host=localhost root=default >/dev/null
ceph-osd -c ceph.conf -i 0
ceph -c ceph.conf auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' -o rgw/keyring
radosgw -c ceph.conf -n client.rgw.a
for _ in $(seq 1 240); do curl -sf -o /dev/null "http://$BIND:$RGWPORT/" && break; sleep 0.5; done
radosgw-admin -c ceph.conf user create --uid=test --display-name=test --access-key=TESTKEY \
  --secret-key=TESTSECRET >/dev/null
echo "http://$BIND:$RGWPORT" > endpoint
echo "rgw ready on $BIND:$RGWPORT"
