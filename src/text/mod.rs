//! Primitives shared by every stage, with no stage logic: the tokenizer, the one stable hash of
//! text and the rounding of scores. Stages depend on this module, never on the report that shows
//! their results.

pub mod tokens;

pub use tokens::{Script, Token, TokenKind, tokens, word_count};

/// A stable 64-bit hash of some bytes (FNV-1a): the same in every run and build, so MinHash
/// sketches, cognates and cache entries never change between them.
pub fn stable_hash(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Rounds to four decimal places, so reports compare byte for byte.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_to_four_places() {
        assert_eq!(round4(0.123_456), 0.1235);
        assert_eq!(round4(1.0), 1.0);
    }

    #[test]
    fn the_hash_is_fnv_1a() {
        assert_eq!(stable_hash(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(*b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
