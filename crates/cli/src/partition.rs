//! `streamscope partition`: the partition the Java producer's key hashing picks
//! (`murmur2(key) & 0x7fffffff % numPartitions`, Kafka's `BuiltInPartitioner.partitionForKey`)
//! for each key read on standard input, one key per line.
//!
//! Streams: one reused line buffer and one reused key buffer, a buffered locked stdout; memory
//! does not grow with the number of keys. A closed stdout (`| head`) ends the run quietly.

use crate::CliError;
use std::io::{self, BufRead, BufReader, BufWriter, ErrorKind, Write};
use streamscope_core::murmur2::{murmur2, to_positive};

/// The largest partition count Kafka allows (partition ids are non-negative 32-bit ints).
const MAX_PARTITIONS: u32 = i32::MAX as u32;
const IO_BUFFER_BYTES: usize = 1 << 16;

#[derive(clap::Args)]
pub struct Args {
    /// The topic's partition count, 1 to 2147483647.
    #[arg(long, value_name = "N", value_parser = parse_partitions, allow_negative_numbers = true)]
    pub partitions: u32,
    /// Each line is the key's bytes in hex (upper or lower case), e.g. `757365722d3432`.
    #[arg(long)]
    pub hex: bool,
    /// Print one JSON object per key: {"key": ..., "murmur2": ..., "partition": ...}.
    #[arg(long)]
    pub json: bool,
}

/// Parses `--partitions`: an integer from 1 to 2147483647.
fn parse_partitions(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{s}' is not an integer: give the topic's partition count, from 1 to {MAX_PARTITIONS}"
        ));
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=MAX_PARTITIONS).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s} is out of range: a topic has from 1 to {MAX_PARTITIONS} partitions"
        )),
    }
}

pub fn main(args: Args) -> Result<(), CliError> {
    if !(1..=MAX_PARTITIONS).contains(&args.partitions) {
        return Err(CliError::usage(format!(
            "--partitions {} is out of range: a topic has from 1 to {MAX_PARTITIONS} partitions",
            args.partitions
        )));
    }
    let stdin = io::stdin();
    let input = BufReader::with_capacity(IO_BUFFER_BYTES, stdin.lock());
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(IO_BUFFER_BYTES, stdout.lock());
    let result = run(&args, input, &mut out);
    // Flush what was computed, also before reporting bad input on a later line.
    let flushed = out.flush();
    match result {
        Err(Stop::BrokenPipe) => Ok(()),
        Err(Stop::Fail(e)) => Err(e),
        Ok(()) => flushed.or_else(write_error),
    }
}

/// Why the key loop ended early.
enum Stop {
    /// The reader of stdout went away (`| head`): not an error.
    BrokenPipe,
    Fail(CliError),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        match write_error(e) {
            Ok(()) => Stop::BrokenPipe,
            Err(e) => Stop::Fail(e),
        }
    }
}

fn write_error(e: io::Error) -> Result<(), CliError> {
    if e.kind() == ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(CliError::io(format!(
            "cannot write to standard output: {e}"
        )))
    }
}

/// Reads keys from `input` and writes one result line per key to `out`.
fn run(args: &Args, mut input: impl BufRead, out: &mut impl Write) -> Result<(), Stop> {
    let mut line: Vec<u8> = Vec::with_capacity(256);
    let mut key_bytes: Vec<u8> = Vec::with_capacity(128);
    let mut line_number: u64 = 0;
    loop {
        line.clear();
        let read = input.read_until(b'\n', &mut line).map_err(|e| {
            Stop::Fail(CliError::io(format!(
                "cannot read standard input after line {line_number}: {e}"
            )))
        })?;
        if read == 0 {
            return Ok(());
        }
        line_number += 1;
        let text = strip_line_end(&line);
        let key: &[u8] = if args.hex {
            decode_hex(text, &mut key_bytes)
                .map_err(|msg| Stop::Fail(CliError::usage(format!("line {line_number}: {msg}"))))?;
            &key_bytes
        } else {
            if let Err(e) = std::str::from_utf8(text) {
                return Err(Stop::Fail(CliError::usage(format!(
                    "line {line_number}: the key is not valid UTF-8 (byte {} of the line); \
                     to hash arbitrary bytes, hex-encode each key and pass --hex",
                    e.valid_up_to() + 1
                ))));
            }
            text
        };
        let hash = murmur2(key);
        let partition = (to_positive(hash) as u32) % args.partitions;
        if args.json {
            out.write_all(b"{\"key\": \"")?;
            // `text` is valid UTF-8 here (checked above, or hex digits only with --hex).
            write_json_string_body(out, text)?;
            out.write_all(b"\", \"murmur2\": ")?;
            write_i32(out, hash)?;
            out.write_all(b", \"partition\": ")?;
            write_i32(out, partition as i32)?;
            out.write_all(b"}\n")?;
        } else {
            write_i32(out, partition as i32)?;
            out.write_all(b"\n")?;
        }
    }
}

