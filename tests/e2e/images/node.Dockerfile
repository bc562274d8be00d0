# Stand-in for node:X-slim, built from Debian's nodejs and npm (Node 18 on bookworm).
# Like the official image: `node` and `npm` on the PATH, the system CAs, no yarn or pnpm
# preinstalled beyond what npm can fetch.
ARG SUITE=bookworm
FROM djship-e2e/debian:${SUITE}
COPY docker-clean /etc/apt/apt.conf.d/docker-clean
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["node"]
