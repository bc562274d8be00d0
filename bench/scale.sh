#!/usr/bin/env bash
# djship's production stack behind nginx over HTTPS with 1, 2 and 3 web replicas, beside
# seed 000's compose file (runserver, one container, plain HTTP), side by side in one run on
# the same project (a fresh `startproject` on Django 5.2):
#   - requests per second and p99 latency (wrk --latency, loopback, 2 threads, 16
#     connections, 10 s) on two dynamic pages, /admin/login/ (template only, no query) and
#     /admin/ signed in (a session and a user read from PostgreSQL on every request), and
#     a static file (admin CSS);
#   - time from `up` (image already built) to every service healthy, for djship's stack;
#     to the first 200 for the seed's, which has no healthcheck.
# Writes the "Scaling behind nginx" section of docs/benchmarks.md.
#   bash bench/scale.sh          (needs what scripts/setup-test-env installs, and the seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-test-env)"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
DJ=$PWD/target/release/djship
D=/usr/bin/docker
export DJSHIP_DOCKER=$D DJSHIP_COMPOSE=$DJSHIP_TOOLS_VENV/bin/docker-compose DOCKER_BUILDKIT=1
seeds=${DJSHIP_SEEDS:-$PWD/../shared/seeds}
[ -d "$seeds" ] || { echo "the seeds are needed (DJSHIP_SEEDS)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

proj=$work/benchscale
mkdir -p "$proj"
"$DJSHIP_TOOLS_VENV/bin/django-admin" startproject mysite "$proj"
printf 'Django==5.2.*\n' > "$proj/requirements.txt"
printf '3.11\n' > "$proj/.python-version"
cp -r "$proj" "$work/seed"
# The seed's PostgreSQL driver, as seed 001's Pipfile has it (djship adds psycopg itself).
printf 'psycopg2-binary==2.9.*\n' >> "$work/seed/requirements.txt"
"$DJ" init "$proj" --patch-settings --python-image djship-e2e/python:3.11 \
  --postgres-image djship-e2e/postgres:15 --nginx-image djship-e2e/nginx:1.22 \
  --ca-cert /etc/ssl/certs/ca-certificates.crt >/dev/null
"$DJ" build "$proj" >/dev/null 2>&1

# wrk's requests/s and 99th percentile latency (ms) for a URL, with a cookie if given.
load() {
  local out rps p99
  out=$(wrk -t2 -c16 -d10s --latency ${2:+-H "Cookie: $2"} "$1")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.1f", v}' <<<"$out")
  echo "$rps $p99"
}

export HTTP_PORT=18180 HTTPS_PORT=18443
# Nothing left from an earlier run (a database volume with another password).
"$DJ" down --prod -v "$proj" >/dev/null 2>&1 || true

# Seed 000's compose (runserver with DEBUG on, PostgreSQL, no healthchecks), its own image
# from seed 000's Dockerfile (base swapped for the local stand-in).
python3 - "$(ls "$seeds"/000_*.txt)" "$work/seed" <<'PY'
import re, sys, pathlib
md = open(sys.argv[1]).read()
out = pathlib.Path(sys.argv[2])
docker = next(b for b in re.findall(r"```dockerfile\n(.*?)```", md, re.S | re.I) if "runserver" in b or "CMD" in b)
docker = re.sub(r"FROM python:[^\s]+", "FROM djship-e2e/python-ca:3.11", docker)
(out / "Dockerfile").write_text(docker)
# The seed's settings read PostgreSQL from POSTGRES_* (its own DATABASES block, appended
# as it teaches; Django's default CONN_MAX_AGE of 0 stays), and its second compose file
# passes them.
databases = re.search(r"^DATABASES = \{.*?^\}", md, re.S | re.M).group(0)
settings = out / "mysite" / "settings.py"
settings.write_text(settings.read_text() + "\nimport os\n" + databases + "\n")
compose = next(b for b in re.findall(r"```yaml\n(.*?)```", md, re.S) if "runserver" in b and "POSTGRES_HOST" in b)
compose = re.sub(r"image: postgres:[^\s]+", "image: djship-e2e/postgres:15", compose)
compose = compose.replace('"8000:8000"', '"18189:8000"')
(out / "seed-compose.yml").write_text(compose)
PY
C=$DJSHIP_COMPOSE
seed() { (cd "$work/seed" && $C -p benchseed -f seed-compose.yml "$@"); }
seed down -v >/dev/null 2>&1 || true
seed build >/dev/null 2>&1

# Runs a command until it succeeds, at most TRIES times DELAY seconds apart; else stops the
# run with MESSAGE.
poll() {
  local tries=$1 delay=$2 message=$3 i
  shift 3
  for i in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep "$delay"
  done
  echo "$message" >&2
  exit 1
}

# The seed's web does not wait for its database (depends_on without a condition): runserver's
# migration check fails on a PostgreSQL that is still starting, and the server then hangs.
# The seed is started in the order it needs (the database accepting connections, then web),
# which is what a healthcheck-gated depends_on would do; its time counts both.
seed_start() {
  seed up -d db >/dev/null 2>&1
  poll 600 0.1 "the seed's PostgreSQL never accepted connections" \
    seed exec -T db pg_isready -q -h 127.0.0.1 -U user
  seed up -d web >/dev/null 2>&1
  poll 600 0.2 "the seed's web never answered /admin/login/" \
    curl -sf -o /dev/null http://127.0.0.1:18189/admin/login/
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
m() { printf '%s\n' "$@" | median; }

# Time to healthy, three times each, from an empty database volume: djship's `up --prod`
# until every service is healthy; the seed's start (seed_start) until its first 200.
ups=() seed_ups=()
for _ in 1 2 3; do
  t0=$(date +%s.%N)
  "$DJ" up --prod --no-build "$proj" >/dev/null 2>&1
  ups+=("$(echo "$(date +%s.%N) - $t0" | bc)")
  "$DJ" down --prod -v "$proj" >/dev/null 2>&1
  t0=$(date +%s.%N)
  seed_start
  seed_ups+=("$(echo "$(date +%s.%N) - $t0" | bc)")
  seed down -v >/dev/null 2>&1
done
up=$(printf '%s\n' "${ups[@]}" | median)
seed_up=$(printf '%s\n' "${seed_ups[@]}" | median)

# Both stacks run at once and are loaded in turn, three rounds for each replica count: a
# change in the machine's share of its host hits both sides alike. Each figure is the
# median of its rounds (the seed's of all nine).
seed_start
# The seed never migrates (its compose has no step for it): done here, once, by hand.
poll 30 1 "the seed's migrate kept failing" seed exec -T web python manage.py migrate --noinput
# A superuser signed in: the session cookie the signed-in page is loaded with. The session
# and the user are rows in PostgreSQL, read on every request.
signin='from django.contrib.auth import get_user_model
from django.test import Client
u, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True, "is_superuser": True})
c = Client()
c.force_login(u)
print("SESSION", c.cookies["sessionid"].value)'
seed_cookie="sessionid=$(seed exec -T web python manage.py shell -c "$signin" | awk '/^SESSION/ {print $2}')"
# Every figure must come from a 200, not a redirect to the login form.
signed_in() { curl -sk -o /dev/null -w '%{http_code}' -H "Cookie: $2" "$1" | grep -qx 200 \
  || { echo "$1 does not answer 200 signed in" >&2; exit 1; }; }
