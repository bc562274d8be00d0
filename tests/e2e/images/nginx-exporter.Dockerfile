# Stand-in for nginx/nginx-prometheus-exporter, built from Debian's
# prometheus-nginx-exporter: the binary is the entrypoint, flags are the arguments.
FROM djship-e2e/debian:bookworm
COPY docker-clean /etc/apt/apt.conf.d/docker-clean
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-nginx-exporter \
 && rm -rf /var/lib/apt/lists/*
USER nobody
EXPOSE 9113
ENTRYPOINT ["/usr/bin/prometheus-nginx-exporter"]
