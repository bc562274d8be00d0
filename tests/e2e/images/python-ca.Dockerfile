# A python stand-in that trusts the test machines' TLS-intercepting proxy, like a corporate
# base image would: for building the seeds' own Dockerfiles, which know nothing of --ca-cert.
ARG BASE=djship-e2e/python:3.11
FROM ${BASE}
COPY ca.crt /usr/local/share/djship-e2e/ca.crt
ENV PIP_CERT=/usr/local/share/djship-e2e/ca.crt \
    SSL_CERT_FILE=/usr/local/share/djship-e2e/ca.crt \
    REQUESTS_CA_BUNDLE=/usr/local/share/djship-e2e/ca.crt
