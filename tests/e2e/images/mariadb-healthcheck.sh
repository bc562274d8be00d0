#!/bin/sh
# Stand-in for the official image's healthcheck.sh: --connect (the server answers on its
# socket) and --innodb_initialized (InnoDB is up).
set -eu
for arg in "$@"; do
  case "$arg" in
    --connect) mariadb-admin --defaults-extra-file=/var/lib/mysql/.my-healthcheck.cnf ping >/dev/null ;;
    --innodb_initialized) [ "$(mariadb --defaults-extra-file=/var/lib/mysql/.my-healthcheck.cnf -N -e "SELECT 1 FROM information_schema.ENGINES WHERE ENGINE='InnoDB' AND SUPPORT IN ('YES','DEFAULT')")" = 1 ] ;;
  esac
done
