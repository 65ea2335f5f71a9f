#!/usr/bin/env bash
# Set up .venv (runtime dependencies only) and run the main job that exists today:
# validate the example configs and render a fixed-camera and a patrol-bike street clip,
# each with exact per-frame ground truth, into data/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_packages /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:fonts-wqy-zenhei || \
    echo "setup: no CJK font; banner text is drawn with block glyphs"
ensure_venv
sw=.venv/bin/streetwatch
$sw config check configs/*.yaml
$sw synth video --kind fixed --out data/demo --seed 7 --seconds 20 --fps 10 --size 960x540
$sw synth video --kind moving --out data/demo --seed 8 --seconds 40 --fps 10 --size 960x540 --passes 2
echo
echo "Clips, per-frame truth (.truth.json) and the bike's GPS track (.gpx) are in data/demo/:"
ls -1 data/demo
