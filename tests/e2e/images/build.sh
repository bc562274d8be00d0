#!/usr/bin/env bash
# Builds local stand-ins for the official python, postgres and nginx images from Debian
# packages (no registry is reachable from the test machines). Tags:
#   djship-e2e/debian:bookworm, djship-e2e/python:3.11, djship-e2e/postgres:15, djship-e2e/nginx:1.22
# The stand-ins keep the official images' interfaces that the generated setup relies on:
# /usr/local/bin/python with pip and venv; POSTGRES_USER/PASSWORD/DB and pg_isready; nginx
# reading /etc/nginx/conf.d/*.conf and logging to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=1

have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

if ! have djship-e2e/debian:bookworm; then
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$DOCKER" import - djship-e2e/debian:bookworm >/dev/null
  rm -rf "$rootfs"
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca.crt"
cp "$here"/postgres-entrypoint.sh "$ctx/"

if ! have djship-e2e/python:3.11; then
  "$DOCKER" build -q -t djship-e2e/python:3.11 -f "$here/python.Dockerfile" "$ctx" >/dev/null
fi
if ! have djship-e2e/postgres:15; then
  "$DOCKER" build -q -t djship-e2e/postgres:15 -f "$here/postgres.Dockerfile" "$ctx" >/dev/null
fi
if ! have djship-e2e/nginx:1.22; then
  "$DOCKER" build -q -t djship-e2e/nginx:1.22 -f "$here/nginx.Dockerfile" "$ctx" >/dev/null
fi
"$DOCKER" image ls 'djship-e2e/*'
