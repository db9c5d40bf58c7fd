//! Primitives shared by every stage, with no stage logic: the tokenizer, the one stable hash of
//! text and the rounding of scores. Stages depend on this module, never on the report that shows
//! their results.

pub mod tokens;

pub use tokens::{Script, Token, TokenKind, tokens, word_count};

/// The one stable 64-bit hash of the crate (xxh3): the same in every run and build, so MinHash
/// sketches, cognates, blocking keys and cache entries never change between them. Bytes come from
/// any iterator (a word folded on the fly, three words joined without joining them); up to
/// `HASH_CHUNK` (64) of them are hashed in one call, longer inputs stream through xxh3's hasher
/// with the same result.
pub fn stable_hash(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut chunk = [0u8; HASH_CHUNK];
    let mut filled = 0;
    let mut streaming: Option<xxhash_rust::xxh3::Xxh3Default> = None;
    for byte in bytes {
        if filled == HASH_CHUNK {
            streaming
                .get_or_insert_with(xxhash_rust::xxh3::Xxh3Default::new)
                .update(&chunk);
            filled = 0;
        }
        chunk[filled] = byte;
        filled += 1;
    }
    match streaming {
        None => xxhash_rust::xxh3::xxh3_64(&chunk[..filled]),
        Some(mut hasher) => {
            hasher.update(&chunk[..filled]);
            hasher.digest()
        }
    }
}

/// [`stable_hash`] of bytes already in one slice, hashed in one call (the same value).
pub fn stable_hash_of(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The bytes [`stable_hash`] gathers before it hashes them.
const HASH_CHUNK: usize = 64;

/// [`char::is_alphabetic`], with the letters of the Latin-1, Latin Extended and Cyrillic blocks
/// (most letters of most European texts) told by their ranges before the general table is read.
pub fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\0'..='\u{7F}' => false,
        '\u{C0}'..='\u{24F}' => c != '\u{D7}' && c != '\u{F7}',
        '\u{400}'..='\u{481}' | '\u{48A}'..='\u{52F}' => true,
        _ => c.is_alphabetic(),
    }
}

/// The length in bytes of the stretch of ASCII `text` starts with (all of it when it is ASCII):
/// where the text-wide loops that take ASCII a stretch at a time stop.
pub(crate) fn ascii_prefix_len(text: &str) -> usize {
    text.bytes()
        .position(|b| !b.is_ascii())
        .unwrap_or(text.len())
}

/// [`str::to_lowercase`] of `text` (the same string), made a stretch at a time: ASCII lowered
/// byte by byte, the letters of the Latin-1, Latin Extended-A and basic Cyrillic blocks by their
/// ranges and any other character by [`char::to_lowercase`]. A text with a
/// capital sigma, whose lower case depends on the letters around it, goes through
/// `str::to_lowercase` whole.
pub fn to_lowercase(text: &str) -> String {
    let mut lower = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = ascii_prefix_len(rest);
        let start = lower.len();
        lower.push_str(&rest[..ascii]);
        lower[start..].make_ascii_lowercase();
        let mut chars = rest[ascii..].chars();
        if let Some(c) = chars.next() {
            match lowercase_letter(c) {
                Some(lowered) => lower.push(lowered),
                None if c == 'Σ' => return text.to_lowercase(),
                None => lower.extend(c.to_lowercase()),
            }
        }
        rest = chars.as_str();
    }
    lower
}

/// The lower case of a letter of the Latin-1 Supplement, Latin Extended-A or basic Cyrillic
/// block, told by its range (`None` for any other character, and for `İ`, whose lower case is two
/// characters). A unit test holds it to [`char::to_lowercase`] for every character.
pub(crate) fn lowercase_letter(c: char) -> Option<char> {
    let code = u32::from(c);
    let lowered = match code {
        0xC0..=0xDE if code != 0xD7 => code + 0x20,
        0xDF..=0xFF => code,
        0x130 => return None,
        0x178 => 0xFF,
        0x100..=0x137 | 0x14A..=0x177 => code | 1,
        0x139..=0x148 | 0x179..=0x17E => code + (code & 1),
        0x138 | 0x149 | 0x17F => code,
        0x400..=0x40F => code + 0x50,
        0x410..=0x42F => code + 0x20,
        0x430..=0x45F => code,
        _ => return None,
    };
    char::from_u32(lowered)
}

/// Rounds to four decimal places, so reports compare byte for byte.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// `count` test strings of 1 to `longest` pieces drawn from `pieces` by a fixed linear
/// congruential sequence started at `seed`: the same strings in every run.
#[cfg(test)]
pub(crate) fn mixed_strings<'a>(
    pieces: &'a [&'a str],
    seed: u64,
    count: usize,
    longest: usize,
) -> impl Iterator<Item = String> + 'a {
    let mut state = seed;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as usize % bound
    };
    (0..count).map(move |_| {
        let length = 1 + next(longest);
        (0..length).map(|_| pieces[next(pieces.len())]).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_letter_is_is_alphabetic_for_every_character() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn lowercase_letters_by_range_are_char_lowercase() {
        for c in (0..=0x7FF).filter_map(char::from_u32) {
            if let Some(lowered) = lowercase_letter(c) {
                assert_eq!(
                    c.to_lowercase().collect::<String>(),
                    lowered.to_string(),
                    "{c:?}"
                );
            }
        }
    }

    /// The stretch-wise lower case is `str::to_lowercase` on every line of the language bench,
    /// the seeds, and random mixes of ASCII, accented and Cyrillic letters, sigmas and the
    /// characters whose lower case is longer.
    #[test]
    fn to_lowercase_is_str_to_lowercase() {
        let same = |text: &str| assert_eq!(to_lowercase(text), text.to_lowercase(), "{text:?}");
        let root = env!("CARGO_MANIFEST_DIR");
        for file in ["sentences.tsv", "paragraphs.tsv", "words.tsv"] {
            let path = format!("{root}/tests/data/langid/{file}");
            let data = std::fs::read_to_string(&path).expect("the bench data is bundled");
            data.lines().for_each(same);
        }
        for entry in std::fs::read_dir(format!("{root}/corpus")).expect("the seeds are bundled") {
            let path = entry.expect("a readable folder").path();
            same(&std::fs::read_to_string(&path).expect("a seed article"));
        }
        let pieces = [
            "Hello World ",
            "ÀÉÎÕÜ",
            "àéß",
            "×÷",
            "ĄĆĘŁŃŚŹŻ",
            "ąćęłńśźż",
            "İı",
            "Ÿ",
            "ſ",
            "ŉ",
            "ЁЖЯ",
            "ёжя",
            "ҐЄЇ",
            "ΣΑΣ",
            "Σ",
            "ς",
            "ẞ",
            "Ǆǅǆ",
            "Ω",
            "学",
            " ",
            ".",
            "1",
        ];
        for text in crate::text::mixed_strings(&pieces, 5, 20_000, 10) {
            same(&text);
        }
    }

    #[test]
    fn rounding_is_to_four_places() {
        assert_eq!(round4(0.123_456), 0.1235);
        assert_eq!(round4(1.0), 1.0);
    }

    #[test]
    fn the_hash_is_xxh3_of_the_bytes_however_long() {
        for length in [0, 1, 63, 64, 65, 128, 129, 1000] {
            let bytes: Vec<u8> = (0..length).map(|k| (k * 7 % 251) as u8).collect();
            assert_eq!(
                stable_hash(bytes.iter().copied()),
                xxhash_rust::xxh3::xxh3_64(&bytes),
                "{length} bytes"
            );
        }
        assert_ne!(stable_hash(*b"a"), stable_hash(*b"b"));
    }
}
