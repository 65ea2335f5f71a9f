# syntax=docker/dockerfile:1
# Multi-stage build. Targets:
#   edge    slim image for edge boxes: ONNX Runtime + headless OpenCV, no torch
#   server  the central case-creator
# Configs and models are mounted: /etc/streetwatch (configs), /models (ONNX), /var/lib/streetwatch (data).

FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 streetwatch \
    && useradd --system --uid 10001 --gid streetwatch --home-dir /var/lib/streetwatch --create-home streetwatch
WORKDIR /app

FROM base AS build
COPY pyproject.toml README.md LICENSE ./
COPY streetwatch ./streetwatch
COPY contracts ./contracts
COPY edge ./edge
COPY server ./server
COPY training ./training
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM base AS edge
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels
USER 10001:10001
# Relative paths in the config (outbox, evidence) land in the data volume.
WORKDIR /var/lib/streetwatch
VOLUME ["/etc/streetwatch", "/models", "/var/lib/streetwatch"]
# Healthy while the node's main loop rewrote its status file (beside the outbox) in the last 60 s.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["streetwatch", "edge", "health", "--config", "/etc/streetwatch/edge.yaml", "--max-age", "60"]
ENTRYPOINT ["streetwatch"]
CMD ["edge", "run", "--config", "/etc/streetwatch/edge.yaml"]

FROM base AS server
COPY --from=build /wheels /wheels
RUN pip install "$(ls /wheels/*.whl)[postgres]" && rm -rf /wheels
USER 10001:10001
WORKDIR /var/lib/streetwatch
VOLUME ["/etc/streetwatch", "/var/lib/streetwatch"]
EXPOSE 8080
# /healthz answers 200 while the database answers; http.host must be 0.0.0.0 in a container.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=5)"]
ENTRYPOINT ["streetwatch"]
CMD ["server", "run", "--config", "/etc/streetwatch/server.yaml"]
