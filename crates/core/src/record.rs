//! Record batch format v2 sizes (`DefaultRecord`, `DefaultRecordBatch` in Kafka's clients).
//!
//! Only sizes are modelled here: the simulator keeps a record as a small fixed-size entry and
//! computes what its bytes would occupy on the wire. Sizes are exact for magic v2.

/// Size of the v2 batch header (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`).
pub const RECORD_BATCH_OVERHEAD: usize = 61;
/// Upper bound of a record's framing overhead (`DefaultRecord.MAX_RECORD_OVERHEAD`).
pub const MAX_RECORD_OVERHEAD: usize = 21;

/// Bytes of a zig-zag varint holding `v` (`ByteUtils.sizeOfVarint`).
#[inline]
pub fn size_of_varint(v: i32) -> usize {
    let mut z = ((v << 1) ^ (v >> 31)) as u32;
    let mut n = 1;
    while z & !0x7f != 0 {
        n += 1;
        z >>= 7;
    }
    n
}

/// Bytes of a zig-zag varlong holding `v` (`ByteUtils.sizeOfVarlong`).
#[inline]
pub fn size_of_varlong(v: i64) -> usize {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut n = 1;
    while z & !0x7f != 0 {
        n += 1;
        z >>= 7;
    }
    n
}

/// Length-prefixed optional bytes: varint(-1) for null, else varint(len) + len.
#[inline]
fn size_of_nullable(len: Option<usize>) -> usize {
    match len {
        None => 1,
        Some(n) => size_of_varint(n as i32) + n,
    }
}

/// A header as sizes only: the UTF-8 key length and the value length (`None` = null value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderSize {
    pub key_len: usize,
    pub value_len: Option<usize>,
}

fn size_of_headers(headers: &[HeaderSize]) -> usize {
    let mut n = size_of_varint(headers.len() as i32);
    for h in headers {
        n += size_of_varint(h.key_len as i32) + h.key_len + size_of_nullable(h.value_len);
    }
    n
}

/// The record's body: attributes, deltas, key, value, headers (`DefaultRecord.sizeOfBodyInBytes`).
pub fn record_body_size(
    offset_delta: i32,
    timestamp_delta: i64,
    key_len: Option<usize>,
    value_len: Option<usize>,
    headers: &[HeaderSize],
) -> usize {
    1 + size_of_varlong(timestamp_delta)
        + size_of_varint(offset_delta)
        + size_of_nullable(key_len)
        + size_of_nullable(value_len)
        + size_of_headers(headers)
}

/// A whole record as written in a v2 batch, its own length prefix included
/// (`DefaultRecord.sizeInBytes`).
pub fn record_size_in_bytes(
    offset_delta: i32,
    timestamp_delta: i64,
    key_len: Option<usize>,
    value_len: Option<usize>,
    headers: &[HeaderSize],
) -> usize {
    let body = record_body_size(offset_delta, timestamp_delta, key_len, value_len, headers);
    size_of_varint(body as i32) + body
}

/// Upper bound the accumulator uses before the record's position in a batch is known
/// (`DefaultRecord.recordSizeUpperBound`).
pub fn record_size_upper_bound(
    key_len: Option<usize>,
    value_len: Option<usize>,
    headers: &[HeaderSize],
) -> usize {
    MAX_RECORD_OVERHEAD
        + size_of_nullable(key_len)
        + size_of_nullable(value_len)
        + size_of_headers(headers)
}

/// Upper bound of a batch holding only this record
/// (`DefaultRecordBatch.estimateBatchSizeUpperBound`).
pub fn batch_size_upper_bound(
    key_len: Option<usize>,
    value_len: Option<usize>,
    headers: &[HeaderSize],
) -> usize {
    RECORD_BATCH_OVERHEAD + record_size_upper_bound(key_len, value_len, headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_sizes() {
        assert_eq!(size_of_varint(0), 1);
        assert_eq!(size_of_varint(-1), 1);
        assert_eq!(size_of_varint(63), 1);
        assert_eq!(size_of_varint(64), 2);
        assert_eq!(size_of_varint(-64), 1);
        assert_eq!(size_of_varint(-65), 2);
        assert_eq!(size_of_varint(i32::MAX), 5);
        assert_eq!(size_of_varint(i32::MIN), 5);
        assert_eq!(size_of_varlong(i64::MIN), 10);
        assert_eq!(size_of_varlong(1 << 20), 4);
    }

    #[test]
    fn record_sizes() {
        // key "k" (1 byte), value of 10 bytes, first record of a batch, no headers:
        // body = attr 1 + ts 1 + off 1 + key 2 + value 11 + headers 1 = 17; prefix 1.
        assert_eq!(record_size_in_bytes(0, 0, Some(1), Some(10), &[]), 18);
        assert_eq!(record_size_in_bytes(0, 0, None, None, &[]), 7);
        let h = [HeaderSize {
            key_len: 3,
            value_len: None,
        }];
        assert_eq!(record_size_in_bytes(0, 0, None, Some(0), &h), 12);
    }
}