signed_in "http://127.0.0.1:18189/admin/" "$seed_cookie"
DYN=/admin/login/ DB=/admin/ STA=/static/admin/css/base.css
rows=() sd=() sd99=() sq=() sq99=() ss=() ss99=()
for n in 1 2 3; do
  "$DJ" up --prod --no-build --scale "$n" "$proj" >/dev/null 2>&1
  sleep 6  # nginx's DNS answer (5 s) names every replica
  if [ -z "${cookie:-}" ]; then
    cookie="sessionid=$("$DJ" manage --prod "$proj" -- shell -c "$signin" | awk '/^SESSION/ {print $2}')"
  fi
  signed_in "https://127.0.0.1:$HTTPS_PORT$DB" "$cookie"
  d=() d99=() q=() q99=() s=() s99=()
  for _ in 1 2 3; do
    read -r a b < <(load "https://127.0.0.1:$HTTPS_PORT$DYN"); d+=("$a"); d99+=("$b")
    read -r a b < <(load "http://127.0.0.1:18189$DYN"); sd+=("$a"); sd99+=("$b")
    read -r a b < <(load "https://127.0.0.1:$HTTPS_PORT$DB" "$cookie"); q+=("$a"); q99+=("$b")
    read -r a b < <(load "http://127.0.0.1:18189$DB" "$seed_cookie"); sq+=("$a"); sq99+=("$b")
    read -r a b < <(load "https://127.0.0.1:$HTTPS_PORT$STA"); s+=("$a"); s99+=("$b")
    read -r a b < <(load "http://127.0.0.1:18189$STA"); ss+=("$a"); ss99+=("$b")
  done
  dm=$(m "${d[@]}") qm=$(m "${q[@]}") sm=$(m "${s[@]}")
  [ -n "${best_dyn:-}" ] && [ "$(echo "$dm > $best_dyn" | bc)" = 0 ] || best_dyn=$dm
  [ -n "${best_db:-}" ] && [ "$(echo "$qm > $best_db" | bc)" = 0 ] || best_db=$qm
  [ -n "${best_sta:-}" ] && [ "$(echo "$sm > $best_sta" | bc)" = 0 ] || best_sta=$sm
  rows+=("| djship, $n web replica$([ "$n" -gt 1 ] && echo s || true) (HTTPS, nginx) | $dm | $(m "${d99[@]}") | $qm | $(m "${q99[@]}") | $sm | $(m "${s99[@]}") |")
