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
VOLUME ["/etc/streetwatch", "/models", "/var/lib/streetwatch"]
HEALTHCHECK --interval=60s --timeout=10s CMD ["streetwatch", "config", "check", "/etc/streetwatch/edge.yaml"]
ENTRYPOINT ["streetwatch"]
CMD ["config", "check", "/etc/streetwatch/edge.yaml"]

FROM base AS server
COPY --from=build /wheels /wheels
RUN pip install "$(ls /wheels/*.whl)[postgres]" && rm -rf /wheels
USER 10001:10001
VOLUME ["/etc/streetwatch", "/var/lib/streetwatch"]
HEALTHCHECK --interval=60s --timeout=10s CMD ["streetwatch", "config", "check", "/etc/streetwatch/server.yaml"]
ENTRYPOINT ["streetwatch"]
CMD ["config", "check", "/etc/streetwatch/server.yaml"]
