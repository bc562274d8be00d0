#!/bin/sh
# Minimal version of the official image's contract: MARIADB_DATABASE, MARIADB_USER,
# MARIADB_PASSWORD, MARIADB_ROOT_PASSWORD; data in /var/lib/mysql; listens on 3306.
set -eu
if [ "$(id -u)" = 0 ]; then
  mkdir -p /var/lib/mysql /run/mysqld
  chown -R mysql:mysql /var/lib/mysql /run/mysqld
  exec setpriv --reuid=mysql --regid=mysql --init-groups "$0" "$@"
fi
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=normal >/dev/null
  mariadbd --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  for _ in $(seq 60); do mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break; sleep 1; done
  hc=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  printf '[client]\nuser=healthcheck\npassword=%s\nsocket=/run/mysqld/mysqld.sock\n' "$hc" > /var/lib/mysql/.my-healthcheck.cnf
  chmod 600 /var/lib/mysql/.my-healthcheck.cnf
  mariadb -uroot --socket=/run/mysqld/init.sock <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD is required}';
CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE:?}\`;
CREATE USER '${MARIADB_USER:?}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD:?}';
GRANT ALL ON \`${MARIADB_DATABASE}\`.* TO '${MARIADB_USER}'@'%';
CREATE USER 'healthcheck'@'localhost' IDENTIFIED BY '$hc';
FLUSH PRIVILEGES;
SQL
  kill "$pid"
  wait "$pid" || true
fi
exec "$@" --bind-address=0.0.0.0 --port=3306
