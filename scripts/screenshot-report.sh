#!/usr/bin/env bash
# Takes a PNG screenshot of an AdaptEval HTML report with headless Chromium, for the docs.
#   scripts/screenshot-report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
# WIDTH defaults to 1280 and HEIGHT to 2000 (the top of the report: verdict, scores, transfer).
# The PNG is reduced to at most 300 KB with pngquant and optipng (installed by scripts/setup.sh),
# then, if still too large, taken again with a shorter window.
set -euo pipefail

if [ "$#" -lt 2 ] || [ "$#" -gt 4 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH] [HEIGHT]" >&2
    exit 2
fi
report="$1"
out="$2"
width="${3:-1280}"
height="${4:-2000}"
limit=$((300 * 1024))

say() { printf 'screenshot-report: %s\n' "$*" >&2; }

[ -f "$report" ] || { say "$report: no such file"; exit 2; }
case "$width$height" in *[!0-9]*) say "WIDTH and HEIGHT must be whole numbers of pixels"; exit 2 ;; esac
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { say "chromium is not installed: run \`make setup\`"; exit 2; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"

shoot() {
    rm -f "$out"
    # Root needs --no-sandbox; the page is a local file with no scripts.
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
        --force-device-scale-factor=1 --user-data-dir="$profile" --screenshot="$out" \
        --window-size="$width,$1" "$url" >/dev/null 2>&1
    [ -s "$out" ] || { say "chromium wrote no screenshot"; exit 3; }
    if command -v pngquant >/dev/null; then
        pngquant --force --skip-if-larger --quality=70-95 --speed 1 --output "$out" -- "$out" || true
    fi
    if command -v optipng >/dev/null; then
        optipng -quiet -o2 "$out" || true
    fi
}

shoot "$height"
while [ "$(stat -c %s "$out")" -gt "$limit" ] && [ "$height" -gt 600 ]; do
    height=$((height * 3 / 4))
    say "over 300 KB; retaking at ${width}x${height}"
    shoot "$height"
done
say "$out: ${width}x${height}, $(( $(stat -c %s "$out") / 1024 )) KB"
