//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.
//!
//! Scraped dumps mix encodings. Windows-1252 is the usual culprit behind invalid UTF-8 in Western news
//! text and, unlike Latin-1, maps the 0x80-0x9F range to the curly quotes and dashes those articles use.
//! Every byte decodes to something, so no article is dropped for its encoding; the caller warns.

/// How a byte string was decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// Decodes `bytes`, stripping a byte-order mark. Never fails.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8_or_1252(rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (decode_utf16(rest, u16::from_le_bytes), Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (decode_utf16(rest, u16::from_be_bytes), Encoding::Utf16Be);
    }
    decode_utf8_or_1252(bytes)
}

/// Decodes UTF-8, falling back to Windows-1252 when the bytes are not valid UTF-8.
pub fn decode_utf8_or_1252(bytes: &[u8]) -> (String, Encoding) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), Encoding::Utf8),
        Err(_) => (
            bytes.iter().map(|&b| windows_1252(b)).collect(),
            Encoding::Windows1252,
        ),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    // An odd trailing byte or a lone surrogate becomes U+FFFD rather than an error.
    let mut s: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if bytes.len() % 2 == 1 {
        s.push(char::REPLACEMENT_CHARACTER);
    }
    s
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Whether the start of a file looks binary (NUL bytes outside UTF-16): such files are skipped.
pub fn looks_binary(head: &[u8]) -> bool {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return false;
    }
    head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through_and_loses_its_bom() {
        assert_eq!(
            decode("armée".as_bytes()),
            ("armée".to_string(), Encoding::Utf8)
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFabc"),
            ("abc".to_string(), Encoding::Utf8)
        );
    }

    #[test]
    fn invalid_utf8_is_windows_1252() {
        assert_eq!(
            decode(b"l\x92arm\xe9e \x93ok\x94"),
            ("l’armée “ok”".to_string(), Encoding::Windows1252)
        );
    }

    #[test]
    fn utf16_with_bom() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Qaïda".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Qaïda".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode(&le), ("Qaïda".to_string(), Encoding::Utf16Le));
        assert_eq!(decode(&be), ("Qaïda".to_string(), Encoding::Utf16Be));
        assert!(!looks_binary(&le));
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(looks_binary(b"\x7fELF\x02\x01\x01\x00\x00"));
        assert!(!looks_binary(b"plain text"));
    }
}
