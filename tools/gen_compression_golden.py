#!/usr/bin/env python3
"""Writes Streamscope's golden vectors for producer compression (crates/core/src/compression).

For a set of batches (keys `key-N`, values from Streamscope's deterministic value generator,
reimplemented here byte for byte from crates/core/src/compression/payload.rs) it records:

  kafka_python   the whole v2 batch size that kafka-python's DefaultRecordBatchBuilder builds
                 for each codec (kafka-python's own codec settings: gzip level 9, python-lz4's
                 frame with the content size, zstandard one-shot level 3 with the content size;
                 it sends the batch uncompressed when compression does not shrink it);
  java_settings  61 + the records section compressed as the Java client does, with the same
                 native libraries: gzip = zlib level 6 (Deflater.DEFAULT_COMPRESSION) in
                 GZIPOutputStream's framing (10-byte header, 8-byte trailer); snappy = xerial
                 framing, 32 KiB blocks (SnappyOutputStream); lz4 = the fast compressor (Kafka's
                 default level 9) in Kafka's frame (Lz4BlockOutputStream: FLG 0x60, BD 0x40, no
                 content size, 64 KiB independent blocks); zstd = level 3, streamed in 16 KiB
                 pieces (BufferedOutputStream over zstd-jni's ZstdOutputStream), no content size,
                 no checksum. The Java client always sends the compressed form.

Plus, per case, the CRC-32 of the uncompressed records section (so the Rust test proves that
its encoding and value generator are byte-identical), the CRC-32 of the xerial snappy stream
(python-snappy runs cramjam, i.e. the Rust `snap` encoder, the classic Snappy algorithm that
Streamscope's encoder follows) and the LZ4 frame's header bytes.

Usage (from the repository root):
    pip install kafka-python python-snappy lz4 zstandard
    python3 tools/gen_compression_golden.py
Writes crates/core/tests/golden/compression_kafka_python.json. Deterministic: a rerun with the
same library versions rewrites the same bytes. The Rust tests read the file; they never run
Python.
"""

import json
import os
import platform
import struct
import zlib

import kafka
import lz4
import lz4.block
import lz4.frame
import snappy
import zstandard
from kafka import codec as kcodec
from kafka.record.default_records import DefaultRecordBatchBuilder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crates", "core", "tests", "golden", "compression_kafka_python.json")
M64 = (1 << 64) - 1
CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
BATCH_HEADER = 61

# ---------------------------------------------------------------------------------------------
# The value generator (crates/core/src/compression/payload.rs), byte for byte.
# ---------------------------------------------------------------------------------------------

SALT = {"json": 0x4A534F4E, "text": 0x54455854, "letters": 0x4C455454, "random": 0x52414E44}

WORDS = [
    "the", "of", "and", "to", "in", "is", "for", "on", "that", "with", "as", "it", "was", "at",
    "by", "from", "order", "customer", "payment", "delivery", "package", "address", "warehouse",
    "shipped", "received", "request", "please", "thanks", "leave", "door", "call", "before",
    "after", "morning", "evening", "weekend", "gift", "wrap", "fragile", "handle", "care",
    "box", "small", "large", "blue", "red", "green", "size", "item", "return", "refund", "store",
    "pickup", "express", "standard", "tracking", "number", "update", "status", "note", "quick",
    "delay", "apologies", "again",
]
assert len(WORDS) == 64
STATUSES = ["NEW", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"]
CHANNELS = ["web", "mobile", "store", "partner"]
CURRENCIES = ["EUR", "USD", "GBP", "JPY", "KRW"]
COUNTRIES = ["DE", "US", "GB", "FR", "JP", "KR", "NL", "BR"]


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, n):
        return 0 if n == 0 else self.next() % n

    def pick(self, items):
        return items[self.below(len(items))]


def fill_words(d, rng, target, first):
    while len(d) < target:
        if not first:
            d += b" "
        first = False
        d += rng.pick(WORDS).encode()
    del d[target:]