/// Drops the `\n` that ended the line, then one `\r` before it.
fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes hex digits into `out` (cleared first). The message says what is wrong and what to do.
fn decode_hex(text: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    out.clear();
    for (i, &b) in text.iter().enumerate() {
        if hex_value(b).is_none() {
            let shown = if b.is_ascii_graphic() {
                format!("'{}'", b as char)
            } else {
                format!("byte 0x{b:02x}")
            };
            return Err(format!(
                "{shown} at column {} is not a hex digit; with --hex each line must be the \
                 key's bytes as hex digits 0-9 a-f A-F (e.g. 757365722d3432 for user-42)",
                i + 1
            ));
        }
    }
    if text.len() & 1 == 1 {
        return Err(format!(
            "odd number of hex digits ({}); with --hex each byte of the key takes two digits",
            text.len()
        ));
    }
    for pair in text.chunks_exact(2) {
        if let (Some(hi), Some(lo)) = (hex_value(pair[0]), hex_value(pair[1])) {
            out.push(hi << 4 | lo);
        }
    }
    Ok(())
}

/// Writes `s` (valid UTF-8) escaped as the inside of a JSON string: `"` and `\` escaped,
/// control characters as `\n` `\r` `\t` `\b` `\f` or `\u00XX`, everything else as is.
fn write_json_string_body(out: &mut impl Write, s: &[u8]) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.write_all(&s[start..i])?;
        if short.is_empty() {
            let esc = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ];
            out.write_all(&esc)?;
        } else {
            out.write_all(short)?;
        }
        start = i + 1;
    }
    out.write_all(&s[start..])
}

/// Writes `n` in decimal without going through `fmt`.
fn write_i32(out: &mut impl Write, n: i32) -> io::Result<()> {
    let mut buf = [0u8; 11];
    let mut pos = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        pos -= 1;
        buf[pos] = b'-';
    }
    out.write_all(&buf[pos..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(input: &[u8], hex: bool, json: bool, partitions: u32) -> Result<String, String> {
        let args = Args {
            partitions,
            hex,
            json,
        };
        let mut out = Vec::new();
        match run(&args, input, &mut out) {
            Ok(()) => Ok(String::from_utf8(out).map_err(|e| e.to_string())?),
            Err(Stop::Fail(e)) => Err(e.message),
            Err(Stop::BrokenPipe) => Err("broken pipe".into()),
        }
    }

    #[test]
    fn numbers() {
        for n in [0, 1, -1, 9, 10, -10, 123456, i32::MAX, i32::MIN, -973932308] {
            let mut v = Vec::new();
            write_i32(&mut v, n).unwrap();
            assert_eq!(String::from_utf8(v).unwrap(), n.to_string());
        }
    }

    #[test]
    fn partitions_flag() {
        assert_eq!(parse_partitions("1"), Ok(1));
        assert_eq!(parse_partitions("2147483647"), Ok(2147483647));
        assert!(parse_partitions("0").unwrap_err().contains("out of range"));
        assert!(parse_partitions("-3").unwrap_err().contains("out of range"));
        assert!(parse_partitions("2147483648")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_partitions("99999999999999999999999")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_partitions("6.0")
            .unwrap_err()
            .contains("not an integer"));
        assert!(parse_partitions("").unwrap_err().contains("not an integer"));
        assert!(parse_partitions("six")
            .unwrap_err()
            .contains("not an integer"));
    }

    #[test]
    fn lines_and_keys() {
        assert_eq!(run_on(b"user-42\n", false, false, 6).unwrap(), "4\n");
        assert_eq!(run_on(b"user-42", false, false, 6).unwrap(), "4\n");
        assert_eq!(run_on(b"user-42\r\n\n", false, false, 6).unwrap(), "4\n3\n");
        assert_eq!(run_on(b"", false, false, 6).unwrap(), "");
        assert_eq!(run_on(b"757365722D3432\n", true, false, 6).unwrap(), "4\n");
        let err = run_on(b"00\nabc\n", true, false, 6).unwrap_err();
        assert!(err.starts_with("line 2: odd number"), "{err}");
        let err = run_on(b"00\n0g\n", true, false, 6).unwrap_err();
        assert!(err.starts_with("line 2: 'g' at column 2"), "{err}");
        let err = run_on(b"a\n\xff\n", false, false, 6).unwrap_err();
        assert!(
            err.starts_with("line 2: the key is not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn json_escapes() {
        let out = run_on("a\"b\\c\td\u{1}é\r\r\n".as_bytes(), false, true, 6).unwrap();
        let murmur = murmur2("a\"b\\c\td\u{1}é\r".as_bytes());
        let want = format!(
            "{{\"key\": \"a\\\"b\\\\c\\td\\u0001é\\r\", \"murmur2\": {murmur}, \"partition\": {}}}\n",
            (to_positive(murmur) as u32) % 6
        );
        assert_eq!(out, want);
    }
}
