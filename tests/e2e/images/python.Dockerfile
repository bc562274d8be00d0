# Stand-in for python:3.X-slim, built from Debian's python3 (3.11 on bookworm, 3.13 on trixie).
ARG SUITE=bookworm
FROM djship-e2e/debian:${SUITE}
COPY docker-clean /etc/apt/apt.conf.d/docker-clean
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip python3-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
# The test machines reach PyPI through a TLS-intercepting proxy: trust its CA (the host's
# bundle, kept apart from Debian's so that ca-certificates updates do not drop it).
COPY ca.crt /usr/local/share/djship-e2e/ca.crt
ENV PIP_CERT=/usr/local/share/djship-e2e/ca.crt \
    SSL_CERT_FILE=/usr/local/share/djship-e2e/ca.crt \
    REQUESTS_CA_BUNDLE=/usr/local/share/djship-e2e/ca.crt \
    UV_NATIVE_TLS=1 \
    UV_SYSTEM_CERTS=1 \
    LANG=C.UTF-8
CMD ["python3"]
