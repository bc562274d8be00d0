#!/usr/bin/env bash
# djship against the seeds' setups, side by side in one run, on the same project:
# a fresh `startproject` with a Pipfile (Django, gunicorn, psycopg2-binary), the project
# seed 001 containerizes. Three images:
#   seed 001  its Dockerfile as published (base swapped for the local stand-in)
#   djship    `djship init` output
#   floor     bench/floor.Dockerfile: venv + code on the same base, by hand
# Measures: bytes added over the base image, cold build, rebuild after a code-only
# change (and whether the dependency layer came from cache), rebuild after adding one
# dependency; then for djship's production
# stack and seed 000's compose: `up` to serving, and requests per second (wrk, loopback, 10 s).
#   bash bench/seeds.sh          (needs what scripts/setup-test-env installs)
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-test-env)"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
DJ=$PWD/target/release/djship
D=/usr/bin/docker
export DJSHIP_DOCKER=$D DJSHIP_COMPOSE=$DJSHIP_TOOLS_VENV/bin/docker-compose DOCKER_BUILDKIT=1
seeds=${DJSHIP_SEEDS:-$PWD/../shared/seeds}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The project, locked once.
proj=$work/proj
mkdir -p "$proj"
"$DJSHIP_TOOLS_VENV/bin/django-admin" startproject mysite "$proj"
cat > "$proj/Pipfile" <<'PIP'
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
django = "==5.2.*"
gunicorn = "*"
psycopg2-binary = "*"

[requires]
python_version = "3.11"
PIP
(cd "$proj" && PIPENV_VENV_IN_PROJECT=1 "$DJSHIP_TOOLS_VENV/bin/pipenv" lock >/dev/null 2>&1 \
  && "$DJSHIP_TOOLS_VENV/bin/pipenv" requirements > requirements.txt 2>/dev/null && rm -rf .venv)
printf '3.11\n' > "$proj/.python-version"
# The same project with one more dependency, locked, for the "add a dependency" rebuild.
plus=$work/plus
cp -r "$proj" "$plus"
sed -i 's/^psycopg2-binary = "\*"$/psycopg2-binary = "*"\nrequests = "*"/' "$plus/Pipfile"
(cd "$plus" && PIPENV_VENV_IN_PROJECT=1 "$DJSHIP_TOOLS_VENV/bin/pipenv" lock >/dev/null 2>&1 \
  && "$DJSHIP_TOOLS_VENV/bin/pipenv" requirements > requirements.txt 2>/dev/null && rm -rf .venv)
grep -q requests "$plus/Pipfile.lock"

# seed 001's Dockerfile, extracted from the guide.
seed001=$(ls "$seeds"/001_*.txt)
python3 - "$seed001" "$work/seed001.Dockerfile" <<'PY'
import re, sys
md = open(sys.argv[1]).read()
block = re.search(r"```dockerfile\n(.*?)```", md, re.S | re.I).group(1)
block = block.replace("FROM python:3.12-slim", "FROM djship-e2e/python-ca:3.11").replace("hooshmandlab", "mysite")
open(sys.argv[2], "w").write(block)
PY

for s in seed001 djship floor; do cp -r "$proj" "$work/$s"; done
cp "$work/seed001.Dockerfile" "$work/seed001/Dockerfile"
cp bench/floor.Dockerfile "$work/floor/Dockerfile"
"$DJ" init "$work/djship" --patch-settings --python-image djship-e2e/python:3.11 \
  --postgres-image djship-e2e/postgres:15 --nginx-image djship-e2e/nginx:1.22 \
  --ca-cert /etc/ssl/certs/ca-certificates.crt >/dev/null

size() { $D image inspect -f '{{.Size}}' "$1"; }
secs() { local t0; t0=$(date +%s.%N); "$@" >"$work/last.log" 2>&1; echo "$(date +%s.%N) - $t0" | bc; }
rows=()
for s in seed001 djship floor; do
  base=djship-e2e/python:3.11; [ "$s" = seed001 ] && base=djship-e2e/python-ca:3.11
  args=(build --progress=plain -t "bench-$s" "$work/$s")
  [ "$s" = floor ] && args=(build --progress=plain --build-arg BASE=djship-e2e/python-ca:3.11 -t "bench-$s" "$work/$s") && base=djship-e2e/python-ca:3.11
  $D builder prune -af >/dev/null
  cold=$(secs $D "${args[@]}")
  added=$(( $(size "bench-$s") - $(size $base) ))
  echo "# code change" >> "$work/$s/mysite/urls.py"
  warm=$(secs $D "${args[@]}")
  # The dependency install step must come from cache after a code-only change.
  reused=$(grep -E '^#[0-9]+ \[.*(pip install|pipenv install|uv pip install|uv sync)' -A3 "$work/last.log" | grep -c CACHED || true)
  cp "$plus/Pipfile" "$plus/Pipfile.lock" "$plus/requirements.txt" "$work/$s/"
  dep=$(secs $D "${args[@]}")
  rows+=("| $s | $(( added / 1000000 )) MB | $(printf %.1f "$cold") s | $(printf %.1f "$warm") s | $([ "$reused" -gt 0 ] && echo yes || echo no) | $(printf %.1f "$dep") s |")
