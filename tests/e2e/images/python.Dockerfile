# Stand-in for python:3.11-slim-bookworm, built from Debian's python3.11.
FROM djship-e2e/debian:bookworm
COPY ca.crt /etc/ssl/certs/ca-certificates.crt
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && cp /etc/ssl/certs/ca-certificates.crt /tmp/ca.crt \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
# The test machines reach PyPI through a TLS-intercepting proxy: trust its CA.
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    UV_NATIVE_TLS=1 \
    LANG=C.UTF-8
CMD ["python3"]
