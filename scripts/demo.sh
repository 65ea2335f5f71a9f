#!/usr/bin/env bash
# Set up .venv (runtime dependencies only) and run the demo: an embedded MQTT broker, the
# case server on SQLite and two edge nodes (pole camera, patrol bike) on generated street clips.
# The review UI stays up at the address it prints until Ctrl-C. Options pass through, e.g.
#   bash scripts/demo.sh --exit-when-done      (exit 0 only when exactly the expected cases exist)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_packages /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:fonts-wqy-zenhei || \
    echo "setup: no CJK font; banner text is drawn with block glyphs"
ensure_venv
.venv/bin/streetwatch config check configs/*.yaml
exec .venv/bin/streetwatch demo "$@"