def json_value(record_id, length, rng):
    d = bytearray(b'{"order_id":%d' % record_id)
    d += b',"customer":"cust-%05d' % rng.below(20000)
    d += b'","status":"' + rng.pick(STATUSES).encode()
    d += b'","channel":"' + rng.pick(CHANNELS).encode()
    d += b'","currency":"' + rng.pick(CURRENCIES).encode()
    d += b'","country":"' + rng.pick(COUNTRIES).encode()
    ms = (36000000 + record_id * 7) % 86400000
    d += b'","created_at":"2026-11-25T%02d:%02d:%02d.%03d' % (
        ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)
    d += b'Z","items":['
    items = 1 + rng.below(3)
    total = 0
    for i in range(items):
        if i > 0:
            d += b","
        sku = rng.below(100000)
        qty = 1 + rng.below(5)
        price = 99 + rng.below(20000)
        total += qty * price
        d += b'{"sku":"SKU-%05d","qty":%d,"unit_price_cents":%d}' % (sku, qty, price)
    d += b'],"total_cents":%d,"notes":"' % total
    close = b'"}'
    if length >= len(d) + len(close):
        fill_words(d, rng, length - len(close), True)
        d += close
    else:
        d += close
        del d[length:]
    return bytes(d)


def text_value(length, rng):
    out = bytearray()
    while len(out) < length:
        words = 6 + rng.below(9)
        for w in range(words):
            word = rng.pick(WORDS).encode()
            if w == 0:
                out += word[:1].upper() + word[1:]
            else:
                out += b" " + word
        out += b". "
    return bytes(out[:length])


def value_bytes(record_id, length, kind):
    rng = SplitMix64(record_id + SALT[kind])
    if kind == "json":
        return json_value(record_id, length, rng)
    if kind == "text":
        return text_value(length, rng)
    if kind == "letters":
        return bytes(65 + rng.below(26) for _ in range(length))
    if kind == "random":
        out = bytearray()
        while len(out) < length:
            out += struct.pack("<Q", rng.next())
        return bytes(out[:length])
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# Codecs at the Java client's settings.
# ---------------------------------------------------------------------------------------------

XERIAL_HEADER = b"\x82SNAPPY\x00" + struct.pack(">ii", 1, 1)


def java_gzip(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY)
    deflated = c.compress(data) + c.flush()
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + deflated
            + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF))


def java_snappy(data):
    out = bytearray(XERIAL_HEADER)
    for i in range(0, len(data), 32 * 1024):
        block = snappy.compress(data[i:i + 32 * 1024])
        out += struct.pack(">i", len(block)) + block
    return bytes(out)


def java_lz4(data):
    """Lz4BlockOutputStream at the default level 9: lz4-java's fastCompressor, i.e. JNI into
    liblz4's LZ4_compress_default, per 64 KiB independent block. python-lz4's frame writer with
    Kafka's flags (no content size, no checksums, 64 KiB independent blocks) runs the same
    block compressor (LZ4_compress_fast_extState_fastReset: for blocks under 64 KiB + 11 bytes
    the 16-bit table LZ4_compress_default uses) and stores a block raw, length high bit set,
    when it does not shrink, as Kafka does. (python-lz4's lz4.block.compress is NOT the same:
    it goes through LZ4_compress_fast_continue, a 32-bit table with another hash.)"""
    framed = lz4.frame.compress(
        data, compression_level=0, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=False,
        content_checksum=False, block_checksum=False, store_size=False)
    # Check the framing byte by byte against Lz4BlockOutputStream's.
    assert framed[:7] == b"\x04\x22\x4d\x18\x60\x40\x82", framed[:7].hex()
    pos, plain = 7, 0
    while True:
        (n,) = struct.unpack_from("<I", framed, pos)
        pos += 4
        if n == 0:
            break
        size = n & 0x7FFFFFFF
        block = framed[pos:pos + size]
        if n & 0x80000000:
            assert block == data[plain:plain + size]
            plain += size
        else:
            out = lz4.block.decompress(block, uncompressed_size=min(65536, len(data) - plain))
            assert out == data[plain:plain + len(out)]
            plain += len(out)
        pos += size
    assert pos == len(framed) and plain == len(data)
    return framed


