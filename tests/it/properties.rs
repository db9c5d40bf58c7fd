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
    let inputs: Vec<_> = documents.iter().map(|d| d.grouped()).collect();
    let groups = mentorlens::align::group::group(&inputs, &Default::default());
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

// The order-sensitive steps of grouping, on random graphs full of ties: blocking over any number
// of partitions, the greedy candidate budgets and the non-chaining joins give the single-process
// result whatever the order of their input or how it is cut.

use mentorlens::align::group::{
    BlockKey, BlockKind, Joined, PassingPair, RankedPair, Support, join_pairs, merge_shares,
    merge_sorted_shares, partition_shares, within_budget,
};

/// Distinct pairs `(i, j)`, `i < j`, of `documents` documents, each with a small weight and small
/// text hashes (so that weights and hashes tie often).
fn ranked_pairs() -> impl Strategy<Value = Vec<RankedPair>> {
    (2usize..14).prop_flat_map(|documents| {
        let pairs: Vec<(usize, usize)> = (0..documents)
            .flat_map(|i| (i + 1..documents).map(move |j| (i, j)))
            .collect();
        let all = pairs.len();
        (
            proptest::sample::subsequence(pairs, 0..=all),
            proptest::collection::vec((1u64..4, 0u64..3), documents),
        )
            .prop_map(|(pairs, documents)| {
                pairs
                    .into_iter()
                    .map(|(i, j)| RankedPair {
                        pair: (i, j),
                        weight: documents[i].0 + documents[j].0,
                        text_hashes: (documents[i].1, documents[j].1),
                    })
                    .collect()
            })
    })
}

const KINDS: [BlockKind; 3] = [BlockKind::Anchor, BlockKind::Band, BlockKind::Sound];

/// Which pairs may meet in a block of sounds (some, as `sounds_tie` allows some).
fn meet(i: usize, j: usize, kind: BlockKind) -> bool {
    kind != BlockKind::Sound || !(i + j).is_multiple_of(3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The budget keeps the same pairs whatever their order, gives no document more than its
    /// budget, and drops a pair only when one of its documents is full.
    #[test]
    fn candidate_budgets_do_not_depend_on_the_order(
        (pairs, shuffled) in ranked_pairs().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle())),
        budget in 1usize..4,
    ) {
        let kept = within_budget(pairs.clone(), budget);
        prop_assert_eq!(&kept, &within_budget(shuffled, budget));
        let mut count = std::collections::HashMap::new();
        for &(i, j) in &kept {
            *count.entry(i).or_insert(0) += 1;
            *count.entry(j).or_insert(0) += 1;
        }
        prop_assert!(count.values().all(|&c| c <= budget));
        for pair in &pairs {
            let (i, j) = pair.pair;
            let full = |d| count.get(&d).copied().unwrap_or(0) == budget;
            prop_assert!(kept.contains(&(i, j)) || full(i) || full(j));
        }
    }

    /// Blocking over P partitions of the keys, merged in any order, gives what one partition
    /// gives.
    #[test]
    fn blocking_does_not_depend_on_the_partitions(
        keys in proptest::collection::vec(
            proptest::collection::vec((0usize..3, 0u64..12), 0..6), 0..30),
        partitions in 2usize..6,
        reverse in any::<bool>(),
    ) {
        let keys: Vec<Vec<BlockKey>> = keys
            .into_iter()
            .map(|k| k.into_iter().map(|(kind, hash)| BlockKey { kind: KINDS[kind], hash }).collect())
            .collect();
        let whole = merge_shares(vec![partition_shares(&keys, 0, 1, meet)]);
        let mut parts: Vec<_> = (0..partitions)
            .map(|p| partition_shares(&keys, p, partitions, meet))
            .collect();
        if reverse {
            parts.reverse();
        }
        // Streamed (a k-way merge of the sorted partitions) as summed whole.
        let streamed: Vec<_> =
            merge_sorted_shares(parts.iter().map(|part| part.iter().copied()).collect()).collect();
        prop_assert_eq!(&whole, &streamed);
        prop_assert_eq!(whole, merge_shares(parts));
    }
}

/// A group as plain data: its members and its pairs (the pair, its score) in the order they joined.
type PlainGroup = (Vec<usize>, Vec<((usize, usize), f64)>);

/// A random graph for the joins: each document's language (few, so that they clash) and text
/// order (ties allowed), the passing pairs with scores that tie, and which other pairs would
/// support a join.
#[derive(Debug, Clone)]
struct JoinGraph {
    languages: Vec<u8>,
    content: Vec<u8>,
    passing: Vec<(usize, usize, f64)>,
    supporting: std::collections::HashSet<(usize, usize)>,
}

fn join_graphs() -> impl Strategy<Value = JoinGraph> {
    (2usize..12).prop_flat_map(|documents| {
        let pairs: Vec<(usize, usize)> = (0..documents)
            .flat_map(|i| (i + 1..documents).map(move |j| (i, j)))
            .collect();
        let all = pairs.len();
        (
            proptest::collection::vec(0u8..3, documents),
            proptest::collection::vec(0u8..4, documents),
            proptest::collection::vec(
                (
                    proptest::sample::select(vec![0.5, 0.6, 0.8, 0.9]),
                    any::<bool>(),
                ),
                all,
            ),
            proptest::collection::vec(any::<bool>(), all),
        )
            .prop_map(move |(languages, content, scores, supporting)| JoinGraph {
                languages,
                content,
                passing: pairs
                    .iter()
                    .zip(&scores)
                    .filter(|(_, (_, passes))| *passes)
                    .map(|(&(i, j), &(score, _))| (i, j, score))
                    .collect(),
                // A passing pair supports a join; others at random.
                supporting: pairs
                    .iter()
                    .zip(scores.iter().zip(&supporting))
                    .filter(|(_, ((_, passes), supports))| *passes || **supports)
                    .map(|(&pair, _)| pair)
                    .collect(),
            })
    })
}

