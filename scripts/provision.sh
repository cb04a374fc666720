#!/usr/bin/env bash
# Provisions what the tests need on a Debian/Ubuntu machine; scripts/test.sh calls it first, and it can
# be run on its own (as root to install). Idempotent: what is there and answers is left as it is.
#
#   scripts/provision.sh
#
# 1. Makes sure a MariaDB/MySQL server answers at the test JDBC URL (CASCADE_TEST_JDBC_URL, default
#    jdbc:mysql://127.0.0.1:3306/test?user=root): starts it, or installs MariaDB with apt-get as root,
#    creates the database and lets the user log in over TCP with an empty password.
#    Then the same for PostgreSQL (CASCADE_TEST_PG_URL, default
#    jdbc:postgresql://127.0.0.1:5432/test?user=postgres), which the JDBC dialect tests use.
# 2. Installs redis-server if missing (optional: the tests fall back to the redis-server binary in the
#    embedded-redis jar, but cluster and sentinel tests prefer Redis 7). The tests start their own
#    private redis-server processes; the system Redis on 6379 is never started or stopped here.
# 3. Installs Maven if missing.
# 4. Installs Debian's python3-redis (and so python3) if missing: PythonInteropTest reads and writes
#    a json-codec cache from Python with redis-py, and fails without it.
# 5. Installs Debian's faketime (libfaketime) if missing: ClockSkewTest runs a child JVM whose clock
#    is ten minutes off, and fails without it.
set -euo pipefail

