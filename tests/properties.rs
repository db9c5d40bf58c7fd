//! Property tests: arbitrary bytes go through load → segment → detect without panicking, and the
//! segmentation invariants hold (spans on char boundaries, in order, inside the text, nothing but
//! white space left outside paragraphs, sentences inside their paragraph).

use mentorlens::corpus::{document_from_bytes, is_blank};
use mentorlens::{Config, Pipeline};
use proptest::prelude::*;
use std::sync::OnceLock;

fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| Pipeline::new(&Config::default()).expect("default config builds"))
}

fn check(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let Ok(document) = document_from_bytes("prop".into(), "prop".into(), bytes) else {
        return Ok(());
    };
    let analysed = pipeline().analyse_document(document);
    let text = &analysed.document.text;
    let paragraphs = &analysed.segmented.paragraphs;
    prop_assert_eq!(analysed.languages.paragraphs.len(), paragraphs.len());
    let mut covered = vec![false; text.len()];
    let mut previous_end = 0;
    for paragraph in paragraphs {
        let span = paragraph.span;
        prop_assert!(previous_end <= span.start && span.start < span.end && span.end <= text.len());
        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        let body = &text[span.start..span.end];
        prop_assert!(!body.starts_with(is_blank) && !body.ends_with(is_blank));
        covered[span.start..span.end]
            .iter_mut()
            .for_each(|c| *c = true);
        previous_end = span.end;
        let mut sentence_end = span.start;
        for sentence in &paragraph.sentences {
            prop_assert!(sentence_end <= sentence.start && sentence.start < sentence.end);
            prop_assert!(sentence.end <= span.end);
            prop_assert!(
                text.is_char_boundary(sentence.start) && text.is_char_boundary(sentence.end)
            );
            sentence_end = sentence.end;
        }
    }
    for (offset, c) in text.char_indices() {
        prop_assert!(
            covered[offset] || is_blank(c),
            "byte {} ({:?}) is in no paragraph",
            offset,
            c
        );
    }
    for guess in analysed
        .languages
        .paragraphs
        .iter()
        .chain([&analysed.languages.document])
    {
        prop_assert!((0.0..=1.0).contains(&guess.confidence));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(bytes)?;
    }

    #[test]
    fn text_like_input_keeps_the_invariants(
        text in "([A-Za-zåäöæøłżśćęą]{1,12}|[ .,!?:;\"”“'’()\\-–]|\n|\r\n|\n\n|\t|\u{a0}|\u{200b}|[0-9]{1,4}\\.|- |• ){0,300}"
    ) {
        check(text.into_bytes())?;
    }

    #[test]
    fn utf16_input_never_panics(units in proptest::collection::vec(any::<u16>(), 0..512)) {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        check(bytes)?;
    }
}

/// Normalising restored text changes nothing more: for word salads built from spinner output,
/// its originals and ordinary words.
fn normalised(text: &str) -> String {
    let document = document_from_bytes("p".into(), "p".into(), text.as_bytes().to_vec())
        .expect("generated text is not empty");
    let analysed = pipeline().analyse_document(document);
    analysed
        .normalized_text()
        .unwrap_or_else(|| analysed.document.text.clone())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalize_is_idempotent(
        words in proptest::collection::vec(
            proptest::sample::select(vec![
                "imaginative and prescient", "vision", "advertising and marketing", "marketing",
                "by way of", "through", "merchants", "traders", "open curiosity", "interest",
                "as a result of", "because", "the", "a", "of", "and", "leaders", "mentorship",
                "value", "price", "{of professional}", "[ad_1]", "Supply:", "it surely's",
                "restoration", "recovery", "within", "in", "market", "is", "growing", ".", ",",
                "\n", "\n\n", "worth", "current", "recent", "one other", "another",
                "these", "those", "who", "both", "either", "additionally", "also",
            ]),
            1..120,
        )
    ) {
        let text = words.join(" ");
        prop_assume!(!text.trim().is_empty());
        let once = normalised(&text);
        prop_assert_eq!(normalised(&once), once);
    }
}