done

# djship's production stack: up to healthy, then load through nginx.
export HTTP_PORT=18088
"$DJ" build "$work/djship" >/dev/null
up=$(secs "$DJ" up --prod --no-build "$work/djship")
cat "$work/last.log" >&2
dyn=$(wrk -t2 -c16 -d10s "http://127.0.0.1:$HTTP_PORT/admin/login/" | awk '/Requests\/sec/ {print $2}')
sta=$(wrk -t2 -c16 -d10s "http://127.0.0.1:$HTTP_PORT/static/admin/css/base.css" | awk '/Requests\/sec/ {print $2}')
"$DJ" down --prod -v "$work/djship" >/dev/null

# Seed 000's compose (runserver, no healthchecks, no nginx), running seed 001's image:
# time from `up` to the first 200 on /admin/login/, and the same load.
python3 - "$(ls "$seeds"/000_*.txt)" "$work/seed001/seed-compose.yml" <<'PY'
import re, sys
md = open(sys.argv[1]).read()
block = next(b for b in re.findall(r"```yaml\n(.*?)```", md, re.S) if "runserver" in b and "postgres" in b)
block = block.replace("image: postgres:13", "image: djship-e2e/postgres:15").replace("build: .", "image: bench-seed001")
block = block.replace('"8000:8000"', '"18089:8000"')
open(sys.argv[2], "w").write(block)
PY
C=$DJSHIP_COMPOSE
t0=$(date +%s.%N)
(cd "$work/seed001" && $C -p benchseed -f seed-compose.yml up -d >/dev/null 2>&1)
until curl -sf -o /dev/null http://127.0.0.1:18089/admin/login/; do sleep 0.2; done
seed_up=$(echo "$(date +%s.%N) - $t0" | bc)
seed_dyn=$(wrk -t2 -c16 -d10s "http://127.0.0.1:18089/admin/login/" | awk '/Requests\/sec/ {print $2}')
seed_sta=$(wrk -t2 -c16 -d10s "http://127.0.0.1:18089/static/admin/css/base.css" | awk '/Requests\/sec/ {print $2}')
(cd "$work/seed001" && $C -p benchseed -f seed-compose.yml down -v >/dev/null 2>&1)

{
  echo
  echo "## Against the seeds"
  echo
  echo "Reproduce: \`bash bench/seeds.sh\` (one run, same project, same machine: $(nproc) cores, $(date -u +%Y-%m-%d))."
  echo "The project is a fresh \`startproject\` with seed 001's Pipfile setup (Django, gunicorn,"
  echo "psycopg2-binary). Sizes are bytes added over each image's base (the local stand-in base"
  echo "differs in size from the official one; the added bytes do not). \"floor\" is"
  echo "bench/floor.Dockerfile: a virtualenv and the code on the same base, nothing else."
  echo
  echo "| setup | added over base | cold build | rebuild after a code change | dependency layer reused | rebuild after adding a dependency |"
  echo "|---|---:|---:|---:|:---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "The running stacks, loaded with \`wrk -t2 -c16 -d10s\` on loopback: djship's production stack"
  echo "(nginx, gunicorn with 2 workers, PostgreSQL), and seed 000's compose file (runserver with"
  echo "DEBUG on, PostgreSQL, no healthchecks) running seed 001's image. \"Up\" is \`djship up --prod\`"
  echo "until every service is healthy, and for the seed until the first 200 (it has no healthcheck)."
  echo
  echo "| stack | up | dynamic page (/admin/login/) | static file (admin CSS) |"
  echo "|---|---:|---:|---:|"
  echo "| djship (compose.prod.yaml) | $(printf %.1f "$up") s | $dyn req/s | $sta req/s |"
  echo "| seed 000 compose + seed 001 image | $(printf %.1f "$seed_up") s | $seed_dyn req/s | $seed_sta req/s |"
  echo
  echo "djship's stack starts slower on purpose. It waits for PostgreSQL to be healthy, runs the"
  echo "migrations once, then waits for web's first healthcheck (3 s interval; engines from Docker 25"
  echo "on could use \`start_interval\`) before nginx starts. The seed's stack answers before its"
  echo "database is ready, with no migrations, from Django's development server with DEBUG on."
} > "$work/section.md"
python3 - "$work/section.md" <<'PY'
import sys
doc = open("docs/benchmarks.md").read()
cut = doc.find("\n## Against the seeds")
doc = (doc if cut < 0 else doc[:cut]).rstrip("\n") + "\n" + open(sys.argv[1]).read()
open("docs/benchmarks.md", "w").write(doc)
PY
cat "$work/section.md"