say() { printf '[provision.sh] %s\n' "$*"; }
die() { printf '[provision.sh] FAILED: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }
can_apt() { is_root && command -v apt-get >/dev/null 2>&1; }

apt_updated=0
# Installs packages without letting them start services (policy-rc.d exit 101): a package must not
# start a system Redis on 6379, and MariaDB is started below the same way on every machine.
apt_install() {
  local created_policy=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq >/tmp/cascade-apt.log 2>&1 || rc=$?
    [ "$rc" -eq 0 ] && apt_updated=1
  fi
  if [ "$rc" -eq 0 ]; then
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>/tmp/cascade-apt.log 2>&1 || rc=$?
  fi
  [ "$created_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || tail -n 20 /tmp/cascade-apt.log >&2
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
# 1. The database
# ---------------------------------------------------------------------------------------------
jdbc_url=${CASCADE_TEST_JDBC_URL:-jdbc:mysql://127.0.0.1:3306/test?user=root}

# jdbc:mysql://[user[:password]@]host[:port]/database[?name=value&...]
rest=${jdbc_url#jdbc:*://}
query=""; [[ "$rest" == *\?* ]] && query=${rest#*\?}
rest=${rest%%\?*}
authority=${rest%%/*}
db_name=""; [[ "$rest" == */* ]] && db_name=${rest#*/}
db_user=""; db_password=""
if [[ "$authority" == *@* ]]; then
  credentials=${authority%@*}; authority=${authority##*@}
  db_user=${credentials%%:*}; [[ "$credentials" == *:* ]] && db_password=${credentials#*:}
fi
db_host=${authority%:*}; db_port=3306
[[ "$authority" == *:* ]] && db_port=${authority##*:}
IFS='&' read -r -a params <<<"$query"
for p in "${params[@]}"; do
  case "$p" in
    user=*) db_user=${p#user=} ;;
    password=*) db_password=${p#password=} ;;
  esac
done
db_user=${db_user:-root}; db_name=${db_name:-test}
db_host=${db_host#[}; db_host=${db_host%]}
[[ "$db_host" == localhost ]] && db_host=127.0.0.1
[[ "$db_name" =~ ^[A-Za-z0-9_]+$ ]] || die "database name '$db_name' in $jdbc_url is not a plain identifier"

port_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$db_host/$db_port" 2>/dev/null; }
is_loopback() { [[ "$db_host" == 127.* || "$db_host" == "::1" ]]; }

db_server_binary() {
  local b
  for b in mariadbd mysqld; do
    command -v "$b" 2>/dev/null && return 0
    [ -x "/usr/sbin/$b" ] && { echo "/usr/sbin/$b"; return 0; }
  done
  return 1
}

start_db_server() {
  local bin=$1
  say "starting $bin"
  if is_root && command -v start-stop-daemon >/dev/null 2>&1; then
    # as this project's machine image does: mariadbd reads /etc/mysql and drops to the mysql user
    install -d -o mysql -g mysql -m 755 /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec "$bin" && return 0
  fi
  # elsewhere the init system knows the layout (slower: Debian's script waits for its own ping)
  service mariadb start >/dev/null 2>&1 || service mysql start >/dev/null 2>&1
}

wait_for_port() {
  local deadline=$((SECONDS + 60))
  while ! port_answers; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}

ensure_db_server() {
  if port_answers; then
    say "database server answers on $db_host:$db_port"
    return 0
  fi
  is_loopback || die "no database answers at $db_host:$db_port ($jdbc_url); start it or set CASCADE_TEST_JDBC_URL"
  local bin
  if ! bin=$(db_server_binary); then
    can_apt || die "no MariaDB/MySQL answers at $db_host:$db_port and none is installed; install mariadb-server (as root: apt-get install mariadb-server) or set CASCADE_TEST_JDBC_URL"
    apt_install mariadb-server || die "apt-get install mariadb-server failed (log: /tmp/cascade-apt.log)"
    bin=$(db_server_binary) || die "mariadb-server installed, but no mariadbd/mysqld found"
  fi
  start_db_server "$bin" || true
  wait_for_port || die "started $bin, but nothing answers on $db_host:$db_port after 60 s; see /var/log/mysql or journalctl"
  say "database server answers on $db_host:$db_port"
}

sql_client() { command -v mariadb 2>/dev/null || command -v mysql 2>/dev/null; }

# root over TCP with the URL's password (empty by default), as the JDBC driver will log in
tcp_login() {
  MYSQL_PWD="$db_password" "$client" --protocol=TCP -h "$db_host" -P "$db_port" -u "$db_user" -N -e "$1" >/dev/null 2>&1
}

# root over the local socket: on a fresh Debian install that is the only way in (unix_socket auth)
socket_sql() { "$client" -u root -N -e "$1" >/dev/null 2>&1; }

ensure_db_login() {
  local client
  client=$(sql_client) || { say "no mariadb/mysql client: not checking the login (tests will)"; return 0; }
  if ! tcp_login "SELECT 1"; then
    if ! { is_loopback && is_root && [ "$db_user" = root ] && [ -z "$db_password" ]; }; then
      die "cannot log in to $db_host:$db_port as '$db_user' over TCP; fix the account or CASCADE_TEST_JDBC_URL"
    fi
    say "root cannot log in over TCP; allowing an empty password for root@localhost and root@127.0.0.1"
    # MariaDB syntax first, MySQL's as the fallback; unix_socket keeps working for local admins
    socket_sql "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;
                CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY '';
                GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" \
      || socket_sql "ALTER USER 'root'@'localhost' IDENTIFIED WITH caching_sha2_password BY '';
                     CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
                     GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" \
      || die "cannot reach the database as root over the local socket to fix root's TCP login"
    tcp_login "SELECT 1" || die "root still cannot log in to $db_host:$db_port over TCP with an empty password"
  fi
  tcp_login "CREATE DATABASE IF NOT EXISTS \`$db_name\`" || die "cannot create database '$db_name' on $db_host:$db_port"
  say "database '$db_name' ready for '$db_user'"
}

ensure_db_server
ensure_db_login

# ---------------------------------------------------------------------------------------------
# 1b. PostgreSQL, for the JDBC dialect tests (CASCADE_TEST_PG_URL, default
#     jdbc:postgresql://127.0.0.1:5432/test?user=postgres): trust auth on loopback, database test
# ---------------------------------------------------------------------------------------------
pg_url=${CASCADE_TEST_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
pg_rest=${pg_url#jdbc:postgresql://}
pg_authority=${pg_rest%%/*}
pg_host=${pg_authority%:*}; pg_port=5432
[[ "$pg_authority" == *:* ]] && pg_port=${pg_authority##*:}
pg_db=${pg_rest#*/}; pg_db=${pg_db%%\?*}
pg_user=postgres
[[ "$pg_url" == *user=* ]] && { pg_user=${pg_url##*user=}; pg_user=${pg_user%%&*}; }
[[ "$pg_host" == localhost ]] && pg_host=127.0.0.1

pg_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$pg_host/$pg_port" 2>/dev/null; }
pg_clusters() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
pg_start() {
  local version
  version=$(pg_clusters) || return 1
  [ -n "$version" ] || return 1
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
}
pg_as_admin() { (cd /tmp && su postgres -c "psql -q -v ON_ERROR_STOP=1 -d postgres -c \"$1\"") >/dev/null 2>&1; }

ensure_postgres() {
  if ! pg_answers; then
    [[ "$pg_host" == 127.* ]] || die "no PostgreSQL answers at $pg_host:$pg_port; start it or set CASCADE_TEST_PG_URL"
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      can_apt || die "no PostgreSQL answers at $pg_host:$pg_port and none is installed; install postgresql (apt-get install postgresql) or set CASCADE_TEST_PG_URL"
      apt_install postgresql || die "apt-get install postgresql failed (log: /tmp/cascade-apt.log)"
    fi
    pg_start
    local deadline=$((SECONDS + 60))
    until pg_answers; do
      [ "$SECONDS" -lt "$deadline" ] || die "started PostgreSQL, but nothing answers on $pg_host:$pg_port after 60 s"
      sleep 1
    done
  fi
  if command -v psql >/dev/null 2>&1 && ! psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -c 'SELECT 1' >/dev/null 2>&1; then
    is_root || die "cannot log in to PostgreSQL at $pg_host:$pg_port as '$pg_user' to database '$pg_db'; fix it or set CASCADE_TEST_PG_URL"
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      say "letting local TCP clients in without a password (test machine only): $hba"
      sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
      pg_as_admin "SELECT pg_reload_conf()" || true
    fi
    pg_as_admin "CREATE DATABASE $pg_db" || true
    psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -c 'SELECT 1' >/dev/null 2>&1 \
      || die "PostgreSQL at $pg_host:$pg_port still refuses '$pg_user' on database '$pg_db'"
  fi
  say "PostgreSQL answers on $pg_host:$pg_port"
}

ensure_postgres

# ---------------------------------------------------------------------------------------------
# 2. Redis: optional, the tests start their own servers (on free ports, never 6379)
# ---------------------------------------------------------------------------------------------
if command -v redis-server >/dev/null 2>&1; then
  say "using $(redis-server --version | cut -d' ' -f1-3)"
elif can_apt; then
  apt_install redis-server || say "could not install redis-server; the tests use the one in the embedded-redis jar"
else
  say "no redis-server on the PATH; the tests use the one in the embedded-redis jar (Redis 6.2)"
fi

# ---------------------------------------------------------------------------------------------
# 3. Maven
# ---------------------------------------------------------------------------------------------
if ! command -v mvn >/dev/null 2>&1; then
  can_apt || die "Maven (mvn) is not installed"
  apt_install maven || die "apt-get install maven failed (log: /tmp/cascade-apt.log)"
fi
say "using $(mvn -v 2>/dev/null | head -n 1 | sed 's/\x1b\[[0-9;]*m//g')"

# ---------------------------------------------------------------------------------------------
# 4. Python with redis-py, for PythonInteropTest (the json codec read and written from Python).
#    Debian's python3-redis installs into /usr/bin/python3, which the test prefers over a python3
#    earlier on the PATH (pyenv); CASCADE_PYTHON names another interpreter, then used alone.
# ---------------------------------------------------------------------------------------------
python_has_redis() { "$1" -c 'import redis' >/dev/null 2>&1; }
if [ -n "${CASCADE_PYTHON:-}" ]; then
  # the test uses exactly this interpreter, so installing Debian's package would not help it
  python_has_redis "$CASCADE_PYTHON" \
    || die "CASCADE_PYTHON=$CASCADE_PYTHON cannot import redis: install redis-py for it, or unset CASCADE_PYTHON to use Debian's python3-redis"
  say "using $CASCADE_PYTHON with redis-py (CASCADE_PYTHON)"
elif python_has_redis /usr/bin/python3; then
  say "using /usr/bin/python3 with redis-py $(/usr/bin/python3 -c 'import redis; print(redis.__version__)')"
elif can_apt; then
  apt_install python3-redis || die "apt-get install python3-redis failed (log: /tmp/cascade-apt.log)"
  python_has_redis /usr/bin/python3 || die "python3-redis installed, but /usr/bin/python3 cannot import redis"
  say "installed python3-redis for /usr/bin/python3"
else
  die "no python3 with the redis module: install python3-redis (as root: apt-get install python3-redis) or set CASCADE_PYTHON"
fi

# ---------------------------------------------------------------------------------------------
# 5. libfaketime, for ClockSkewTest (a child JVM whose wall clock is ten minutes off Redis's).
# ---------------------------------------------------------------------------------------------
# $CASCADE_LIBFAKETIME when set, else where the package put it, else where Debian puts it for this
# machine's architecture, else /usr/lib/faketime (ChildJvm looks in the same places)
find_faketime() {
  if [ -n "${CASCADE_LIBFAKETIME:-}" ]; then
    echo "$CASCADE_LIBFAKETIME"
    return
  fi
  local candidate
  for candidate in $(dpkg -L libfaketime 2>/dev/null | grep '/libfaketimeMT\.so\.1$') \
      "/usr/lib/$(uname -m)-linux-gnu/faketime/libfaketimeMT.so.1" \
      /usr/lib/faketime/libfaketimeMT.so.1; do
    if [ -r "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
  echo "/usr/lib/$(uname -m)-linux-gnu/faketime/libfaketimeMT.so.1"
}
faketime_lib=$(find_faketime)
if [ -r "$faketime_lib" ]; then
  say "using $faketime_lib"
elif can_apt; then
  apt_install faketime || die "apt-get install faketime failed (log: /tmp/cascade-apt.log)"
  faketime_lib=$(find_faketime)
  [ -r "$faketime_lib" ] || die "faketime installed, but $faketime_lib is missing"
  say "installed faketime ($faketime_lib)"
else
  die "no libfaketime at $faketime_lib: install Debian's faketime package (as root: apt-get install faketime)"
fi
