#!/usr/bin/env bash
# Installs what Streamscope needs to build and test, and only what is missing: safe to re-run, and
# quick when everything is there. Uses only crates.io, npm and Debian's packages (no GitHub).
#
#   scripts/setup.sh [--all]  everything: the app's toolchain, Chromium + ChromeDriver, e2e deps
#   scripts/setup.sh --app    only what `trunk build` and serving the app need
#
# scripts/serve.sh and scripts/test.sh source this file, so the PATH it sets (cargo's bin folder,
# .tools/node_modules/.bin for wasm-opt) carries over to them.
#
# What it installs, each step only when missing:
#   - the Rust target wasm32-unknown-unknown, rustfmt and clippy (rustup)
#   - trunk 0.21.14 (cargo install --locked; ~6 min the first time)
#   - wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen (cargo install; ~2 min the first time)
#   - wasm-opt: npm package binaryen at Trunk.toml's wasm_opt version, in .tools/ (gitignored)
#   - python3 (serves dist/), node + npm (Debian packages, if missing)
#   - the Hangul webfont: npm package @fontsource/noto-sans-kr at web/fonts/package-lock.json's
#     version, in web/fonts/ (gitignored), and the subset web/fonts/prepare.mjs copies for Trunk
#   - without --app: chromium + chromium-driver (Debian packages) and tests/e2e's npm packages

ss_main() {
  local mode=all
  case "${1:-}" in
    "" | --all) ;;
    --app) mode=app ;;
    -h | --help)
      sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      return 0
      ;;
    *) ss_fail "unknown argument '$1' (use --app or --all)" ;;
  esac

  SS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local t0=$SECONDS

  ss_find_sudo
  ss_rust
  ss_trunk
  ss_wasm_bindgen
  ss_node
  ss_binaryen
  ss_fonts
  ss_python
  if [ "$mode" = all ]; then
    ss_chromium
    ss_e2e_deps
  fi
  ss_say "ready ($mode) in $((SECONDS - t0))s"
}

ss_say() { printf '[setup] %s\n' "$*"; }
ss_fail() {
  printf '[setup] ERROR: %s\n' "$*" >&2
  exit 1
}
ss_on_path() { case ":$PATH:" in *":$1:"*) return 0 ;; *) return 1 ;; esac }

ss_find_sudo() {
  SS_SUDO=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SS_SUDO=(sudo); fi
  fi
}

