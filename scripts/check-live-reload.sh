#!/bin/sh
# The new user's path, checked in a real (headless) browser:
#   ecoscore init demo && cd demo && ecoscore serve --open, then edit a value.
# `--open` launches headless Chromium through $BROWSER; a small Node script
# reads the open page over the DevTools protocol before and after the edit and
# checks that the page reloaded by itself and shows the new score.
#
# Usage: scripts/check-live-reload.sh [path/to/ecoscore]   (default: ecoscore on PATH)
# Needs chromium and node >= 20 (for --experimental-websocket).
set -eu

bin=${1:-ecoscore}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
profile=$(mktemp -d)
port=$((20000 + $$ % 20000))

# The "browser" records its process id so the script stops exactly that process.
cat >"$work/browser" <<BROWSER
#!/bin/sh
echo \$\$ >"$work/browser.pid"
exec chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \\
  --disable-background-networking --disable-component-update --disable-sync \\
  --user-data-dir="$profile" --remote-debugging-port=$port "\$@"
BROWSER
chmod +x "$work/browser"

cd "$work"
"$bin" init demo
cd demo
BROWSER="$work/browser" "$bin" serve --port 0 --open >serve.log 2>&1 &
pid=$!
stop() {
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -f "$work/browser.pid" ]; then kill "$(cat "$work/browser.pid")" 2>/dev/null || true; fi
  sleep 0.5
  rm -rf "$work" "$profile"
}
trap stop EXIT

node --experimental-websocket --no-warnings "$here/check-live-reload.mjs" "$port" "$work/demo"
echo "--- serve said:"
cat serve.log