def java_zstd(data):
    cctx = zstandard.ZstdCompressor(level=3, write_content_size=False, write_checksum=False)
    cobj = cctx.compressobj()
    out = bytearray()
    for i in range(0, len(data), 16 * 1024):
        out += cobj.compress(data[i:i + 16 * 1024])
    out += cobj.flush()
    return bytes(out)


JAVA = {"gzip": java_gzip, "snappy": java_snappy, "lz4": java_lz4, "zstd": java_zstd}

# Google's C++ libsnappy (what snappy-java wraps) is not what python-snappy 0.7 runs (cramjam,
# the Rust `snap` port of the classic algorithm). Debian's python3-snappy (0.5, a C extension
# over the system libsnappy) is: if the system Python has it (`apt-get install
# python3-snappy`), the xerial size with libsnappy is recorded too ("libsnappy_xerial").
SYSTEM_PYTHON = "/usr/bin/python3"
LIBSNAPPY_CHILD = r"""
import struct, sys
from snappy import _snappy
data = sys.stdin.buffer.read()
pos = 0
sizes = []
while pos < len(data):
    (n,) = struct.unpack_from(">I", data, pos)
    sec = data[pos + 4:pos + 4 + n]
    pos += 4 + n
    total = 16
    for i in range(0, len(sec), 32 * 1024):
        c = _snappy.compress(sec[i:i + 32 * 1024])
        assert _snappy.uncompress(c) == sec[i:i + 32 * 1024]
        total += 4 + len(c)
    sizes.append(total)
print(" ".join(str(x) for x in sizes))
"""


def libsnappy_sizes(sections):
    """Xerial sizes with the system libsnappy, or None when it is not available."""
    import subprocess
    probe = "import snappy._snappy, ctypes.util; print(ctypes.util.find_library('snappy'))"
    try:
        r = subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True, text=True)
        if r.returncode != 0:
            return None, None
        payload = b"".join(struct.pack(">I", len(x)) + x for x in sections)
        out = subprocess.run([SYSTEM_PYTHON, "-c", LIBSNAPPY_CHILD], input=payload,
                             capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None, None
    version = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "libsnappy1v5"], capture_output=True,
        text=True).stdout.strip() or "unknown"
    return [int(x) for x in out.stdout.split()], version

# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


def key_for(record_id, i):
    """Every fourth record keyless, else key-N with N from the record id."""
    return None if i % 4 == 3 else (record_id * 7) % 1000


def record_size(offset_delta, ts_delta, key, value):
    def vsize(v):
        z = (v << 1) ^ (v >> 63)
        n = 1
        while z >= 0x80:
            z >>= 7
            n += 1
        return n
    body = 1 + vsize(ts_delta) + vsize(offset_delta)
    body += 1 if key is None else vsize(len(key)) + len(key)
    body += vsize(len(value)) + len(value)
    body += 1
    return vsize(body) + body


def fill_records(first_id, value_len, kind, count=None, batch_bytes=None):
    """Records until `count`, or while the uncompressed batch stays within `batch_bytes`
    (the accumulator's rule with batch.size, first record always accepted)."""
    recs = []
    size = BATCH_HEADER
    i = 0
    while True:
        if count is not None and i >= count:
            break
        rid = first_id + i
        k = key_for(rid, i)
        key = None if k is None else b"key-%d" % k
        ts = 2 * i
        n = record_size(i, ts, key, value_bytes(rid, value_len, kind))
        if batch_bytes is not None and i > 0 and size + n > batch_bytes:
            break
        size += n
        recs.append([rid, k, value_len, ts])
        i += 1
    return recs


def cases():
    out = []
    n = 0
    for kind in ["json", "text", "letters", "random"]:
        specs = [
            ("1x100", dict(value_len=100, count=1)),
            ("10x200", dict(value_len=200, count=10)),
            ("16k-v100", dict(value_len=100, batch_bytes=16384)),
            ("16k-v512", dict(value_len=512, batch_bytes=16384)),
            ("16k-v1024", dict(value_len=1024, batch_bytes=16384)),
            ("64k-v2000", dict(value_len=2000, batch_bytes=65536)),
            ("256k-v1024", dict(value_len=1024, batch_bytes=262144)),
        ]
        for name, spec in specs:
            n += 1
            first_id = n * 100000 + 1
            recs = fill_records(first_id, spec["value_len"], kind, spec.get("count"),
                                spec.get("batch_bytes"))
            out.append({"name": "%s-%s" % (kind, name), "kind": kind, "records": recs})
    return out