impl JoinGraph {
    fn supports(&self, x: usize, y: usize) -> bool {
        self.supporting.contains(&(x.min(y), x.max(y)))
    }

    fn join(&self, passing: &[(usize, usize, f64)]) -> Vec<Joined<(usize, usize)>> {
        let passing = passing
            .iter()
            .map(|&(a, b, score)| PassingPair {
                score,
                a,
                b,
                kept: (a, b),
            })
            .collect();
        // Every third pair's answer is at hand, so answers come in another order than asked.
        let support = Support {
            known: |x: usize, y: usize| (x + y).is_multiple_of(3).then(|| self.supports(x, y)),
            supports: |x: usize, y: usize| self.supports(x, y),
        };
        join_pairs(passing, &self.content, &self.languages, &support)
    }

    /// The greedy joins written out once more, one pair at a time over the whole graph, best
    /// first, with no components: the single-process algorithm the joins must agree with.
    fn reference(&self) -> Vec<PlainGroup> {
        let mut order = self.passing.clone();
        order.sort_by(|x, y| {
            y.2.total_cmp(&x.2)
                .then(self.content[x.0].cmp(&self.content[y.0]))
                .then(self.content[x.1].cmp(&self.content[y.1]))
                .then((x.0, x.1).cmp(&(y.0, y.1)))
        });
        let mut groups: Vec<PlainGroup> = Vec::new();
        let group_of =
            |groups: &[(Vec<usize>, _)], m: usize| groups.iter().position(|g| g.0.contains(&m));
        for (i, j, score) in order {
            let (gi, gj) = (group_of(&groups, i), group_of(&groups, j));
            if gi.is_some() && gi == gj {
                continue;
            }
            let side = |g: Option<usize>, m: usize| g.map_or(vec![m], |g| groups[g].0.clone());
            let (si, sj) = (side(gi, i), side(gj, j));
            let language = &self.languages;
            let copies = language[i] == language[j];
            let clash = si.iter().any(|&x| {
                sj.iter()
                    .any(|&y| language[x] == language[y] && !(copies && language[x] == language[i]))
            });
            if clash {
                continue;
            }
            let versions = si
                .iter()
                .flat_map(|&x| sj.iter().map(move |&y| (x, y)))
                .filter(|&(x, y)| self.supports(x, y))
                .count();
            let across = si.len() * sj.len();
            let founder = |g: Option<usize>, m: usize| g.is_none_or(|g| groups[g].0[0] == m);
            let through_founders = founder(gi, i) && founder(gj, j);
            if versions * 2 < across || versions * 2 == across && score < 0.8 && !through_founders {
                continue;
            }
            // The group that takes the other keeps its members first (its founder stays first).
            let mut members = if gi.is_none() && gj.is_some() {
                sj.clone()
            } else {
                si.clone()
            };
            members.extend(if gi.is_none() && gj.is_some() { si } else { sj });
            let mut pairs = Vec::new();
            let mut joined: Vec<usize> = [gi, gj].into_iter().flatten().collect();
            joined.sort_unstable();
            // The group of i keeps its place (or that of j); their pairs in that order.
            for g in [gi, gj].into_iter().flatten() {
                pairs.extend(groups[g].1.clone());
            }
            pairs.push(((i, j), score));
            for g in joined.into_iter().rev() {
                groups.remove(g);
            }
            groups.push((members, pairs));
        }
        groups
    }
}

/// Groups as sets: members sorted, pairs as they joined, groups sorted.
fn as_sets(groups: Vec<PlainGroup>) -> Vec<PlainGroup> {
    let mut groups: Vec<_> = groups
        .into_iter()
        .map(|(mut members, pairs)| {
            members.sort_unstable();
            (members, pairs)
        })
        .collect();
    groups.sort_by(|x, y| x.0.cmp(&y.0));
    groups
}

fn joined_sets(groups: Vec<Joined<(usize, usize)>>) -> Vec<PlainGroup> {
    as_sets(groups.into_iter().map(|g| (g.members, g.pairs)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The joins give the single-process result whatever the order of the pairs, and joined
    /// component by component the same groups.
    #[test]
    fn joins_do_not_depend_on_order_or_partitioning(
        (graph, shuffled) in join_graphs().prop_flat_map(|g| {
            let passing = g.passing.clone();
            (Just(g), Just(passing).prop_shuffle())
        }),
        parts in 1usize..4,
    ) {
        let whole = graph.join(&graph.passing);
        prop_assert_eq!(&whole, &graph.join(&shuffled));
        let whole = joined_sets(whole);
        prop_assert_eq!(&whole, &as_sets(graph.reference()));
        // Cut the pairs into `parts` pieces of whole connected components (as a cluster's
        // partitions may hold them): joined piece by piece, the same groups.
        let mut component: Vec<usize> = (0..graph.languages.len()).collect();
        fn root(component: &mut [usize], mut x: usize) -> usize {
            while component[x] != x {
                x = component[x];
            }
            x
        }
        for &(a, b, _) in &graph.passing {
            let (ra, rb) = (root(&mut component, a), root(&mut component, b));
            component[ra.max(rb)] = ra.min(rb);
        }
        let mut pieces: Vec<Vec<(usize, usize, f64)>> = vec![Vec::new(); parts];
        for &pair in &shuffled {
            pieces[root(&mut component, pair.0) % parts].push(pair);
        }
        let by_pieces: Vec<_> = pieces.iter().rev().flat_map(|piece| graph.join(piece)).collect();
        prop_assert_eq!(&whole, &joined_sets(by_pieces));
    }
}
