#!/usr/bin/env bash
# Set up (system packages, .venv with the dev extras) and run lint, types and every test layer.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
source scripts/test-postgres.sh
ensure_packages mosquitto:mosquitto /usr/bin/chromium:chromium /usr/bin/chromedriver:chromium-driver \
    ffmpeg:ffmpeg rtsp-server-perl:rtsp-server-perl gpsd:gpsd gpsfake:gpsd-clients \
    /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:fonts-wqy-zenhei
ensure_venv "dev,postgres,train"
ensure_test_postgres
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
