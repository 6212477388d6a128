//! The records section of a v2 batch as bytes, exactly as `DefaultRecord.writeTo` writes it.

use super::CompressionError;
use crate::producer::accumulator::RecordMeta;
use crate::time::SimTime;
use alloc::vec::Vec;

use super::payload::{value_bytes, ValueKind};
use crate::compression::payload::push_decimal;
use crate::producer::record::{HeaderSpec, Serializer};

/// One record to encode: borrowed key and value bytes plus its deltas in the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordBytes<'a> {
    /// `None` is a null key (length -1 on the wire).
    pub key: Option<&'a [u8]>,
    /// `None` is a null value (a tombstone, length -1 on the wire).
    pub value: Option<&'a [u8]>,
    /// Milliseconds after the batch's base timestamp (`timestampDelta`, a varlong).
    pub timestamp_delta: i64,
    /// Position in the batch (`offsetDelta`, a varint).
    pub offset_delta: i32,
    /// Headers `h0`, `h1`, ... with values of the given length.
    pub headers: HeaderSpec,
}

/// A record with its bytes owned, for callers that generate them ([`records_from_meta`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedRecord {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub timestamp_delta: i64,
    pub offset_delta: i32,
    pub headers: HeaderSpec,
}

impl OwnedRecord {
    pub fn as_bytes(&self) -> RecordBytes<'_> {
        RecordBytes {
            key: self.key.as_deref(),
            value: self.value.as_deref(),
            timestamp_delta: self.timestamp_delta,
            offset_delta: self.offset_delta,
            headers: self.headers,
        }
    }
}

/// The bytes of key `key-N` (UTF-8, Kafka's `StringSerializer`), as the simulator names keys.
pub fn key_bytes(key_index: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(14);
    out.extend_from_slice(b"key-");
    push_decimal(&mut out, key_index as u64);
    out
}

/// Zig-zag varint (`ByteUtils.writeVarint`).
pub fn write_varint(out: &mut Vec<u8>, v: i32) {
    let mut z = ((v << 1) ^ (v >> 31)) as u32;
    while z & !0x7f != 0 {
        out.push(((z & 0x7f) | 0x80) as u8);
        z >>= 7;
    }
    out.push(z as u8);
}

/// Zig-zag varlong (`ByteUtils.writeVarlong`).
pub fn write_varlong(out: &mut Vec<u8>, v: i64) {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    while z & !0x7f != 0 {
        out.push(((z & 0x7f) | 0x80) as u8);
        z >>= 7;
    }
    out.push(z as u8);
}

fn len_i32(len: usize) -> Result<i32, CompressionError> {
    i32::try_from(len).map_err(|_| CompressionError::TooLarge)
}

fn write_nullable(out: &mut Vec<u8>, bytes: Option<&[u8]>) -> Result<(), CompressionError> {
    match bytes {
        None => write_varint(out, -1),
        Some(b) => {
            write_varint(out, len_i32(b.len())?);
            out.extend_from_slice(b);
        }
    }
    Ok(())
}

/// Appends one record as `DefaultRecord.writeTo` does: length (varint), attributes (0),
/// timestamp delta (varlong), offset delta (varint), key, value, headers (count, then each
/// key and value).
pub fn write_record(out: &mut Vec<u8>, r: &RecordBytes<'_>) -> Result<(), CompressionError> {
    // The body is written first into the output, then its length is inserted in front: the
    // length prefix is at most 5 bytes, so reserve and shift once.
    let start = out.len();
    out.push(0); // attributes: unused in v2, always 0
    write_varlong(out, r.timestamp_delta);
    write_varint(out, r.offset_delta);
    write_nullable(out, r.key)?;
    write_nullable(out, r.value)?;
    write_varint(out, r.headers.count as i32);
    for i in 0..r.headers.count {
        let mut name = Vec::with_capacity(3);
        name.push(b'h');
        push_decimal(&mut name, i as u64);
        write_varint(out, name.len() as i32);
        out.extend_from_slice(&name);
        let len = r.headers.value_len as usize;
        write_varint(out, len as i32);
        out.extend((0..len).map(|j| b'a' + ((i as usize + j) % 26) as u8));
    }
    let body_len = len_i32(out.len() - start)?;
    let mut prefix = Vec::with_capacity(5);
    write_varint(&mut prefix, body_len);
    out.splice(start..start, prefix);
    Ok(())
}

