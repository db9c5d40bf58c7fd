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
        .unwrap_or(&analysed.document.text)
        .to_string()
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

/// A planted corpus (translations, copies, unrelated articles from the same sentences), analysed
/// once: renaming files changes no per-document result, only the corpus stages' input order.
fn planted_corpus() -> &'static [mentorlens::AnalysedDocument] {
    static PLANTED: OnceLock<Vec<mentorlens::AnalysedDocument>> = OnceLock::new();
    PLANTED.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (corpus, _) = crate::synthetic::generate_planted(root, 600, 3);
        corpus
            .into_iter()
            .map(|(id, bytes)| {
                pipeline().analyse_document(document_from_bytes(id.clone(), id, bytes).unwrap())
            })
            .collect()
    })
}

/// Groups and themes with every document named by its position in the planted corpus: what must
/// not change when the files are renamed (and so sorted into another order).
type ContentView = (
    Vec<(String, Vec<usize>)>,
    Vec<(String, bool, usize, Vec<usize>)>,
);

fn content_view(names: &[String]) -> ContentView {
    let mut documents: Vec<mentorlens::AnalysedDocument> = planted_corpus().to_vec();
    for (document, name) in documents.iter_mut().zip(names) {
        document.document.id = name.clone();
    }
    let position: std::collections::HashMap<String, usize> = names
        .iter()
        .cloned()
        .enumerate()
        .map(|(k, name)| (name, k))
        .collect();
    // The pipeline hands the corpus stages documents sorted by id.
    documents.sort_by(|a, b| a.document.id.cmp(&b.document.id));
    let groups = mentorlens::align::group::group(&documents);
    let summaries: Vec<_> = documents.iter().map(|d| d.themed()).collect();
    let themes = mentorlens::themes::summarise(pipeline().theme_matcher(), &summaries, &groups);
    let by_position = |ids: &[String]| -> Vec<usize> {
        let mut positions: Vec<usize> = ids.iter().map(|id| position[id]).collect();
        positions.sort_unstable();
        positions
    };
    let mut group_view: Vec<(String, Vec<usize>)> = groups
        .iter()
        .map(|g| (format!("{:?}", g.kind), by_position(&g.documents)))
        .collect();
    group_view.sort();
    let theme_view = themes
        .themes
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                t.recurring,
                t.articles,
                by_position(&t.documents),
            )
        })
        .collect();
    (group_view, theme_view)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    /// The same files under other names (so in another order) give the same groups and the same
    /// themes, compared by content.
    #[test]
    fn results_do_not_depend_on_file_names_or_order(seed in any::<u64>()) {
        let count = planted_corpus().len();
        let baseline_names: Vec<String> = (0..count).map(|k| format!("doc{k:05}")).collect();
        let baseline = content_view(&baseline_names);
        prop_assert!(baseline.0.len() > 50, "too few groups to compare");
        // Names in another order: a random permutation of the same kind of names.
        let mut random = crate::synthetic::SplitMix::new(seed);
        let mut shuffled = baseline_names.clone();
        for k in (1..count).rev() {
            shuffled.swap(k, random.below(k + 1));
        }
        prop_assert_eq!(content_view(&shuffled), baseline);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Idempotence where an edit can change how a neighbouring paragraph's language reads: short
    /// paragraphs of English, Swedish, German and Polish words beside spun English.
    #[test]
    fn normalize_is_idempotent_in_mixed_languages(
        words in proptest::collection::vec(
            proptest::sample::select(vec![
                "imaginative and prescient", "advertising and marketing", "by way of",
                "open curiosity", "as a result of", "the", "a", "of", "and", "leaders",
                "mentorship", "is", "growing", ".", "\n\n", "\n\n", "och", "är", "det", "bra",
                "mentorn", "der", "die", "und", "ist", "gut", "jest", "nie", "w", "z", "mentor",
                "Mentor", "program", "team", "Ledarskap", "Führung", "przywództwo",
            ]),
            1..60,
        )
    ) {
        let text = words.join(" ");
        prop_assume!(!text.trim().is_empty());
        let once = normalised(&text);
        prop_assert_eq!(normalised(&once), once);
    }
}

/// The whole report of a generated multilingual corpus (with repeated paragraphs, the case that
/// stresses grouping) is byte-identical on one worker thread and on three.
#[test]
fn the_report_does_not_depend_on_the_thread_count() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = tempfile::tempdir().unwrap();
    for (id, bytes) in crate::synthetic::generate(root, 300, 5) {
        std::fs::write(folder.path().join(format!("{id}.txt")), bytes).unwrap();
    }
    let inputs = [mentorlens::corpus::Input::from_path(
        folder.path().to_path_buf(),
    )];
    let report_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let analysis = pool.install(|| pipeline().run(&inputs, &()));
        assert_eq!(analysis.documents.len(), 300);
        let mut json = Vec::new();
        mentorlens::report::Report::new(&analysis)
            .write_json(&mut json)
            .unwrap();
        json
    };
    assert!(report_on(1) == report_on(3), "the reports differ");
}
