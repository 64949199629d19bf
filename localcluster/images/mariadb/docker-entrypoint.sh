#!/bin/bash
# The official MariaDB image's entrypoint as the local cluster emulates it (image profile
# `mariadb`, localcluster/kubelet/README.md "Images"): the host's Debian mariadbd stands for the
# image, whatever its tag. Behaviour kept from the image:
#   - a first word starting with '-' means `mariadbd <options>`;
#   - for mariadbd/mysqld: as root, the data directory and the socket directory are given to the
#     mysql user, then the script runs again as mysql;
#   - first boot (no `mysql` directory in the data directory): mariadb-install-db, a temporary
#     server with --skip-networking, the root password (MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD,
#     or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD, or MARIADB_RANDOM_ROOT_PASSWORD), root@MARIADB_ROOT_HOST
#     ('%'), MARIADB_DATABASE, MARIADB_USER/MARIADB_PASSWORD (MYSQL_* alike, *_FILE variants), then
#     /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz|*.sql.xz|*.sql.zst in name order; the
#     temporary server stops and the real one starts;
#   - anything else is exec'd as is.
# Not emulated: time zone tables are not loaded (MARIADB_INITDB_SKIP_TZINFO is always on),
# MARIADB_AUTO_UPGRADE, replication setup variables (MARIADB_MASTER_HOST...), healthcheck users.
set -eo pipefail
shopt -s nullglob

