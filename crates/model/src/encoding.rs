//! Bytes to text as YAML 1.2 reads them: UTF-8, or UTF-16 and UTF-32 (either byte order),
//! told by a byte-order mark or by where the first character's zero bytes fall (YAML 1.2,
//! §5.2). JSON is UTF-8 (RFC 8259), which this reads the same way.

use std::borrow::Cow;

use crate::{Position, SyntaxError};

/// An encoding YAML allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16 { big_endian: bool },
    Utf32 { big_endian: bool },
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16 { big_endian: true } => "UTF-16BE",
            Encoding::Utf16 { big_endian: false } => "UTF-16LE",
            Encoding::Utf32 { big_endian: true } => "UTF-32BE",
            Encoding::Utf32 { big_endian: false } => "UTF-32LE",
        }
    }
}

/// The encoding and the length of its byte-order mark.
fn detect(bytes: &[u8]) -> (Encoding, usize) {
    match bytes {
        [0, 0, 0xFE, 0xFF, ..] => (Encoding::Utf32 { big_endian: true }, 4),
        [0xFF, 0xFE, 0, 0, ..] => (Encoding::Utf32 { big_endian: false }, 4),
        [0xFE, 0xFF, ..] => (Encoding::Utf16 { big_endian: true }, 2),
        [0xFF, 0xFE, ..] => (Encoding::Utf16 { big_endian: false }, 2),
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
        // No mark: the zero bytes of an ASCII first character tell.
        [0, 0, 0, c, ..] if *c != 0 => (Encoding::Utf32 { big_endian: true }, 0),
        [c, 0, 0, 0, ..] if *c != 0 => (Encoding::Utf32 { big_endian: false }, 0),
        [0, c, ..] if *c != 0 => (Encoding::Utf16 { big_endian: true }, 0),
        [c, 0, ..] if *c != 0 => (Encoding::Utf16 { big_endian: false }, 0),
        _ => (Encoding::Utf8, 0),
    }
}

/// The text of a file: UTF-8 (a byte-order mark is dropped), or UTF-16/UTF-32 decoded.
///
/// ```
/// use telaio_model::decode_text;
/// assert_eq!(decode_text(b"\xEF\xBB\xBFa: 1").unwrap(), "a: 1");
/// let utf16: Vec<u8> = [0xFF, 0xFE].into_iter()
///     .chain("a: é".encode_utf16().flat_map(u16::to_le_bytes)).collect();
/// assert_eq!(decode_text(&utf16).unwrap(), "a: é");
/// let err = decode_text(&[0xFF, 0xFE, 0x00, 0xD8]).unwrap_err();
/// assert!(err.message.contains("UTF-16LE"), "{}", err.message);
/// ```
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, SyntaxError> {
    let (encoding, mark) = detect(bytes);
    let body = &bytes[mark..];
    match encoding {
        Encoding::Utf8 => crate::decode_utf8(body).map(Cow::Borrowed),
        Encoding::Utf16 { big_endian } => {
            let units = body.chunks(2).map(|c| match (c, big_endian) {
                ([a, b], true) => u16::from_be_bytes([*a, *b]),
                ([a, b], false) => u16::from_le_bytes([*a, *b]),
                // An odd last byte cannot be a code unit.
                _ => 0xDC00,
            });
            let mut text = String::with_capacity(body.len() / 2);
            let mut used = 0;
            for c in char::decode_utf16(units) {
                match c {
                    Ok(c) => {
                        text.push(c);
                        used += c.len_utf16();
                    }
                    Err(_) => return Err(not_valid(encoding, &text, mark + 2 * used)),
                }
            }
            Ok(Cow::Owned(text))
        }
        Encoding::Utf32 { big_endian } => {
            let mut text = String::with_capacity(body.len() / 4);
            for (i, c) in body.chunks(4).enumerate() {
                let unit = match (c, big_endian) {
                    ([a, b, c, d], true) => u32::from_be_bytes([*a, *b, *c, *d]),
                    ([a, b, c, d], false) => u32::from_le_bytes([*a, *b, *c, *d]),
                    _ => u32::MAX,
                };
                match char::from_u32(unit) {
                    Some(c) => text.push(c),
                    None => return Err(not_valid(encoding, &text, mark + 4 * i)),
                }
            }
            Ok(Cow::Owned(text))
        }
    }
}

fn not_valid(encoding: Encoding, before: &str, offset: usize) -> SyntaxError {
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    SyntaxError {
        message: format!(
            "the file starts as {} text but is not valid {} at byte offset {offset}",
            encoding.name(),
            encoding.name()
        ),
        position: Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf32(text: &str, big_endian: bool, mark: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if mark {
            out.extend(if big_endian {
                [0, 0, 0xFE, 0xFF]
            } else {
                [0xFF, 0xFE, 0, 0]
            });
        }
        for c in text.chars() {
            let n = c as u32;
            out.extend(if big_endian {
                n.to_be_bytes()
            } else {
                n.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn every_encoding_yaml_allows_is_read() {
        let text = "arazzo: 1.0.1\ninfo: {title: Ünïcode ✓, version: '1'}\n";
        for big_endian in [true, false] {
            for mark in [true, false] {
                assert_eq!(decode_text(&utf32(text, big_endian, mark)).unwrap(), text);
                let mut utf16: Vec<u8> = Vec::new();
                if mark {
                    utf16.extend(if big_endian {
                        [0xFE, 0xFF]
                    } else {
                        [0xFF, 0xFE]
                    });
                }
                for u in text.encode_utf16() {
                    utf16.extend(if big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    });
                }
                assert_eq!(decode_text(&utf16).unwrap(), text);
            }
        }
        assert!(matches!(
            decode_text(text.as_bytes()).unwrap(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn broken_text_names_its_encoding_and_place() {
        // A lone high surrogate on line 2.
        let mut bytes = vec![0xFE, 0xFF];
        for u in "a: 1\nb: ".encode_utf16() {
            bytes.extend(u.to_be_bytes());
        }
        bytes.extend([0xD8, 0x00, 0x00, 0x41]);
        let err = decode_text(&bytes).unwrap_err();
        assert!(err.message.contains("UTF-16BE"), "{}", err.message);
        assert_eq!((err.position.line, err.position.column), (2, 4));
    }
}
