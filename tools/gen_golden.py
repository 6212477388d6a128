#!/usr/bin/env python3
"""Writes Streamscope's golden vectors for murmur2 partitioning and v2 record batch sizes.

The values come from kafka-python (PyPI `kafka-python`), an independent implementation of the
Java client's rules:
  - kafka.partitioner.default.murmur2: Kafka's murmur2 (the Java client's Utils.murmur2);
  - kafka.record.default_records.DefaultRecordBatchBuilder: the v2 record batch writer.
CRC-32 values (librdkafka's consistent partitioner) come from Python's zlib.crc32.

Usage (from the repository root; needs `pip install kafka-python`):
    python3 tools/gen_golden.py
Writes:
    crates/core/tests/golden/murmur2_kafka_python.tsv
    crates/core/tests/golden/batch_sizes_kafka_python.json
Deterministic: the keys and records come from a fixed-seed PRNG, so a rerun with the same
kafka-python version rewrites the same bytes. Rust tests read these files; they never run Python.
"""

import json
import os
import platform
import random
import sys
import zlib

import kafka
from kafka.partitioner.default import murmur2 as kp_murmur2
from kafka.record.default_records import DefaultRecordBatchBuilder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "crates", "core", "tests", "golden")
PARTITION_COUNTS = [1, 2, 3, 6, 7, 12, 100, 1000, 2147483647]
SEED = 20261125


def to_signed32(h):
    return h - (1 << 32) if h & 0x80000000 else h


def source_line():
    return "kafka-python %s on Python %s" % (kafka.__version__, platform.python_version())


# ---------------------------------------------------------------------------------------------
# (a) murmur2 keys
# ---------------------------------------------------------------------------------------------

def murmur2_keys(rng):
    """(kind, key bytes) pairs, a few thousand, covering every tail length and byte range."""
    keys = []
    # Kafka's UtilsTest.testMurmur2 and the values listed in shared/kafka/BRIEF.md.
    for s in ["21", "foobar", "a-little-bit-long-string", "a-little-bit-longer-string",
              "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", "abc", "user-42"]:
        keys.append(("known", s.encode()))
    keys.append(("empty", b""))
    # Typical application keys.
    for i in range(400):
        keys.append(("ascii", b"user-%d" % i))
    for i in range(0, 100000, 997):
        keys.append(("ascii", b"order-%08d" % i))
    printable = [chr(c) for c in range(0x20, 0x7f)]
    # Random ASCII of every length 1..64, several each: all tails (0..3 bytes) many times.
    for length in range(1, 65):
        for _ in range(20):
            keys.append(("ascii", "".join(rng.choice(printable) for _ in range(length)).encode()))
    # Tail bytes >= 0x80 (taken unsigned) on every tail length, and all-0xff / all-0x00.
    for length in range(1, 13):
        keys.append(("binary", b"\xff" * length))
        keys.append(("binary", b"\x00" * length))
        keys.append(("binary", b"\x80" * length))
        keys.append(("binary", b"\x7f" * length))
    # Random binary keys of every length 1..48.
    for length in range(1, 49):
        for _ in range(16):
            keys.append(("binary", bytes(rng.randrange(256) for _ in range(length))))
    # Non-ASCII UTF-8: Korean, Japanese, Chinese, Cyrillic, Greek, emoji, accents.
    words = ["주문", "사용자", "결제", "注文", "ユーザー", "订单", "заказ", "παραγγελία",
             "café", "naïve", "Straße", "🚀", "🍣寿司", "κλειδί-🔑"]
    for w in words:
        keys.append(("utf8", w.encode("utf-8")))
        for i in range(20):
            keys.append(("utf8", ("%s-%d" % (w, i)).encode("utf-8")))
    hangul = [chr(c) for c in range(0xAC00, 0xD7A4)]
    for length in range(1, 25):
        for _ in range(4):
            keys.append(("utf8", "".join(rng.choice(hangul) for _ in range(length)).encode()))
    # Long keys.
    for length in [100, 127, 128, 255, 256, 257, 511, 1000, 1023, 1024, 1025, 4096, 4099]:
        keys.append(("long", "".join(rng.choice(printable) for _ in range(length)).encode()))
        keys.append(("long", bytes(rng.randrange(256) for _ in range(length))))
    keys.append(("long", ("가나다라" * 300).encode("utf-8")))
    return keys


def write_murmur2(path, rng):
    keys = murmur2_keys(rng)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("# Kafka murmur2 partitioning golden vectors, written by tools/gen_golden.py.\n")
        f.write("# Source: %s, kafka.partitioner.default.murmur2 (the Java client's\n"
                "# Utils.murmur2); partition = (murmur2 & 0x7fffffff) %% N as in its\n"
                "# DefaultPartitioner; crc32 = Python zlib.crc32 (librdkafka's consistent\n"
                "# partitioner hashes with this CRC-32).\n" % source_line())
        f.write("# key_hex: the key's bytes in lower-case hex (empty = the empty key);\n"
                "# murmur2: signed 32-bit as Java returns it; p_N: partition for N partitions.\n")
        cols = ["kind", "key_hex", "murmur2", "crc32"] + ["p_%d" % n for n in PARTITION_COUNTS]
        f.write("\t".join(cols) + "\n")
        for kind, key in keys:
            h = kp_murmur2(key)
            positive = h & 0x7fffffff
            row = [kind, key.hex(), str(to_signed32(h)), str(zlib.crc32(key))]
            row += [str(positive % n) for n in PARTITION_COUNTS]
            f.write("\t".join(row) + "\n")
    return len(keys)


