#!/usr/bin/env bash
# The native app's window check: runs build/src/app/vae-app under a virtual X server (Xvfb) for a
# few seconds and saves a screenshot (needs Debian's xvfb, x11-apps, imagemagick).
#   bash tools/screenshot_native_app.sh [OUT.png] [SECONDS]      (default build/app-screenshot.png, 8 s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/app-screenshot.png}
wait_s=${2:-8}
app=$root/build/src/app/vae-app
for tool in Xvfb xwd /usr/bin/convert; do
  command -v "$tool" >/dev/null || { echo "app-screenshot: $tool missing (apt-get install xvfb x11-apps imagemagick)" >&2; exit 1; }
done
[ -x "$app" ] || { echo "app-screenshot: $app missing (bash tools/build.sh)" >&2; exit 1; }
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display "$app" &
app_pid=$!
sleep "$wait_s"
kill -0 "$app_pid" 2>/dev/null || { echo "app-screenshot: vae-app exited early" >&2; exit 1; }
DISPLAY=$display xwd -root -silent | /usr/bin/convert xwd:- "$out"
kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
echo "app-screenshot: $out"