note() { printf '%s [Note] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*"; }
warn() { printf '%s [Warn] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*" >&2; }
error() {
  printf '%s [ERROR] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*" >&2
  exit 1
}

# file_env VAR: VAR from VAR, or the file named by VAR_FILE, with the MYSQL_ name as the fallback
# (the image's `file_env`, MARIADB_ names first).
file_env() {
  local var="$1" mysqlVar="MYSQL_${1#MARIADB_}" def="${2:-}"
  local fileVar="${var}_FILE" mysqlFileVar="${mysqlVar}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
    error "Both $var and $fileVar are set (but are exclusive)"
  fi
  local val="$def"
  if [ -n "${!var:-}" ]; then
    val="${!var}"
  elif [ -n "${!fileVar:-}" ]; then
    val="$(<"${!fileVar}")"
  elif [ -n "${!mysqlVar:-}" ]; then
    val="${!mysqlVar}"
  elif [ -n "${!mysqlFileVar:-}" ]; then
    val="$(<"${!mysqlFileVar}")"
  fi
  export "$var"="$val"
  unset "$fileVar" "$mysqlFileVar"
}

# One value of the server's effective configuration (`mariadbd --verbose --help`).
server_config() {
  local name="$1"
  shift
  "$@" --verbose --help 2>/dev/null | awk -v n="$name" '$1 == n && NF > 1 { sub(/^[^ ]+ +/, ""); print; exit }'
}

sql_escape() { printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g"; }

process_sql() {
  local database=()
  if [ -n "${MARIADB_DATABASE:-}" ] && [ "${1:-}" != "--no-database" ]; then
    database=(--database="$MARIADB_DATABASE")
  fi
  [ "${1:-}" = "--no-database" ] && shift
  MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}" mariadb --no-defaults --protocol=socket --socket="$SOCKET" \
    -uroot "${database[@]}" "$@"
}

temp_server_start() {
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --wsrep_on=OFF \
    --expire-logs-days=0 --skip-slave-start --loose-innodb_buffer_pool_load_at_startup=0 \
    --skip-ssl &
  MARIADB_PID=$!
  note "Waiting for server startup"
  local i
  for i in $(seq 60); do
    if mariadb --no-defaults --protocol=socket --socket="$SOCKET" -uroot -e 'SELECT 1' \
      >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$MARIADB_PID" 2>/dev/null; then
      error "Unable to start server."
    fi
    sleep 0.5
  done
  error "Unable to start server: it did not answer in 30 seconds."
}

temp_server_stop() {
  kill "$MARIADB_PID"
  wait "$MARIADB_PID" || error "the temporary server did not stop cleanly"
}

setup_env() {
  file_env MARIADB_ROOT_HOST '%'
  file_env MARIADB_DATABASE
  file_env MARIADB_USER
  file_env MARIADB_PASSWORD
  file_env MARIADB_ROOT_PASSWORD
  file_env MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
  file_env MARIADB_RANDOM_ROOT_PASSWORD
}

verify_env() {
  if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] &&
    [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    error "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
  fi
  if [ "$MARIADB_USER" = root ]; then
    error "MARIADB_USER=root, MARIADB_USER and MARIADB_PASSWORD are for configuring a regular user and cannot be used for the root user
	Remove MARIADB_USER=\"root\" and use one of the following to control the root user password:
	- MARIADB_ROOT_PASSWORD
	- MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
	- MARIADB_RANDOM_ROOT_PASSWORD"
  fi
  if [ -n "$MARIADB_USER" ] && [ -z "$MARIADB_PASSWORD" ]; then
    warn "MARIADB_PASSWORD is not set: the user $MARIADB_USER gets an empty password"
  fi
}

setup_db() {
  if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    MARIADB_ROOT_PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)"
    export MARIADB_ROOT_PASSWORD
    note "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
  fi
  local rootPw host sql
  rootPw="$(sql_escape "$MARIADB_ROOT_PASSWORD")"
  host="$(sql_escape "$MARIADB_ROOT_HOST")"
  sql="SET @@SESSION.SQL_LOG_BIN=0;
SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname,'\\'');
SET PASSWORD FOR 'root'@'localhost'= PASSWORD('${rootPw}');"
  if [ "$MARIADB_ROOT_HOST" != localhost ]; then
    sql+="
CREATE USER 'root'@'${host}' IDENTIFIED BY '${rootPw}';
GRANT ALL ON *.* TO 'root'@'${host}' WITH GRANT OPTION;
GRANT PROXY ON ''@'%' TO 'root'@'${host}' WITH GRANT OPTION;"
  fi
  if [ -n "$MARIADB_DATABASE" ]; then
    note "Creating database ${MARIADB_DATABASE}"
    sql+="
CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE//\`/\`\`}\`;"
  fi
  if [ -n "$MARIADB_USER" ]; then
    note "Creating user ${MARIADB_USER}"
    local user pw
    user="$(sql_escape "$MARIADB_USER")"
    pw="$(sql_escape "$MARIADB_PASSWORD")"
    sql+="
CREATE USER '${user}'@'%' IDENTIFIED BY '${pw}';"
    if [ -n "$MARIADB_DATABASE" ]; then
      note "Giving user ${MARIADB_USER} access to schema ${MARIADB_DATABASE}"
      sql+="
GRANT ALL ON \`${MARIADB_DATABASE//\`/\`\`}\`.* TO '${user}'@'%';"
    fi
  fi
  # Root has no password yet: the first connection goes without one.
  MARIADB_ROOT_PASSWORD= process_sql --no-database <<<"$sql"
}

process_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          note "$0: running $f"
          "$f"
        else
          note "$0: sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql)
        note "$0: running $f"
        process_sql <"$f"
        ;;
      *.sql.gz)
        note "$0: running $f"
        gunzip -c "$f" | process_sql
        ;;
      *.sql.xz)
        note "$0: running $f"
        xzcat "$f" | process_sql
        ;;
      *.sql.zst)
        note "$0: running $f"
        zstd -dc "$f" | process_sql
        ;;
      *) note "$0: ignoring $f" ;;
    esac
  done
}

main() {
  if [ "${1:0:1}" = '-' ]; then
    set -- mariadbd "$@"
  fi
  case "${1:-}" in
    mariadbd | mysqld | */mariadbd | */mysqld) ;;
    *) exec "$@" ;;
  esac
  local arg
  for arg in "${@:2}"; do
    case "$arg" in
      -'?' | --help | --print-defaults | -V | --version) exec "$@" ;;
    esac
  done

  local version
  version="$("$1" --version | awk '{ for (i = 1; i <= NF; i++) if ($i == "Ver") { print $(i + 1); exit } }')"
  note "Entrypoint script for MariaDB Server ${version} started (local cluster: the host's $(command -v "$1"))."
  DATADIR="$(server_config datadir "$@")"
  DATADIR="${DATADIR%/}"
  SOCKET="$(server_config socket "$@")"
  [ -n "$DATADIR" ] || error "cannot read the server's datadir from $1 --verbose --help"
  [ -n "$SOCKET" ] || SOCKET=/run/mysqld/mysqld.sock

  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$DATADIR" "${SOCKET%/*}"
    find "$DATADIR" \! -user mysql -exec chown mysql:mysql '{}' +
    find "${SOCKET%/*}" -maxdepth 0 \! -user mysql -exec chown mysql:mysql '{}' \;
    # The init-file the cluster's init container wrote (0600: it holds passwords). In a real pod
    # every container runs as uid 999 (the pod's runAsUser), so the file is the server's own;
    # here the sidecar ran as root, so it is given to the user the server runs as.
    local initFile
    initFile="$(server_config init-file "$@")"
    if [ -n "$initFile" ] && [ -f "$initFile" ] && [ "$(stat -c %U "$initFile")" != mysql ]; then
      chown mysql:mysql "$initFile"
    fi
    note "Switching to dedicated user 'mysql'"
    exec setpriv --reuid=mysql --regid=mysql --init-groups -- bash "${BASH_SOURCE[0]}" "$@"
  fi

  if [ ! -d "$DATADIR/mysql" ]; then
    setup_env
    verify_env
    note "Initializing database files"
    mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
      --skip-test-db --old-mode=UTF8_IS_UTF8MB3 --default-time-zone=SYSTEM \
      --enforce-storage-engine= --skip-log-bin --expire-logs-days=0 \
      --loose-innodb_buffer_pool_load_at_startup=0 \
      --loose-innodb_buffer_pool_dump_at_shutdown=0 "${@:2}"
    note "Database files initialized"
    note "Starting temporary server"
    temp_server_start "$@"
    note "Temporary server started."
    setup_db
    process_init_files
    note "Stopping temporary server"
    temp_server_stop
    note "Temporary server stopped"
    note "MariaDB init process done. Ready for start up."
  fi
  exec "$@"
}

main "$@"