# ---------------------------------------------------------------------------------------------
# (b) record batch sizes
# ---------------------------------------------------------------------------------------------

def fill(length, salt):
    """Content of keys and values: lower-case letters, byte i = 'a' + (salt + i) % 26."""
    if length is None:
        return None
    return bytes(97 + (salt + i) % 26 for i in range(length))


def record(offset_delta, timestamp_delta, key_len, value_len, headers=()):
    """headers: (key string, value length or None) pairs."""
    return {
        "offset_delta": offset_delta,
        "timestamp_delta": timestamp_delta,
        "key_len": key_len,
        "value_len": value_len,
        "headers": [{"key": k, "value_len": v} for k, v in headers],
    }


def measure_case(name, records):
    """Builds the batch with kafka-python and fills in every size it reports."""
    first_timestamp = 1_764_000_000_000
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=0, is_transactional=False,
        producer_id=-1, producer_epoch=-1, base_sequence=-1, batch_size=1 << 30)
    out = []
    for i, r in enumerate(records):
        key = fill(r["key_len"], i)
        value = fill(r["value_len"], 7 + i)
        headers = [(h["key"], fill(h["value_len"], 13 + j)) for j, h in enumerate(r["headers"])]
        timestamp = first_timestamp + r["timestamp_delta"]
        if i == 0:
            assert r["timestamp_delta"] == 0, "the first record defines the batch's timestamp"
        meta = builder.append(r["offset_delta"], timestamp, key, value, headers)
        assert meta is not None, "kafka-python refused record %d of %s" % (i, name)
        size = DefaultRecordBatchBuilder.size_in_bytes(
            r["offset_delta"], r["timestamp_delta"], key, value, headers)
        assert size == meta.size, (name, i, size, meta.size)
        entry = dict(r)
        entry["headers"] = [
            {"key": h["key"], "key_len": len(h["key"].encode("utf-8")), "value_len": h["value_len"]}
            for h in r["headers"]]
        entry["size_in_bytes"] = size
        entry["size_of_key_value_headers"] = DefaultRecordBatchBuilder.size_of(key, value, headers)
        entry["estimate_size_in_bytes"] = DefaultRecordBatchBuilder.estimate_size_in_bytes(
            key, value, headers)
        out.append(entry)
    built = builder.build()
    assert len(built) == builder.size()
    return {
        "name": name,
        "records": out,
        # Whole batch as written, header included, per codec ("none" = uncompressed).
        "batch_size_in_bytes": {"none": len(built)},
    }


