# The floor: the smallest sensible multi-stage image of the benchmark project, by hand.
# Runtime libraries + virtualenv + code, nothing else (no healthcheck, no non-root user).
ARG BASE
FROM ${BASE} AS build
RUN python -m venv /opt/venv
COPY requirements.txt .
RUN /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
FROM ${BASE}
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY . .
ENV PATH=/opt/venv/bin:$PATH
CMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]
