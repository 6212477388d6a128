#!/bin/sh
# Trunk's post-build hook (Trunk.toml): builds the page's second WebAssembly module, the zstd
# encoder (crates/zstd-module), and puts it in the staging dir as zstd.wasm, beside the main
# module. Always a release build (a debug encoder is very slow); wasm-opt -Oz as the main module.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
out="${TRUNK_STAGING_DIR:?run by trunk (TRUNK_STAGING_DIR unset)}/zstd.wasm"
cargo build --release --offline --target wasm32-unknown-unknown -p streamscope-zstd-module \
  --manifest-path "$root/Cargo.toml"
wasm="$target/wasm32-unknown-unknown/release/streamscope_zstd_module.wasm"
# wasm-opt takes a minute or two: keep its output beside cargo's and redo it only when the
# module was rebuilt.
opt="$target/wasm32-unknown-unknown/release/zstd.opt.wasm"
if command -v wasm-opt >/dev/null 2>&1; then
  if [ ! -f "$opt" ] || [ "$wasm" -nt "$opt" ]; then
    wasm-opt -Oz --strip-debug --strip-producers "$wasm" -o "$opt"
  fi
  cp "$opt" "$out"
else
  cp "$wasm" "$out"
fi
