#!/usr/bin/env bash
# Builds local stand-ins for the official python, postgres, nginx, redis, mariadb and node images from
# Debian packages (no registry is reachable from the test machines). Tags:
#   djship-e2e/debian:{bookworm,trixie}, djship-e2e/python:{3.11,3.13}, djship-e2e/python-ca:3.11,
#   djship-e2e/postgres:15, djship-e2e/nginx:1.22, djship-e2e/redis:7, djship-e2e/mariadb:10.11,
#   djship-e2e/node:18, djship-e2e/prometheus:2, djship-e2e/nginx-exporter:0,
#   djship-e2e/postgres-exporter:0, djship-e2e/alertmanager:0
# The stand-ins keep the official images' interfaces that the generated setup relies on:
# /usr/local/bin/python with pip and venv; POSTGRES_USER/PASSWORD/DB and pg_isready; nginx
# reading /etc/nginx/conf.d/*.conf and logging to stdout; redis-server and redis-cli;
# MARIADB_DATABASE/USER/PASSWORD/ROOT_PASSWORD, healthcheck.sh and the mariadb client; node and
# npm (Debian's nodejs and npm packages) for a frontend build stage.
# Idempotent: an image is rebuilt only when its Dockerfile or inputs change (a hash label).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=1

label() { "$DOCKER" image inspect -f '{{index .Config.Labels "djship.e2e.hash"}}' "$1" 2>/dev/null || true; }

for suite in bookworm trixie; do
  if ! "$DOCKER" image inspect "djship-e2e/debian:$suite" >/dev/null 2>&1; then
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
cp "$here"/postgres-entrypoint.sh "$here"/mariadb-entrypoint.sh "$here"/mariadb-healthcheck.sh "$here"/docker-clean "$ctx/"

# build TAG DOCKERFILE [build args...]
build() {
  local tag=$1 file=$2
  shift 2
  local hash
  hash=$(cat "$here/$file" "$ctx"/* | sha256sum | cut -c1-16)-$(echo "$*" | sha256sum | cut -c1-8)
  if [ "$(label "$tag")" != "$hash" ]; then
    "$DOCKER" build -q "$@" --label "djship.e2e.hash=$hash" -t "$tag" -f "$here/$file" "$ctx" >/dev/null
  fi
}
# python:3.11 on bookworm, python:3.13 on trixie (Django 6 needs 3.12+).
build djship-e2e/python:3.11 python.Dockerfile --build-arg SUITE=bookworm
build djship-e2e/python:3.13 python.Dockerfile --build-arg SUITE=trixie
# The same with the host's CA bundle baked in (for Dockerfiles without --ca-cert).
build djship-e2e/python-ca:3.11 python-ca.Dockerfile --build-arg BASE=djship-e2e/python:3.11
build djship-e2e/postgres:15 postgres.Dockerfile
build djship-e2e/nginx:1.22 nginx.Dockerfile
build djship-e2e/redis:7 redis.Dockerfile
build djship-e2e/mariadb:10.11 mariadb.Dockerfile
build djship-e2e/node:18 node.Dockerfile --build-arg SUITE=bookworm
# The monitoring stack (djship init --monitoring): Prometheus (with promtool), its nginx and
# PostgreSQL exporters, Alertmanager.
build djship-e2e/prometheus:2 prometheus.Dockerfile
build djship-e2e/nginx-exporter:0 nginx-exporter.Dockerfile
build djship-e2e/postgres-exporter:0 postgres-exporter.Dockerfile
build djship-e2e/alertmanager:0 alertmanager.Dockerfile
"$DOCKER" image ls 'djship-e2e/*'