/// The records section of a v2 batch (everything after the 61-byte header), uncompressed: the
/// records one after another, as `MemoryRecordsBuilder` hands them to the compression stream.
pub fn encode_records(records: &[RecordBytes<'_>]) -> Result<Vec<u8>, CompressionError> {
    let estimate: usize = records
        .iter()
        .map(|r| r.key.map_or(0, <[u8]>::len) + r.value.map_or(0, <[u8]>::len) + 16)
        .sum();
    let mut out = Vec::with_capacity(estimate);
    for r in records {
        write_record(&mut out, r)?;
    }
    Ok(out)
}

/// The simulator's records of one batch with their bytes made up: keys `key-N` from the key
/// index, values from [`value_bytes`] of the record id and `value_len`, timestamp deltas in
/// milliseconds from the batch's creation (as the accumulator computes them), offset deltas
/// by position.
pub fn records_from_meta(
    records: &[RecordMeta],
    batch_created_at: SimTime,
    key_serializer: Serializer,
    kind: ValueKind,
) -> Vec<OwnedRecord> {
    let mut kb = [0u8; 24];
    records
        .iter()
        .enumerate()
        .map(|(i, r)| OwnedRecord {
            key: r
                .key
                .map(|k| crate::producer::record::key_bytes(key_serializer, k, &mut kb).to_vec()),
            value: Some(value_bytes(r.id, r.value_len as usize, kind)),
            timestamp_delta: (r.created_at.micros() / 1000) as i64
                - (batch_created_at.micros() / 1000) as i64,
            offset_delta: i32::try_from(i).unwrap_or(i32::MAX),
            headers: r.headers,
        })
        .collect()
}

#[cfg(test)]
mod header_tests {
    use super::*;
    use crate::record::{record_size_in_bytes, HeaderSize};

    #[test]
    fn headers_are_written_as_sized() {
        for (count, len) in [(1u8, 0u16), (2, 8), (12, 300)] {
            let headers = HeaderSpec {
                count,
                value_len: len,
            };
            let r = RecordBytes {
                key: Some(b"key-1"),
                value: Some(b"v"),
                timestamp_delta: 5,
                offset_delta: 3,
                headers,
            };
            let mut out = Vec::new();
            write_record(&mut out, &r).unwrap();
            let sizes: Vec<HeaderSize> = headers.sizes();
            assert_eq!(
                out.len(),
                record_size_in_bytes(3, 5, Some(5), Some(1), &sizes)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::record_size_in_bytes;

    #[test]
    fn varints_match_kafka() {
        let mut v = Vec::new();
        write_varint(&mut v, 0);
        write_varint(&mut v, -1);
        write_varint(&mut v, 63);
        write_varint(&mut v, 64);
        write_varint(&mut v, 300);
        assert_eq!(v, [0x00, 0x01, 0x7e, 0x80, 0x01, 0xd8, 0x04]);
        let mut l = Vec::new();
        write_varlong(&mut l, i64::MIN);
        assert_eq!(l.len(), 10);
    }

    #[test]
    fn record_bytes_match_record_sizes() {
        let key = b"key-7";
        let value = [b'x'; 200];
        for (ts, off) in [
            (0i64, 0i32),
            (5, 1),
            (-3, 63),
            (100_000, 64),
            (1 << 40, 1 << 20),
        ] {
            for k in [None, Some(&key[..])] {
                for v in [None, Some(&value[..]), Some(&value[..0])] {
                    let mut out = Vec::new();
                    let r = RecordBytes {
                        key: k,
                        value: v,
                        timestamp_delta: ts,
                        offset_delta: off,
                        headers: HeaderSpec::default(),
                    };
                    write_record(&mut out, &r).unwrap();
                    let expect =
                        record_size_in_bytes(off, ts, k.map(<[u8]>::len), v.map(<[u8]>::len), &[]);
                    assert_eq!(out.len(), expect);
                }
            }
        }
    }

    #[test]
    fn keys() {
        assert_eq!(key_bytes(0), b"key-0");
        assert_eq!(key_bytes(4_294_967_295), b"key-4294967295");
    }
}
