#!/usr/bin/env bash
# README command 1: installs what the app needs (only what is missing), builds it with Trunk in
# release mode, offline, and serves dist/ on http://127.0.0.1:8080 (PORT=... to change). Ctrl-C stops.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/setup.sh
source scripts/setup.sh --app

echo "[serve] trunk build --release --offline"
trunk build --release --offline

port="${PORT:-8080}"
echo
echo "[serve] Streamscope: http://127.0.0.1:$port/  (Ctrl-C to stop)"
echo
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory dist
