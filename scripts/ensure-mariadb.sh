#!/usr/bin/env bash
# Makes sure a MariaDB server answers for the registry tests (run by `npm test` as pretest).
# - MDETECT_TEST_DB_URL set: trust it, do nothing.
# - Something answers on 127.0.0.1:3306 as root with an empty password: done.
# - Otherwise (a fresh machine): install mariadb-server from Debian, start it, and let root
#   log in over TCP with an empty password, as on the developers' machines.
set -euo pipefail

if [ -n "${MDETECT_TEST_DB_URL:-}" ]; then exit 0; fi

tcp_ok() { mariadb --protocol=TCP -h 127.0.0.1 -P 3306 -uroot -e 'SELECT 1' >/dev/null 2>&1; }

if command -v mariadb >/dev/null 2>&1 && tcp_ok; then exit 0; fi

if [ "$(id -u)" != 0 ]; then
  echo "ensure-mariadb: no MariaDB on 127.0.0.1:3306 and not root; start one or set MDETECT_TEST_DB_URL" >&2
  exit 1
fi

if [ ! -x /usr/sbin/mariadbd ]; then
  echo "ensure-mariadb: installing mariadb-server from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mariadb-server mariadb-client >/dev/null
fi

mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
if ! mariadb-admin ping --silent >/dev/null 2>&1; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
fi
for _ in $(seq 1 60); do
  mariadb-admin ping --silent >/dev/null 2>&1 && break
  sleep 1
done

if ! tcp_ok; then
  # Debian's root@localhost authenticates by unix socket only; allow the test login over TCP.
  mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;"
fi
tcp_ok || { echo "ensure-mariadb: MariaDB did not come up on 127.0.0.1:3306" >&2; exit 1; }
