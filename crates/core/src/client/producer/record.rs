//! `ProducerRecord` and the serializers: what the application hands to `send()` and the bytes
//! a serializer makes of it (`StringSerializer`, `IntegerSerializer`, `LongSerializer`,
//! `ByteArraySerializer`, and a JSON serializer as Kafka Connect's / Spring's write a string).
//!
//! The simulated application sends key `N` from a key space (`sim.keys`); how it becomes
//! bytes depends on `key.serializer`, and so does the partition it hashes to (the integer 42
//! and the string "42" land on different partitions). Values are `sim.value.bytes` long
//! (4 and 8 bytes under the integer and long serializers); their bytes are made only when a
//! codec or an inspector needs them.

use alloc::string::String;
use alloc::vec::Vec;

/// A serializer, by the short name that stands for Kafka's class name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Serializer {
    /// `StringSerializer`: UTF-8 of `key-N`.
    String,
    /// `IntegerSerializer`: N as a 4-byte big-endian int.
    Integer,
    /// `LongSerializer`: N as an 8-byte big-endian long.
    Long,
    /// JSON: the string `"key-N"` with its quotes.
    Json,
    /// `ByteArraySerializer`: the application's bytes as they are (`key-N` in UTF-8).
    Bytes,
}

impl Serializer {
    pub const NAMES: &'static [&'static str] = &["string", "integer", "long", "json", "bytes"];

    pub fn name(self) -> &'static str {
        match self {
            Serializer::String => "string",
            Serializer::Integer => "integer",
            Serializer::Long => "long",
            Serializer::Json => "json",
            Serializer::Bytes => "bytes",
        }
    }

    pub fn from_name(s: &str) -> Option<Serializer> {
        Some(match s {
            "string" => Serializer::String,
            "integer" => Serializer::Integer,
            "long" => Serializer::Long,
            "json" => Serializer::Json,
            "bytes" => Serializer::Bytes,
            _ => return None,
        })
    }

    /// Kafka's class this short name stands for.
    pub fn kafka_class(self) -> &'static str {
        match self {
            Serializer::String => "org.apache.kafka.common.serialization.StringSerializer",
            Serializer::Integer => "org.apache.kafka.common.serialization.IntegerSerializer",
            Serializer::Long => "org.apache.kafka.common.serialization.LongSerializer",
            Serializer::Json => "org.apache.kafka.connect.json.JsonSerializer",
            Serializer::Bytes => "org.apache.kafka.common.serialization.ByteArraySerializer",
        }
    }

    /// Serialized size of a value the application asked to be `len` bytes.
    pub fn value_len(self, len: u32) -> u32 {
        match self {
            Serializer::Integer => 4,
            Serializer::Long => 8,
            _ => len,
        }
    }
}

fn decimal(mut n: u32, out: &mut [u8; 10]) -> usize {
    let mut digits = [0u8; 10];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        out[i] = digits[len - 1 - i];
    }
    len
}

/// The bytes `ser` makes of key number `k`, written into `buf` without allocating.
pub fn key_bytes(ser: Serializer, k: u32, buf: &mut [u8; 24]) -> &[u8] {
    match ser {
        Serializer::Integer => {
            buf[..4].copy_from_slice(&(k as i32).to_be_bytes());
            &buf[..4]
        }
        Serializer::Long => {
            buf[..8].copy_from_slice(&(k as i64).to_be_bytes());
            &buf[..8]
        }
        Serializer::String | Serializer::Bytes | Serializer::Json => {
            let quote = ser == Serializer::Json;
            let mut i = 0;
            if quote {
                buf[0] = b'"';
                i = 1;
            }
            buf[i..i + 4].copy_from_slice(b"key-");
            i += 4;
            let mut d = [0u8; 10];
            let n = decimal(k, &mut d);
            buf[i..i + n].copy_from_slice(&d[..n]);
            i += n;
            if quote {
                buf[i] = b'"';
                i += 1;
            }
            &buf[..i]
        }
    }
}

/// The key as the application wrote it, for display (`key-7`, `7`, `"key-7"`).
pub fn key_text(ser: Serializer, k: u32) -> String {
    match ser {
        Serializer::Integer | Serializer::Long => alloc::format!("{k}"),
        Serializer::Json => alloc::format!("\"key-{k}\""),
        _ => alloc::format!("key-{k}"),
    }
}

/// The headers every record of the simulated application carries: `h0`, `h1`, ... each
/// with a value of `value_len` bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HeaderSpec {
    pub count: u8,
    pub value_len: u16,
}

impl HeaderSpec {
    /// Sizes of the headers, for `record::record_size_in_bytes`.
    pub fn sizes(self) -> Vec<crate::record::HeaderSize> {
        (0..self.count)
            .map(|i| crate::record::HeaderSize {
                key_len: if i < 10 { 2 } else { 3 },
                value_len: Some(self.value_len as usize),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializers_make_kafka_bytes() {
        let mut b = [0u8; 24];
        assert_eq!(key_bytes(Serializer::String, 42, &mut b), b"key-42");
        assert_eq!(key_bytes(Serializer::Integer, 42, &mut b), [0, 0, 0, 42]);
        assert_eq!(
            key_bytes(Serializer::Long, 258, &mut b),
            [0, 0, 0, 0, 0, 0, 1, 2]
        );
        assert_eq!(key_bytes(Serializer::Json, 7, &mut b), b"\"key-7\"");
        assert_eq!(
            key_bytes(Serializer::String, u32::MAX, &mut b),
            b"key-4294967295"
        );
        assert_eq!(key_bytes(Serializer::Json, u32::MAX, &mut b).len(), 16);
        for n in Serializer::NAMES {
            assert_eq!(Serializer::from_name(n).map(|s| s.name()), Some(*n));
        }
    }
}