# Debian packages. `apt-get update` runs only when a package has no install candidate yet (fresh
# machine) or when installing from the current lists fails (stale lists).
ss_apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    ss_fail "apt-get not found: install the packages '$*' with your system's package manager, then re-run"
  if [ "$(id -u)" != 0 ] && [ ${#SS_SUDO[@]} -eq 0 ]; then
    ss_fail "need root (or sudo) to install '$*': run 'apt-get install -y $*' as root, then re-run"
  fi
  local p updated=0
  for p in "$@"; do
    if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then
      ss_say "apt-get update (no install candidate for $p yet)"
      "${SS_SUDO[@]}" apt-get update -q || ss_fail "apt-get update failed: check the network / Debian mirror, then re-run"
      updated=1
      break
    fi
  done
  ss_say "apt-get install -y $*"
  if ! "${SS_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; then
    [ $updated = 1 ] && ss_fail "apt-get install $* failed (see above)"
    ss_say "install failed with the current package lists: apt-get update and retry"
    "${SS_SUDO[@]}" apt-get update -q || ss_fail "apt-get update failed: check the network / Debian mirror, then re-run"
    "${SS_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" ||
      ss_fail "apt-get install $* failed (see above)"
  fi
}

ss_rust() {
  # Find cargo even with a bare PATH (CI, `env -i`): rustup puts it in $CARGO_HOME/bin.
  local cargo_home="${CARGO_HOME:-$HOME/.cargo}"
  if ! command -v cargo >/dev/null 2>&1 && [ -f "$cargo_home/env" ]; then
    # shellcheck disable=SC1091
    . "$cargo_home/env"
  fi
  # `cargo install` puts trunk and wasm-bindgen there too.
  ss_on_path "$cargo_home/bin" || PATH="$cargo_home/bin:$PATH"
  export PATH
  command -v cargo >/dev/null 2>&1 ||
    ss_fail "cargo not found (looked on PATH and in $cargo_home/bin): install Rust with rustup (https://rustup.rs), then re-run"

  if command -v rustup >/dev/null 2>&1; then
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
      ss_say "rustup target add wasm32-unknown-unknown"
      rustup target add wasm32-unknown-unknown || ss_fail "could not add the wasm32-unknown-unknown target"
    fi
    local c
    for c in rustfmt clippy; do
      if ! rustup component list --installed | grep -q "^$c"; then
        ss_say "rustup component add $c"
        rustup component add "$c" || ss_fail "could not add the rustup component $c"
      fi
    done
  else
    # Rust without rustup (e.g. a distribution's): the wasm32 standard library must be there.
    local libdir
    libdir="$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null || true)"
    if [ -z "$libdir" ] || ! ls "$libdir"/libcore-*.rlib >/dev/null 2>&1; then
      ss_fail "no rustup, and the wasm32-unknown-unknown standard library is missing: install Rust with rustup, then re-run"
    fi
  fi
  ss_say "ok: $(cargo --version), target wasm32-unknown-unknown"
}

SS_TRUNK_VERSION=0.21.14

ss_trunk() {
  local have
  have="$(trunk --version 2>/dev/null || true)"
  if [ "$have" != "trunk $SS_TRUNK_VERSION" ]; then
    ss_say "installing trunk $SS_TRUNK_VERSION (found: '${have:-none}'); takes ~6 minutes the first time"
    # --locked: trunk's own lock file builds with this machine's rustc (0.22.x needs a newer one).
    cargo install --locked trunk --version "$SS_TRUNK_VERSION" ||
      ss_fail "cargo install trunk $SS_TRUNK_VERSION failed (see above)"
    have="$(trunk --version 2>/dev/null || true)"
    [ "$have" = "trunk $SS_TRUNK_VERSION" ] ||
      ss_fail "after installing, 'trunk --version' says '$have' (PATH: is $(command -v trunk || echo 'no trunk') the one in ${CARGO_HOME:-$HOME/.cargo}/bin?)"
  fi
  ss_say "ok: $have"
}

# The wasm-bindgen version the app is built with: the one Cargo.lock resolved (crates/web/Cargo.toml
# pins it with "="). The CLI (used by Trunk and wasm-bindgen-test-runner) must equal it exactly.
ss_lock_wasm_bindgen_version() {
  awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' \
    "$SS_ROOT/Cargo.lock" 2>/dev/null
}

ss_wasm_bindgen() {
  local want
  want="$(ss_lock_wasm_bindgen_version)"
  if [ -z "$want" ]; then
    # No lock entry yet (fresh edit of Cargo.toml): take the "=x.y.z" pin from crates/web/Cargo.toml.
    want="$(sed -n 's/^wasm-bindgen *= *"=\([0-9][0-9.]*\)".*/\1/p' "$SS_ROOT/crates/web/Cargo.toml" | head -n1)"
  fi
  [ -n "$want" ] || ss_fail "could not read the wasm-bindgen version from Cargo.lock or crates/web/Cargo.toml (expected wasm-bindgen = \"=0.2.x\")"

  local trunk_pin
  trunk_pin="$(sed -n 's/^wasm_bindgen *= *"\([^"]*\)".*/\1/p' "$SS_ROOT/Trunk.toml" 2>/dev/null | head -n1)"
  if [ -n "$trunk_pin" ] && [ "$trunk_pin" != "$want" ]; then
    ss_fail "Trunk.toml pins wasm_bindgen = \"$trunk_pin\" but Cargo.lock has wasm-bindgen $want: make them equal (and crates/web/Cargo.toml's \"=\" pin)"
  fi

  local have have_runner
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  have_runner="$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ] || [ "$have_runner" != "$want" ]; then
    ss_say "installing wasm-bindgen-cli $want (found: '${have:-none}'); takes ~2 minutes the first time"
    # Not --locked: its lock file names a crate version the registry no longer serves.
    # --force: replace a different version even if cargo thinks it is up to date.
    CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
      cargo install wasm-bindgen-cli --version "=$want" --force ||
      ss_fail "cargo install wasm-bindgen-cli --version =$want failed (see above)"
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    [ "$have" = "$want" ] || ss_fail "after installing, 'wasm-bindgen --version' says '$have', want $want (check PATH)"
  fi
  ss_say "ok: wasm-bindgen $have (+ wasm-bindgen-test-runner)"
}

ss_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ss_say "node/npm missing: installing Debian's nodejs + npm"
    ss_apt_install nodejs npm
  fi
  ss_say "ok: node $(node --version), npm $(npm --version)"
}

# wasm-opt from the npm package binaryen (Debian's binaryen is too old: its output throws at load).
# The version comes from Trunk.toml's `wasm_opt = "version_N"`, which also makes Trunk refuse any
# other wasm-opt instead of downloading one.
ss_binaryen() {
  local want
  want="$(sed -n 's/^wasm_opt *= *"version_\([0-9]*\)".*/\1/p' "$SS_ROOT/Trunk.toml" 2>/dev/null | head -n1)"
  [ -n "$want" ] || ss_fail "Trunk.toml has no [tools] wasm_opt = \"version_N\": add it (binaryen's version, e.g. version_132)"
  local tools="$SS_ROOT/.tools"
  local bin="$tools/node_modules/.bin"
  if ! "$bin/wasm-opt" --version 2>/dev/null | grep -q "version $want\b"; then
    ss_say "npm install binaryen@$want.0.0 into .tools/"
    mkdir -p "$tools"
    [ -f "$tools/package.json" ] || printf '{ "private": true }\n' >"$tools/package.json"
    npm install --prefix "$tools" --prefer-offline --no-audit --no-fund --loglevel=error "binaryen@$want.0.0" ||
      ss_fail "npm install binaryen@$want.0.0 failed (see above)"
    "$bin/wasm-opt" --version 2>/dev/null | grep -q "version $want\b" ||
      ss_fail "after installing, '$bin/wasm-opt --version' does not say version $want"
  fi
  ss_on_path "$bin" || PATH="$bin:$PATH"
  export PATH
  ss_say "ok: $(wasm-opt --version)"
}

# The Hangul webfont (npm only): web/fonts/package-lock.json pins @fontsource/noto-sans-kr;
# `npm ci` runs only when the lock changed since the last install, and prepare.mjs writes
# web/fonts/noto-sans-kr/ (the Korean subsets of weights 400 and 700) that index.html copies.
ss_fonts() {
  local dir="$SS_ROOT/web/fonts"
  local stamp="$dir/node_modules/.setup-stamp" sum
  sum="$(sha256sum "$dir/package-lock.json" "$dir/package.json" "$dir/prepare.mjs" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ] || [ ! -f "$dir/noto-sans-kr/noto-sans-kr.css" ]; then
    ss_say "npm ci in web/fonts (@fontsource/noto-sans-kr)"
    (cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) ||
      ss_fail "npm ci in web/fonts failed (see above)"
    node "$dir/prepare.mjs" || ss_fail "web/fonts/prepare.mjs failed (see above)"
    printf '%s\n' "$sum" >"$stamp"
  fi
  ss_say "ok: Hangul webfont in web/fonts/noto-sans-kr ($(find "$dir/noto-sans-kr" -name '*.woff2' | wc -l) woff2 files)"
}

ss_python() {
  command -v python3 >/dev/null 2>&1 || ss_apt_install python3
  ss_say "ok: $(python3 --version)"
}

ss_chromium() {
  # Fixed paths: tests/e2e/playwright.config.ts and scripts/test.sh use them.
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    ss_apt_install chromium chromium-driver
  fi
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] ||
    ss_fail "/usr/bin/chromium or /usr/bin/chromedriver missing after installing chromium + chromium-driver"
  ss_say "ok: $(/usr/bin/chromium --version 2>/dev/null | grep -i chromium | head -n1), $(/usr/bin/chromedriver --version | head -n1 | cut -d' ' -f1-2)"
}

# tests/e2e's npm packages. Reinstalled only when package-lock.json changed since the last install.
ss_e2e_deps() {
  local dir="$SS_ROOT/tests/e2e"
  [ -f "$dir/package.json" ] || { ss_say "no tests/e2e/package.json: skipping e2e deps"; return 0; }
  local stamp="$dir/node_modules/.setup-stamp" sum=""
  [ -f "$dir/package-lock.json" ] && sum="$(sha256sum "$dir/package-lock.json" "$dir/package.json" | sha256sum | cut -d' ' -f1)"
  if [ -z "$sum" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ] ||
    [ ! -x "$dir/node_modules/.bin/playwright" ]; then
    # Playwright must never download a browser here: it uses /usr/bin/chromium.
    if [ -f "$dir/package-lock.json" ]; then
      ss_say "npm ci in tests/e2e"
      (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefer-offline --no-audit --no-fund --loglevel=error) ||
        ss_fail "npm ci in tests/e2e failed (see above); if package.json changed, run 'npm install' there and commit package-lock.json"
      sum="$(sha256sum "$dir/package-lock.json" "$dir/package.json" | sha256sum | cut -d' ' -f1)"
      printf '%s\n' "$sum" >"$stamp"
    else
      ss_say "npm install in tests/e2e (no package-lock.json: commit the one it writes)"
      (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefer-offline --no-audit --no-fund --loglevel=error) ||
        ss_fail "npm install in tests/e2e failed (see above)"
    fi
  fi
  ss_say "ok: tests/e2e $("$dir/node_modules/.bin/playwright" --version)"
}

if (return 0 2>/dev/null); then
  # Sourced (by serve.sh / test.sh, always with --app or --all: a bare `source` would pass the
  # caller's arguments). They run with `set -euo pipefail`; a failure here exits them too.
  ss_main "$@"
else
  set -euo pipefail
  ss_main "$@"
fi
