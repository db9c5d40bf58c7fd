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

/// Rounds to four decimal places, so reports compare byte for byte.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
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
