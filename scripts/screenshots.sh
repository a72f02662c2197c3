#!/usr/bin/env bash
# Build the sample site and screenshot several pages at desktop and phone
# width with headless Chromium. Usage: scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshots}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "chromium not found: apt-get install -y chromium fonts-noto-cjk" >&2
  exit 1
fi
cargo run --quiet --release -- build --drafts --out target/screenshot-site
mkdir -p "$out"
site=$(cd target/screenshot-site && pwd)
shoot() { # name width height page
  "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --hide-scrollbars \
    --screenshot="$out/$1.png" --window-size="$2,$3" "file://$site/$4" >/dev/null 2>&1
  echo "$out/$1.png"
}
# Pages with charts (year overview, scorecards, a unit across years) and two
# standalone chart files as they would be dropped into a report.
for page in index.html 2023/index.html 2024/index.html 2023/bulletin/index.html \
  2024/regions/siping/index.html 2022/regions/liaoyuan/index.html \
  regions/changchun/index.html regions/siping/index.html 2025/index.html \
  2024/charts/heatmap.svg regions/siping/trend.svg; do
  name=$(echo "$page" | sed 's#/index.html##; s#/#-#g; s#\.html##; s#\.svg#-svg#')
  shoot "$name-desktop" 1280 1800 "$page"
  shoot "$name-phone" 375 1800 "$page"
done
