# Stand-in for the official redis image, built from Debian's redis-server.
FROM djship-e2e/debian:bookworm
COPY docker-clean /etc/apt/apt.conf.d/docker-clean
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no", "--bind", "0.0.0.0", "--dir", "/data"]
