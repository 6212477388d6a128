#!/usr/bin/env bash
# README command 2: installs what is missing (scripts/setup.sh), then runs every test and stops at
# the first failure with a non-zero exit:
#   setup, rustfmt check, clippy (core + web for wasm32, workspace natively, -D warnings),
#   native tests, wasm tests in headless Chromium, trunk release build, Playwright e2e tests
#   against dist/ served on a free loopback port.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
# A test run builds once: incremental caches would only take disk (1.8 GB of target/ measured).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

TIMINGS=()
STAGE=""
STAGE_T0=0
SERVER_PID=""
SERVER_LOG=""
T_ALL=$SECONDS

begin() {
  STAGE="$1"
  STAGE_T0=$SECONDS
  printf '\n==> [%s]\n' "$STAGE"
}
end() {
  local secs=$((SECONDS - STAGE_T0))
  TIMINGS+=("$(printf '%-18s %5ss' "$STAGE" "$secs")")
  printf '<== [%s] ok in %ss\n' "$STAGE" "$secs"
  STAGE=""
}
run() {
  printf '+ %s\n' "$*"
  "$@"
}
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
on_exit() {
  local rc=$?
  stop_server
  if [ $rc -ne 0 ] && [ -n "$SERVER_LOG" ] && [ -n "$STAGE" ] && [ "$STAGE" = e2e ]; then
    echo "--- static server log (last 20 lines) ---"
    tail -n 20 "$SERVER_LOG" 2>/dev/null || true
  fi
  [ -n "$SERVER_LOG" ] && rm -f "$SERVER_LOG"
  echo
  echo "=== stage timings ==="
  local t
  for t in "${TIMINGS[@]}"; do echo "  $t"; done
  if [ $rc -ne 0 ]; then
    [ -n "$STAGE" ] && printf '  %-18s FAILED after %ss\n' "$STAGE" $((SECONDS - STAGE_T0))
    echo "test.sh: FAILED (exit $rc) after $((SECONDS - T_ALL))s"
  else
    echo "test.sh: all stages passed in $((SECONDS - T_ALL))s"
  fi
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

begin setup
# shellcheck source=scripts/setup.sh
source scripts/setup.sh --all
end

begin fmt
run cargo fmt --all -- --check
end

begin clippy-wasm32
# The core and web crates as they really build for the browser (their libs, and the web crate's
# browser tests); not the whole workspace: that would build clap, criterion, proptest for wasm32.
run cargo clippy -p streamscope-core -p streamscope-web --target wasm32-unknown-unknown -- -D warnings
run cargo clippy -p streamscope-web --target wasm32-unknown-unknown --tests -- -D warnings
end

begin clippy-native
run cargo clippy --workspace --all-targets -- -D warnings
end

begin test-native
run cargo test --workspace
end

begin test-wasm
# tests/*.rs of the web crate, in headless Chromium via chromedriver (crates/web/webdriver.json
# holds Chromium's flags). --tests: lib + integration tests, no doctests for wasm32.
run env CHROMEDRIVER=/usr/bin/chromedriver \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p streamscope-web --target wasm32-unknown-unknown --tests
end

begin trunk-build
run trunk build --release --offline
end

begin e2e
SERVER_LOG="$(mktemp)"
# Port 0: the OS picks a free port; http.server prints it ("... port N ...").
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$ROOT/dist" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/^Serving HTTP on [^ ]* port \([0-9]*\).*/\1/p' "$SERVER_LOG" | head -n1)"
  [ -n "$port" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG"; echo "static server died" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$SERVER_LOG"; echo "static server did not start within 10s" >&2; exit 1; }
export STREAMSCOPE_BASE_URL="http://127.0.0.1:$port/"
echo "serving dist/ on $STREAMSCOPE_BASE_URL"
(cd tests/e2e && run ./node_modules/.bin/playwright test)
stop_server
end
