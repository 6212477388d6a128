#!/usr/bin/env bash
# End-to-end throughput of `streamscope partition` (release-native build, stdin -> stdout, I/O
# included) against kafka-python's pure-Python murmur2 over the same keys, in the same run.
# Both outputs are compared line by line, so the benchmark is also a cross-check.
#
# Usage: tools/bench_partition.sh [KEYS] [KEY_LEN] [PARTITIONS]   (defaults 1000000 16 12)
# Needs: cargo, python3 with kafka-python (`pip install kafka-python`).
set -euo pipefail

KEYS=${1:-1000000}
KEY_LEN=${2:-16}
PARTITIONS=${3:-12}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

cd "$ROOT"
cargo build --quiet --profile release-native -p streamscope-cli
BIN="$TARGET_DIR/release-native/streamscope"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$BIN" "$WORK" "$KEYS" "$KEY_LEN" "$PARTITIONS" <<'PY'
import os, platform, random, subprocess, sys, time
import kafka
from kafka.partitioner.default import murmur2

bin_path, work, n_keys, key_len, partitions = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
keys_path = os.path.join(work, "keys.txt")
rng = random.Random(42)
alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
with open(keys_path, "wb") as f:
    f.write(b"".join(bytes(rng.choices(alphabet, k=key_len)) + b"\n" for _ in range(n_keys)))
key_bytes = n_keys * key_len

def run_rust():
    out_path = os.path.join(work, "rust.txt")
    with open(keys_path, "rb") as i, open(out_path, "wb") as o:
        t0 = time.perf_counter()
        subprocess.run([bin_path, "partition", "--partitions", str(partitions)],
                       stdin=i, stdout=o, check=True)
        return time.perf_counter() - t0, out_path

def run_python():
    """Same job in kafka-python: read the keys, hash, pick the partition, write one per line."""
    out_path = os.path.join(work, "python.txt")
    t0 = time.perf_counter()
    with open(keys_path, "rb") as i, open(out_path, "w") as o:
        o.writelines("%d\n" % ((murmur2(line.rstrip(b"\n")) & 0x7fffffff) % partitions)
                     for line in i)
    return time.perf_counter() - t0, out_path

rust_runs = [run_rust() for _ in range(5)]
rust_s, rust_out = min(rust_runs)
py_s, py_out = run_python()
with open(rust_out, "rb") as a, open(py_out, "rb") as b:
    same = a.read() == b.read()

model = "unknown"
try:
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
except OSError:
    pass

print("keys: %d x %d bytes (+ newline), %d partitions; cpu: %s, %d cores"
      % (n_keys, key_len, partitions, model, os.cpu_count() or 0))
print("streamscope partition (release-native, best of %d): %.3f s, %.1f M keys/s, %.0f MB/s of key bytes"
      % (len(rust_runs), rust_s, n_keys / rust_s / 1e6, key_bytes / rust_s / 1e6))
print("kafka-python %s murmur2 (Python %s, 1 run):        %.3f s, %.2f M keys/s, %.1f MB/s of key bytes"
      % (kafka.__version__, platform.python_version(), py_s, n_keys / py_s / 1e6,
         key_bytes / py_s / 1e6))
print("speed-up: %.0fx; outputs identical: %s" % (py_s / rust_s, "yes" if same else "NO"))
sys.exit(0 if same else 1)
PY
