#!/usr/bin/env python3
"""Write a deterministic corpus of Dockerfiles for the hadolint comparison.

    python3 bench/gen_dockerfiles.py OUT_DIR [COUNT] [SEED]

Each file is a random but reproducible mix of the instructions that djship's
hadolint-coded rules look at (DL3000, DL3006, DL3007, DL3009, DL3015, DL3020, DL3025,
DL3042, DL4000, DL4003, DL4004), with and without the mistakes, in one or two stages,
with continuations, heredocs and comments. The same corpus is used by tests/lint.rs (same verdicts as hadolint) and
bench/lint.sh (speed).
"""
import os
import random
import sys

BASES = [
    "python:3.12-slim", "python:3.11-slim-bookworm", "python", "python:latest",
    "debian:bookworm-slim", "ubuntu:24.04", "ubuntu", "registry.example.com/team/python:3.12",
    "python@sha256:" + "a" * 64, "scratch",
]

APT = [
    "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && apt-get install -y --no-install-recommends gcc",
    "RUN apt-get update",
    "RUN apt-get -y install curl",
    "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n       # headers for psycopg\n       libpq-dev \\\n    && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean",
    "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends git",
    "RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends make\nEOF",
    "RUN apt-get install -y -o APT::Install-Recommends=false jq",
]

PIP = [
    "RUN pip install --no-cache-dir -r requirements.txt",
    "RUN pip install -r requirements.txt",
    "RUN python -m pip install gunicorn==23.0.0",
    "RUN pip3 install --no-cache-dir django==5.2",
    "RUN uv pip install --system -r requirements.txt",
    "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
    "RUN pip install --no-cache-dir -U pip && pip install -r requirements.txt",
    "RUN pip install gunicorn # --no-cache-dir",
    "RUN pip install --upgrade pip setuptools wheel",
]

FILES = [
    "COPY requirements.txt .",
    "COPY . .",
    "ADD . /app",
    "ADD requirements.txt /app/",
    "ADD https://example.com/tool.tar.gz /opt/",
    "ADD vendor.tar.gz /opt/vendor/",
    "ADD assets.zip /srv/",
    "ADD --chown=10001:10001 . /app",
    "COPY --chown=10001 . /app",
]

MISC = [
    "WORKDIR /app",
    "ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1",
    "ENV PIP_NO_CACHE_DIR=1",
    "EXPOSE 8000",
    "USER 10001",
    "ARG VERSION=1.0",
    "LABEL org.opencontainers.image.title=app",
    "# a comment line",
    'CMD ["python", "-V"]',
    'ENTRYPOINT ["tini", "--"]',
    "WORKDIR src",
    "WORKDIR $HOME/app",
    "MAINTAINER Jane Doe <jane@example.com>",
    "ENV DJANGO_SETTINGS_MODULE mysite.settings",
]

CMDS = [
    'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "mysite.wsgi"]',
    "CMD gunicorn --bind 0.0.0.0:8000 mysite.wsgi",
    'ENTRYPOINT ["/app/docker/entrypoint.sh"]',
    "ENTRYPOINT /app/docker/entrypoint.sh",
    'CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]',
    "CMD python manage.py runserver 0.0.0.0:8000",
]


def stage(rng, base, name=None):
    lines = [f"FROM {base}" + (f" AS {name}" if name else "")]
    pool = APT + PIP + FILES + MISC
    for _ in range(rng.randint(2, 9)):
        lines.append(rng.choice(pool))
    return lines


def dockerfile(rng):
    lines = []
    if rng.random() < 0.15:
        lines.append("ARG BASE=python:3.12-slim")
        first = "${BASE}"
    else:
        first = rng.choice(BASES)
    if rng.random() < 0.35:
        lines += stage(rng, first if first != "scratch" else "python:3.12", "build")
        second = rng.choice(["build", "python:3.12-slim", "python"])
        lines += stage(rng, second)
        lines.append("COPY --from=build /opt/venv /opt/venv")
    else:
        lines += stage(rng, first)
    if rng.random() < 0.9:
        lines.append(rng.choice(CMDS))
    return "\n".join(lines) + "\n"


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 2026
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for n in range(count):
        with open(os.path.join(out, f"{n:04}.Dockerfile"), "w") as f:
            f.write(dockerfile(rng))


if __name__ == "__main__":
    main()