def build(case):
    kind = case["kind"]
    recs = []
    for i, (rid, k, vlen, ts) in enumerate(case["records"]):
        key = None if k is None else b"key-%d" % k
        recs.append((i, ts, key, value_bytes(rid, vlen, kind)))
    kp = {}
    fallback = []
    section = None
    for codec, cid in CODECS.items():
        b = DefaultRecordBatchBuilder(
            magic=2, compression_type=cid, is_transactional=False, producer_id=-1,
            producer_epoch=-1, base_sequence=-1, batch_size=1 << 30)
        for off, ts, key, value in recs:
            assert b.append(off, 1764064800000 + ts, key, value, []) is not None
        buf = bytes(b.build())
        kp[codec] = len(buf)
        attrs = struct.unpack_from(">h", buf, 21)[0]
        if codec == "none":
            section = buf[BATCH_HEADER:]
        elif attrs & 7 != cid:
            fallback.append(codec)
    java = {c: BATCH_HEADER + len(f(section)) for c, f in JAVA.items()}
    # The codecs' own decoders take the Java-settings streams back.
    assert zlib.decompress(java_gzip(section)[10:-8], -15) == section
    assert kcodec.snappy_decode(java_snappy(section)) == section
    assert lz4.frame.decompress(java_lz4(section)) == section
    assert zstandard.ZstdDecompressor().decompressobj().decompress(java_zstd(section)) == section
    lz4_frame = java_lz4(section)
    return {
        "name": case["name"],
        "kind": case["kind"],
        "record_count": len(recs),
        "records_section_bytes": len(section),
        "records_section_crc32": zlib.crc32(section),
        "kafka_python": kp,
        "kafka_python_sent_uncompressed": fallback,
        "java_settings": java,
        "snappy_xerial_crc32": zlib.crc32(java_snappy(section)),
        "lz4_frame_crc32": zlib.crc32(lz4_frame),
        "lz4_frame_header_hex": lz4_frame[:7].hex(),
        "lz4_end_mark_hex": lz4_frame[-4:].hex(),
        "records": case["records"],
    }, section


def main():
    out = {
        "generator": "tools/gen_compression_golden.py",
        "kafka_python_version": kafka.__version__,
        "python": platform.python_version(),
        "libraries": {
            "zlib": zlib.ZLIB_RUNTIME_VERSION,
            "python-snappy": getattr(snappy, "__version__", "0.7.x (cramjam)"),
            "lz4 (python)": lz4.__version__,
            "liblz4": lz4.library_version_string(),
            "zstandard (python)": zstandard.__version__,
            "libzstd": ".".join(str(x) for x in zstandard.ZSTD_VERSION),
        },
        "records_format": "[record_id, key index (key-N) or null, value length, timestamp delta ms]; "
                          "offset delta = position",
        "cases": [],
    }
    built = [build(c) for c in cases()]
    lib_sizes, lib_version = libsnappy_sizes([sec for _, sec in built])
    if lib_sizes is not None:
        out["libraries"]["libsnappy (system, via python3-snappy)"] = lib_version
    for i, (case, _) in enumerate(built):
        if lib_sizes is not None:
            case["libsnappy_xerial"] = BATCH_HEADER + lib_sizes[i]
        out["cases"].append(case)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")
    print("wrote %s (%d cases)" % (OUT, len(out["cases"])))
    for c in out["cases"]:
        print("%-22s %4d recs %7d B  kp %s  java %s  libsnappy %s" % (
            c["name"], c["record_count"], c["records_section_bytes"],
            {k: v for k, v in c["kafka_python"].items()}, c["java_settings"],
            c.get("libsnappy_xerial")))


if __name__ == "__main__":
    main()