def fixed_cases():
    cases = []
    cases.append(("one record, key 1, value 10", [record(0, 0, 1, 10)]))
    cases.append(("null key, null value (tombstone)", [record(0, 0, None, None)]))
    cases.append(("null key, empty value", [record(0, 0, None, 0)]))
    cases.append(("empty key, value 100", [record(0, 0, 0, 100)]))
    cases.append(("ten records, consecutive offsets and ms",
                  [record(i, i, 5, 50) for i in range(10)]))
    # Value lengths across the zig-zag varint boundaries (63/64, 8191/8192, 1048575/1048576).
    for v in [63, 64, 8191, 8192, 1048575, 1048576]:
        cases.append(("value %d" % v, [record(0, 0, 8, v)]))
    for k in [63, 64, 8191, 8192]:
        cases.append(("key %d" % k, [record(0, 0, k, 1)]))
    # Record bodies of 63/64 bytes: the length prefix grows from 1 to 2 bytes.
    cases.append(("body 63 and 64 bytes", [record(0, 0, None, 57), record(1, 0, None, 58)]))
    cases.append(("timestamp deltas across varlong sizes",
                  [record(0, 0, 3, 3)] + [record(i + 1, d, 3, 3) for i, d in enumerate(
                      [1, 63, 64, 8191, 8192, 1 << 20, 1 << 27, 1 << 34, 1 << 41, 1 << 48,
                       1 << 55, (1 << 62) - 1])]))
    cases.append(("negative timestamp deltas (records older than the first)",
                  [record(0, 0, 3, 3)] + [record(i + 1, d, 3, 3) for i, d in enumerate(
                      [-1, -64, -65, -8192, -8193, -(1 << 40), -1_764_000_000_000])]))
    cases.append(("offset deltas across varint sizes",
                  [record(o, 0, 2, 2) for o in [0, 1, 63, 64, 8191, 8192, 1048575, 1048576,
                                                134217727, 134217728, 2147483647]]))
    cases.append(("one header, null value", [record(0, 0, None, 5, [("trace", None)])]))
    cases.append(("one header, empty key and empty value", [record(0, 0, 4, 5, [("", 0)])]))
    cases.append(("UTF-8 header keys (sized in UTF-8 bytes)",
                  [record(0, 0, 4, 20, [("트레이스-id", 16), ("émetteur", 3), ("🔑", None)])]))
    cases.append(("64 headers (count varint 2 bytes)",
                  [record(0, 0, 4, 20, [("h%d" % i, i % 5) for i in range(64)])]))
    cases.append(("header value 8192", [record(0, 0, 4, 20, [("big", 8192)])]))
    cases.append(("batch.size-like: 16 KiB of 100-byte values",
                  [record(i, i // 10, 10, 100) for i in range(140)]))
    return cases


def random_cases(rng, count):
    cases = []
    header_keys = ["content-type", "trace-id", "x", "", "출처", "🔑", "a" * 70]
    for c in range(count):
        n = rng.choice([1, 1, 2, 3, 5, 8, 13, 30, 70])
        offset, ts = 0, 0
        recs = []
        for i in range(n):
            if i > 0:
                offset += rng.choice([1, 1, 1, 2, 10, 1000])
                ts += rng.choice([0, 0, 1, 5, 100, 70000, -3, 1 << 33])
            key_len = rng.choice([None, 0, 1, 2, 3, 4, 7, 16, 36, 63, 64, 200])
            value_len = rng.choice([None, 0, 1, 10, 63, 64, 100, 1000, 8191, 8192, 20000])
            headers = [(rng.choice(header_keys), rng.choice([None, 0, 1, 40, 64, 300]))
                       for _ in range(rng.choice([0, 0, 0, 1, 2, 5]))]
            recs.append(record(offset, ts, key_len, value_len, headers))
        cases.append(("random %d (seed %d)" % (c, SEED), recs))
    return cases


def write_batches(path, rng):
    cases = [measure_case(name, recs) for name, recs in fixed_cases() + random_cases(rng, 60)]
    doc = {
        "source": source_line() + ": kafka.record.default_records.DefaultRecordBatchBuilder "
                  "(magic 2), written by tools/gen_golden.py",
        "kafka_python_version": kafka.__version__,
        "notes": [
            "Each case is one record batch built with DefaultRecordBatchBuilder.append() and "
            "build(), no producer id, not transactional.",
            "size_in_bytes: DefaultRecordBatchBuilder.size_in_bytes(offset_delta, "
            "timestamp_delta, key, value, headers), equal to what append() reported; the whole "
            "record, its length prefix included (Kafka's DefaultRecord.sizeInBytes).",
            "size_of_key_value_headers: DefaultRecordBatchBuilder.size_of(key, value, headers).",
            "estimate_size_in_bytes: DefaultRecordBatchBuilder.estimate_size_in_bytes(key, "
            "value, headers) = 61 + 21 + size_of (Kafka's "
            "DefaultRecordBatch.estimateBatchSizeUpperBound).",
            "batch_size_in_bytes: len(build()) per codec; 'none' is uncompressed. Compressed "
            "sizes depend on content: keys and values are bytes 'a' + (salt + i) % 26 with salt "
            "= record index for the key, 7 + record index for the value, 13 + header index for "
            "a header value (see fill() in tools/gen_golden.py).",
            "key_len / value_len / header value_len null = a null key / value.",
        ],
        "codecs": ["none"],
        "cases": cases,
    }
    # Indented, but one record per line so the file stays short and diffs stay readable.
    compact = lambda v: json.dumps(v, ensure_ascii=False, separators=(", ", ": "))
    lines = ["{"]
    for k in ["source", "kafka_python_version"]:
        lines.append('  "%s": %s,' % (k, compact(doc[k])))
    lines.append('  "notes": [')
    lines.append(",\n".join("    " + compact(n) for n in doc["notes"]))
    lines.append("  ],")
    lines.append('  "codecs": %s,' % compact(doc["codecs"]))
    lines.append('  "cases": [')
    rendered = []
    for case in doc["cases"]:
        recs = ",\n".join("        " + compact(r) for r in case["records"])
        rendered.append('    {"name": %s,\n      "records": [\n%s\n      ],\n'
                        '      "batch_size_in_bytes": %s}'
                        % (compact(case["name"]), recs, compact(case["batch_size_in_bytes"])))
    lines.append(",\n".join(rendered))
    lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == doc
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return len(cases)


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    n_keys = write_murmur2(os.path.join(GOLDEN, "murmur2_kafka_python.tsv"), random.Random(SEED))
    n_cases = write_batches(os.path.join(GOLDEN, "batch_sizes_kafka_python.json"),
                            random.Random(SEED + 1))
    print("wrote %d keys and %d batch cases with %s" % (n_keys, n_cases, source_line()),
          file=sys.stderr)


if __name__ == "__main__":
    main()