done
"$DJ" down --prod -v "$proj" >/dev/null 2>&1
ratio() { echo "scale=1; $1 / $2" | bc; }
sdyn=$(m "${sd[@]}") sdyn99=$(m "${sd99[@]}") ssta=$(m "${ss[@]}") ssta99=$(m "${ss99[@]}")
sdb=$(m "${sq[@]}") sdb99=$(m "${sq99[@]}")
seed down -v >/dev/null 2>&1

{
  echo
  echo "## Scaling behind nginx (HTTPS)"
  echo
  echo "Reproduce: \`bash bench/scale.sh\` (one run, same project, same machine: $(nproc) cores, $(date -u +%Y-%m-%d))."
  echo "A fresh \`startproject\` on Django 5.2. djship's production stack (nginx terminating TLS,"
  echo "gunicorn with 2 workers per replica, PostgreSQL) scaled with \`djship up --prod --scale N\`,"
  echo "beside seed 000's compose file (runserver with DEBUG on, plain HTTP, one container). Both"
  echo "stacks run at once and are loaded in turn, three rounds a replica count; each figure is the"
  echo "median of its rounds (the seed's of all nine). Load: \`wrk -t2 -c16 -d10s --latency\` on"
  echo "loopback; wrk, Docker's port proxy, nginx, the replicas and PostgreSQL share the machine's"
  echo "cores, so more replicas add no CPU here."
  echo
  echo "| stack | /admin/login/ req/s | p99 ms | /admin/ signed in req/s | p99 ms | static file (admin CSS) req/s | p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo "| seed 000 (runserver, HTTP) | $sdyn | $sdyn99 | $sdb | $sdb99 | $ssta | $ssta99 |"
  echo
  echo "/admin/login/ renders a template and makes no query. /admin/ signed in reads the session and"
  echo "the user from PostgreSQL on every request: the seed's settings open a new connection for"
  echo "each (Django's default CONN_MAX_AGE of 0), djship's settings patch keeps them (60 s, with"
  echo "health checks). The seed's database was migrated by hand (its compose never migrates)."
  echo
  echo "Against the seed, at the best replica count: /admin/login/ $(ratio "${best_dyn}" "$sdyn")x its throughput,"
  echo "/admin/ signed in $(ratio "${best_db}" "$sdb")x, the static file $(ratio "${best_sta}" "$ssta")x."
  echo
  echo "From \`up\` (image built, empty database volume) to every service healthy, median of three:"
  echo "djship $(printf %.1f "$up") s ($(printf '%.1f ' "${ups[@]}")s); the seed's to its first 200 $(printf %.1f "$seed_up") s (no"
  echo "healthcheck; its web does not wait for PostgreSQL and hangs if started first, so it is"
  echo "started here database first, then web, and its time counts both)."
} > "$work/section.md"
python3 - "$work/section.md" <<'PY'
import sys
doc = open("docs/benchmarks.md").read()
start = doc.find("\n## Scaling behind nginx (HTTPS)")
if start >= 0:
    end = doc.find("\n## ", start + 1)
    doc = doc[:start] + (doc[end:] if end >= 0 else "")
doc = doc.rstrip("\n") + "\n" + open(sys.argv[1]).read()
open("docs/benchmarks.md", "w").write(doc)
PY
cat "$work/section.md"
