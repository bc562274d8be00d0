# Stand-in for quay.io/prometheuscommunity/postgres-exporter, built from Debian's
# prometheus-postgres-exporter: the binary is the entrypoint and reads DATA_SOURCE_URI,
# DATA_SOURCE_USER and DATA_SOURCE_PASS.
FROM djship-e2e/debian:bookworm
COPY docker-clean /etc/apt/apt.conf.d/docker-clean
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-postgres-exporter \
 && rm -rf /var/lib/apt/lists/*
USER nobody
EXPOSE 9187
ENTRYPOINT ["/usr/bin/prometheus-postgres-exporter"]
