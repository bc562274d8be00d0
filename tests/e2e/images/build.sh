#!/usr/bin/env bash
# Builds local stand-ins for the official python, postgres and nginx images from Debian
# packages (no registry is reachable from the test machines). Tags:
#   djship-e2e/debian:{bookworm,trixie}, djship-e2e/python:{3.11,3.13}, djship-e2e/postgres:15, djship-e2e/nginx:1.22, djship-e2e/redis:7
# The stand-ins keep the official images' interfaces that the generated setup relies on:
# /usr/local/bin/python with pip and venv; POSTGRES_USER/PASSWORD/DB and pg_isready; nginx
# reading /etc/nginx/conf.d/*.conf and logging to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=1

have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

for suite in bookworm trixie; do
  if ! have "djship-e2e/debian:$suite"; then
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase "$suite" "$rootfs" http://deb.debian.org/debian >/dev/null
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | "$DOCKER" import - "djship-e2e/debian:$suite" >/dev/null
    rm -rf "$rootfs"
  fi
done

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca.crt"
cp "$here"/postgres-entrypoint.sh "$ctx/"

# python:3.11 on bookworm, python:3.13 on trixie (Django 6 needs 3.12+).
if ! have djship-e2e/python:3.11; then
  "$DOCKER" build -q --build-arg SUITE=bookworm -t djship-e2e/python:3.11 -f "$here/python.Dockerfile" "$ctx" >/dev/null
fi
if ! have djship-e2e/python:3.13; then
  "$DOCKER" build -q --build-arg SUITE=trixie -t djship-e2e/python:3.13 -f "$here/python.Dockerfile" "$ctx" >/dev/null
fi
if ! have djship-e2e/postgres:15; then
  "$DOCKER" build -q -t djship-e2e/postgres:15 -f "$here/postgres.Dockerfile" "$ctx" >/dev/null
fi
if ! have djship-e2e/nginx:1.22; then
  "$DOCKER" build -q -t djship-e2e/nginx:1.22 -f "$here/nginx.Dockerfile" "$ctx" >/dev/null
fi
if ! have djship-e2e/redis:7; then
  "$DOCKER" build -q -t djship-e2e/redis:7 -f "$here/redis.Dockerfile" "$ctx" >/dev/null
fi
"$DOCKER" image ls 'djship-e2e/*'
