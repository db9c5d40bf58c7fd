//! Themes on the seed corpus, scored by the protocol inside tests/data/gold/themes_seeds.json:
//! article-theme precision and recall (a translation group is one article), the same themes for
//! both translations, evidence precision, no citation of boilerplate, and the recurring set.
//! Thresholds are chosen by leaving one article out at a time; the shipped defaults must be the
//! thresholds those folds choose.

use mentorlens::corpus::Input;
use mentorlens::report::Report;
use mentorlens::themes::Thresholds;
use mentorlens::{Analysis, Config, Pipeline};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gold() -> Value {
    let text = std::fs::read_to_string(root().join("tests/data/gold/themes_seeds.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The seed corpus analysed with a statement threshold (the stage keeps only hits that reach it).
fn analyse_with(statement: f64) -> Analysis {
    let mut config = Config::default();
    config.themes.thresholds.statement = statement;
    let pipeline = Pipeline::new(&config).unwrap();
    let corpus = root().join("corpus");
    pipeline.run(&[Input::from_arg(corpus.to_str().unwrap())], &())
}

fn analyse() -> Analysis {
    let pipeline = Pipeline::new(&Config::default()).unwrap();
    let corpus = root().join("corpus");
    pipeline.run(&[Input::from_arg(corpus.to_str().unwrap())], &())
}

/// The themes the seed gold labels. It predates the themes the taxonomy gained from the
/// development set: those count neither way on the seeds (the test prints them).
fn seed_gold_theme_ids(gold: &Value) -> BTreeSet<String> {
    gold["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// Gold per document: theme → required.
fn gold_themes(gold: &Value) -> BTreeMap<String, BTreeMap<String, bool>> {
    gold["documents"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, doc)| {
            let themes = doc["themes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["theme"].as_str().unwrap().to_string(),
                        t["required"].as_bool().unwrap(),
                    )
                })
                .collect();
            (id.clone(), themes)
        })
        .collect()
}

fn articles(gold: &Value) -> BTreeMap<String, Vec<String>> {
    gold["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let docs = a["documents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().to_string())
                .collect();
            (a["id"].as_str().unwrap().to_string(), docs)
        })
        .collect()
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    hits: usize,
    false_positives: usize,
    misses: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.hits += other.hits;
        self.false_positives += other.false_positives;
        self.misses += other.misses;
    }
    fn precision(&self) -> f64 {
        let reported = self.hits + self.false_positives;
        if reported == 0 {
            1.0
        } else {
            self.hits as f64 / reported as f64
        }
    }
    fn recall(&self) -> f64 {
        let required = self.hits + self.misses;
        if required == 0 {
            1.0
        } else {
            self.hits as f64 / required as f64
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Scores one article: reported themes are the union over its documents.
fn score_article(
    reported: &BTreeSet<String>,
    documents: &[String],
    gold: &BTreeMap<String, BTreeMap<String, bool>>,
) -> Counts {
    let mut expected: BTreeMap<String, bool> = BTreeMap::new();
    for document in documents {
        for (theme, required) in &gold[document] {
            let entry = expected.entry(theme.clone()).or_insert(false);
            *entry |= *required;
        }
    }
    let mut counts = Counts::default();
    for (theme, required) in &expected {
        if *required {
            if reported.contains(theme) {
                counts.hits += 1;
            } else {
                counts.misses += 1;
            }
        }
    }
    counts.false_positives = reported
        .iter()
        .filter(|t| !expected.contains_key(*t))
        .count();
    counts
}

/// The themes of every document under `thresholds`.
fn themes_under(
    analysis: &Analysis,
    thresholds: &Thresholds,
    ids: &[String],
) -> BTreeMap<String, BTreeSet<String>> {
    themes_under_only(analysis, thresholds, ids, |_| true)
}

/// The themes of every document under `thresholds`, kept when `keep` accepts their id.
fn themes_under_only(
    analysis: &Analysis,
    thresholds: &Thresholds,
    ids: &[String],
    keep: impl Fn(&str) -> bool,
) -> BTreeMap<String, BTreeSet<String>> {
    analysis
        .documents
        .iter()
        .map(|d| {
            let themes = d
                .themes
                .decide(thresholds)
                .into_iter()
                .map(|t| ids[t.theme].clone())
                .filter(|id| keep(id))
                .collect();
            (d.document.id.clone(), themes)
        })
        .collect()
}

fn article_counts(
    by_document: &BTreeMap<String, BTreeSet<String>>,
    articles: &BTreeMap<String, Vec<String>>,
    gold: &BTreeMap<String, BTreeMap<String, bool>>,
    only: impl Fn(&str) -> bool,
) -> Counts {
    let mut total = Counts::default();
    for (article, documents) in articles.iter().filter(|(a, _)| only(a)) {
        let _ = article;
        let reported: BTreeSet<String> = documents
            .iter()
            .flat_map(|d| by_document[d].iter().cloned())
            .collect();
        total.add(score_article(&reported, documents, gold));
    }
    total
}

const STATEMENT_GRID: [f64; 4] = [0.75, 1.0, 1.25, 1.5];
const DOCUMENT_GRID: [f64; 8] = [1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0];

/// The seed corpus chooses `spun_document` (its spun article is the only spun text with gold),
/// leaving one article out at a time with `statement` and `document` as shipped (chosen on the
/// development set): each fold picks the value with the best F1 on the other articles and is
/// scored on the one it left out. The shipped value must be the one most folds pick.
#[test]
fn leave_one_article_out_chooses_the_spun_threshold_and_holds_out_well() {
    let gold = gold();
    let gold_themes = gold_themes(&gold);
    let articles = articles(&gold);
    let shipped = Thresholds::default();
    let analysis = analyse_with(shipped.statement);
    let ids: Vec<String> = Pipeline::new(&Config::default())
        .unwrap()
        .theme_matcher()
        .themes()
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let labelled = seed_gold_theme_ids(&gold);
    let under = |spun_document: f64| Thresholds {
        spun_document,
        ..shipped
    };
    for spun_document in DOCUMENT_GRID {
        let by_document = themes_under_only(&analysis, &under(spun_document), &ids, |id| {
            labelled.contains(id)
        });
        let all = article_counts(&by_document, &articles, &gold_themes, |_| true);
        println!(
            "seeds at spun_document {spun_document}: precision {:.3} recall {:.3} F1 {:.3}",
            all.precision(),
            all.recall(),
            all.f1()
        );
    }
    let mut held_out = Counts::default();
    let mut chosen: BTreeMap<u64, usize> = BTreeMap::new();
    for left_out in articles.keys() {
        // Best F1 on the other articles; ties go to the lower threshold (grid order).
        let mut best: Option<(f64, f64)> = None;
        for spun_document in DOCUMENT_GRID {
            let by_document = themes_under_only(&analysis, &under(spun_document), &ids, |id| {
                labelled.contains(id)
            });
            let f1 = article_counts(&by_document, &articles, &gold_themes, |a| a != left_out).f1();
            if best.is_none_or(|(b, _)| f1 > b + 1e-12) {
                best = Some((f1, spun_document));
            }
        }
        let (f1, spun_document) = best.unwrap();
        let by_document = themes_under_only(&analysis, &under(spun_document), &ids, |id| {
            labelled.contains(id)
        });
        let counts = article_counts(&by_document, &articles, &gold_themes, |a| a == left_out);
        println!(
            "fold without {left_out}: chose spun_document {spun_document} (F1 {f1:.3} on the rest); held out {counts:?}"
        );
        *chosen.entry(spun_document.to_bits()).or_default() += 1;
        held_out.add(counts);
    }
    println!(
        "leave-one-article-out: precision {:.3}, recall {:.3}, F1 {:.3}",
        held_out.precision(),
        held_out.recall(),
        held_out.f1()
    );
    let (&mode, _) = chosen.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(
        f64::from_bits(mode),
        shipped.spun_document,
        "the shipped spun_document must be the one the folds choose most often"
    );
    assert!(held_out.f1() >= 0.85, "held-out F1 {:.3}", held_out.f1());
}

#[test]
fn seed_themes_meet_the_gold_targets() {
    let gold = gold();
    let gold_themes = gold_themes(&gold);
    let articles = articles(&gold);
    let analysis = analyse();
    let report = serde_json::to_value(Report::new(&analysis)).unwrap();
    let labelled = seed_gold_theme_ids(&gold);
    let all_themes: BTreeMap<String, BTreeSet<String>> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let themes = d["themes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect();
            (d["id"].as_str().unwrap().to_string(), themes)
        })
        .collect();
    for (id, themes) in &all_themes {
        let unlabelled: Vec<&String> = themes.iter().filter(|t| !labelled.contains(*t)).collect();
        if !unlabelled.is_empty() {
            println!("{id} states themes the seed gold predates: {unlabelled:?}");
        }
    }
    let by_document: BTreeMap<String, BTreeSet<String>> = all_themes
        .iter()
        .map(|(id, themes)| {
            let known = themes.iter().filter(|t| labelled.contains(*t)).cloned();
            (id.clone(), known.collect())
        })
        .collect();

    // Article level.
    let counts = article_counts(&by_document, &articles, &gold_themes, |_| true);
    println!(
        "article-theme pairs: precision {:.3}, recall {:.3}, F1 {:.3} ({counts:?})",
        counts.precision(),
        counts.recall(),
        counts.f1()
    );
    assert!(
        counts.precision() >= 0.9 && counts.recall() >= 0.9,
        "{counts:?}"
    );

    // Document level, and both translations the same.
    let mut document_counts = Counts::default();
    for (id, themes) in &by_document {
        document_counts.add(score_article(
            themes,
            std::slice::from_ref(id),
            &gold_themes,
        ));
    }
    println!(
        "document-theme pairs: precision {:.3}, recall {:.3}",
        document_counts.precision(),
        document_counts.recall()
    );
    let required = |id: &str| -> BTreeSet<String> {
        by_document[id]
            .iter()
            .filter(|t| gold_themes[id].get(*t) == Some(&true))
            .cloned()
            .collect()
    };
    assert_eq!(
        required("000_6d249e2a96ff57b8"),
        required("001_c8f67bc4325f3f9a")
    );
    assert_eq!(
        all_themes["000_6d249e2a96ff57b8"],
        all_themes["001_c8f67bc4325f3f9a"]
    );

    // Evidence: overlaps a gold span of the same document and theme; never boilerplate.
    let mut right = 0;
    let mut cited = 0;
    for theme in report["themes"].as_array().unwrap() {
        let id = theme["id"].as_str().unwrap();
        for evidence in theme["evidence"].as_array().unwrap() {
            let document = evidence["document"].as_str().unwrap();
            let (start, end) = (
                evidence["start"].as_u64().unwrap(),
                evidence["end"].as_u64().unwrap(),
            );
            let gold_document = &gold["documents"][document];
            for not in gold_document["not_evidence"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let (s, e) = (not["start"].as_u64().unwrap(), not["end"].as_u64().unwrap());
                assert!(end <= s || start >= e, "{document} cites boilerplate {not}");
            }
            if !labelled.contains(id) {
                continue;
            }
            let spans = gold_document["themes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["theme"] == id)
                .flat_map(|t| t["evidence"].as_array().unwrap().iter());
            let overlaps = spans
                .clone()
                .any(|g| start < g["end"].as_u64().unwrap() && end > g["start"].as_u64().unwrap());
            cited += 1;
            if overlaps {
                right += 1;
            } else {
                println!(
                    "  evidence not in gold: {document} {id}: {}",
                    evidence["text"]
                );
            }
        }
    }
    let evidence_precision = right as f64 / cited as f64;
    println!("evidence precision {evidence_precision:.3} ({right}/{cited})");
    assert!(evidence_precision >= 0.9);

    // Recurring set and article counts.
    for expected in gold["recurring"].as_array().unwrap() {
        let id = expected["theme"].as_str().unwrap();
        let theme = report["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap();
        let count = theme["articles"].as_u64().unwrap();
        let (min, max) = (
            expected["articles_count_min"].as_u64().unwrap(),
            expected["articles_count_max"].as_u64().unwrap(),
        );
        assert!(
            (min..=max).contains(&count),
            "{id}: {count} articles, gold {min}..={max}"
        );
        match expected["recurring"].as_str().unwrap() {
            "yes" => assert_eq!(theme["recurring"], true, "{id} must recur"),
            "no" => assert_eq!(theme["recurring"], false, "{id} must not recur"),
            _ => {}
        }
    }
}

/// The development set: its gold, folder and the inputs of its documents.
struct Development {
    folder: PathBuf,
    gold: Value,
}

impl Development {
    fn load() -> Self {
        let folder = root().join("../shared/dev/themes");
        let gold: Value = serde_json::from_str(
            &std::fs::read_to_string(folder.join("gold.json"))
                .expect("the development set must be beside the checkout (../shared/dev/themes)"),
        )
        .unwrap();
        Self { folder, gold }
    }

    fn documents(&self) -> &serde_json::Map<String, Value> {
        self.gold["documents"].as_object().unwrap()
    }

    fn run(&self, config: &Config) -> Analysis {
        let pipeline = Pipeline::new(config).unwrap();
        let inputs: Vec<Input> = self
            .documents()
            .keys()
            .map(|id| Input::Path(self.folder.join(format!("{id}.txt"))))
            .collect();
        pipeline.run(&inputs, &())
    }

    /// Per language: hits, false positives and misses of the required (document, theme) pairs,
    /// optional pairs free, for the themes each document states.
    fn score(&self, found: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, Counts> {
        let mut by_language: BTreeMap<String, Counts> = BTreeMap::new();
        for (id, document) in self.documents() {
            let themes = document["themes"].as_array().unwrap();
            let labelled = |required: bool| -> BTreeSet<&str> {
                themes
                    .iter()
                    .filter(|t| t["required"] == required)
                    .map(|t| t["theme"].as_str().unwrap())
                    .collect()
            };
            let (required, optional) = (labelled(true), labelled(false));
            let stated: BTreeSet<&str> = found
                .get(id)
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            let counts = by_language
                .entry(document["language"].as_str().unwrap().to_string())
                .or_default();
            counts.add(Counts {
                hits: stated.intersection(&required).count(),
                false_positives: stated
                    .iter()
                    .filter(|t| !required.contains(*t) && !optional.contains(*t))
                    .count(),
                misses: required.difference(&stated).count(),
            });
        }
        by_language
    }
}

fn total(by_language: &BTreeMap<String, Counts>) -> Counts {
    let mut all = Counts::default();
    for counts in by_language.values() {
        all.add(*counts);
    }
    all
}

/// The team's development set: 33 real articles in 15 languages with theme gold
/// (`../shared/dev/themes`, read in place: the texts belong to their publishers). Scored as the
/// gold says: unit (document, theme); required pairs must be found, optional pairs are free,
/// anything else is a false positive. Prints the figures per language; fails below F1 0.80,
/// precision 0.90, or recall 0.60 in any language; evidence never quotes a `not_evidence` span.
#[test]
fn development_articles_in_fifteen_languages() {
    let development = Development::load();
    let analysis = development.run(&Config::default());
    let report = Report::new(&analysis);
    let found: BTreeMap<String, BTreeSet<String>> = report
        .documents
        .iter()
        .map(|d| (d.id.clone(), d.themes.iter().cloned().collect()))
        .collect();
    let by_language = development.score(&found);
    for (language, counts) in &by_language {
        println!(
            "{language}: precision {:.3} recall {:.3} ({counts:?})",
            counts.precision(),
            counts.recall()
        );
    }
    let all = total(&by_language);
    println!(
        "all: precision {:.3} recall {:.3} F1 {:.3} ({all:?})",
        all.precision(),
        all.recall(),
        all.f1()
    );
    // Evidence never comes from a span the gold marks as never to be cited.
    for theme in &report.themes {
        for evidence in &theme.evidence {
            let gold = &development.documents()[&evidence.document];
            for not in gold["not_evidence"].as_array().into_iter().flatten() {
                let (s, e) = (
                    not["start"].as_u64().unwrap() as usize,
                    not["end"].as_u64().unwrap() as usize,
                );
                assert!(
                    evidence.end <= s || evidence.start >= e,
                    "{} cites a not_evidence span for {}: {}",
                    evidence.document,
                    theme.id,
                    evidence.text
                );
            }
        }
    }
    for (language, counts) in &by_language {
        assert!(
            counts.recall() >= 0.6,
            "{language}: recall {:.3}",
            counts.recall()
        );
    }
    assert!(all.precision() >= 0.90, "precision {:.3}", all.precision());
    assert!(all.f1() >= 0.80, "F1 {:.3}", all.f1());
}

/// Thresholds on the development set, leaving one language out at a time: each fold picks the
/// (statement, document) pair with the best F1 on the other fourteen languages and is scored on
/// the language it left out. The shipped thresholds must be the ones most folds pick.
#[test]
fn development_leave_one_language_out() {
    let development = Development::load();
    let ids: Vec<String> = Pipeline::new(&Config::default())
        .unwrap()
        .theme_matcher()
        .themes()
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let analyses: Vec<(f64, Analysis)> = STATEMENT_GRID
        .iter()
        .map(|&statement| {
            let mut config = Config::default();
            config.themes.thresholds.statement = statement;
            (statement, development.run(&config))
        })
        .collect();
    let scored: Vec<(Thresholds, BTreeMap<String, Counts>)> = analyses
        .iter()
        .flat_map(|(statement, analysis)| {
            DOCUMENT_GRID.iter().map(|&document| {
                let thresholds = Thresholds {
                    statement: *statement,
                    document,
                    ..Thresholds::default()
                };
                let found = themes_under(analysis, &thresholds, &ids);
                (thresholds, development.score(&found))
            })
        })
        .collect();
    for (thresholds, by_language) in &scored {
        let all = total(by_language);
        println!(
            "statement {} document {}: precision {:.3} recall {:.3} F1 {:.3}",
            thresholds.statement,
            thresholds.document,
            all.precision(),
            all.recall(),
            all.f1()
        );
    }
    let languages: Vec<String> = scored[0].1.keys().cloned().collect();
    let mut held_out = Counts::default();
    let mut chosen: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    for left_out in &languages {
        let mut best: Option<(f64, Thresholds, Counts)> = None;
        for (thresholds, by_language) in &scored {
            let mut rest = Counts::default();
            for (language, counts) in by_language {
                if language != left_out {
                    rest.add(*counts);
                }
            }
            if best.is_none_or(|(b, _, _)| rest.f1() > b + 1e-12) {
                best = Some((rest.f1(), *thresholds, by_language[left_out]));
            }
        }
        let (f1, thresholds, counts) = best.unwrap();
        println!(
            "fold without {left_out}: chose statement {} document {} (F1 {f1:.3} on the rest); held out {counts:?}",
            thresholds.statement, thresholds.document
        );
        *chosen
            .entry((
                thresholds.statement.to_bits(),
                thresholds.document.to_bits(),
            ))
            .or_default() += 1;
        held_out.add(counts);
    }
    println!(
        "leave-one-language-out: precision {:.3}, recall {:.3}, F1 {:.3}",
        held_out.precision(),
        held_out.recall(),
        held_out.f1()
    );
    let (&(statement, document), _) = chosen.iter().max_by_key(|(_, n)| **n).unwrap();
    let mode = Thresholds {
        statement: f64::from_bits(statement),
        document: f64::from_bits(document),
        ..Thresholds::default()
    };
    assert_eq!(
        mode,
        Thresholds::default(),
        "the shipped thresholds must be the ones the folds choose most often"
    );
}

/// Discovery on the development set with one recurring theme left out of the taxonomy (the user's
/// taxonomy alone, `--no-default-taxonomy`): that theme's statements come back as one discovered
/// theme spanning at least three articles in at least two languages, with readable key phrases,
/// and no discovered theme quotes page furniture or a `not_evidence` span.
fn discovery_finds_the_left_out_theme(left_out: &str) {
    let development = Development::load();
    let dir = tempfile::tempdir().unwrap();
    let taxonomy = dir.path().join("taxonomy.tsv");
    let mut tsv = String::from("id\tlabel\tdefinition\tkram\n");
    let matcher = Pipeline::new(&Config::default()).unwrap();
    for theme in matcher.theme_matcher().themes() {
        if theme.id != left_out {
            tsv += &format!(
                "{}\t{}\t{}\t{}\n",
                theme.id, theme.label, theme.definition, theme.kram
            );
        }
    }
    std::fs::write(&taxonomy, tsv).unwrap();
    let mut config = Config::default();
    config.themes.taxonomy = Some(taxonomy);
    config.themes.default_taxonomy = false;
    let analysis = development.run(&config);
    let report = Report::new(&analysis);
    assert!(report.themes.iter().all(|t| t.id != left_out));

    // Gold evidence of the left-out theme, required or optional.
    let gold_spans = |document: &str| -> Vec<(usize, usize)> {
        development.documents()[document]["themes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["theme"] == left_out)
            .flat_map(|t| t["evidence"].as_array().unwrap().iter())
            .map(|e| {
                (
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                )
            })
            .collect()
    };
    let furniture = [
        "minute read",
        "min read",
        "advertisement",
        "share",
        "related",
        "subscribe",
        "read more",
    ];
    let mut best: Option<(usize, &mentorlens::themes::DiscoveredTheme)> = None;
    for discovered in &report.discovered_themes {
        println!(
            "{}: {} | {} articles | {:?}",
            discovered.id, discovered.stem, discovered.articles, discovered.key_phrases
        );
        for phrase in &discovered.key_phrases {
            assert!(
                furniture.iter().all(|f| !phrase.contains(f)),
                "furniture surfaced: {phrase}"
            );
        }
        let mut of_theme = 0;
        for evidence in &discovered.evidence {
            let gold = &development.documents()[&evidence.document];
            for not in gold["not_evidence"].as_array().into_iter().flatten() {
                let (s, e) = (
                    not["start"].as_u64().unwrap() as usize,
                    not["end"].as_u64().unwrap() as usize,
                );
                assert!(
                    evidence.end <= s || evidence.start >= e,
                    "discovery quotes not_evidence: {}",
                    evidence.text
                );
            }
            if gold_spans(&evidence.document)
                .iter()
                .any(|&(s, e)| evidence.start < e && evidence.end > s)
            {
                of_theme += 1;
            }
        }
        if of_theme > best.map_or(0, |(n, _)| n) {
            best = Some((of_theme, discovered));
        }
    }
    let (of_theme, discovered) =
        best.unwrap_or_else(|| panic!("no discovered theme holds a statement of {left_out}"));
    // A gold field of the documents whose evidence holds a statement of the left-out theme.
    let gold_field_of_returned = |field: &str| -> BTreeSet<&str> {
        discovered
            .evidence
            .iter()
            .filter(|e| {
                gold_spans(&e.document)
                    .iter()
                    .any(|&(s, t)| e.start < t && e.end > s)
            })
            .map(|e| {
                development.documents()[&e.document][field]
                    .as_str()
                    .unwrap()
            })
            .collect()
    };
    let articles = gold_field_of_returned("article");
    let languages = gold_field_of_returned("language");
    println!(
        "{left_out} comes back as {} ({}): {of_theme} of {} statements, articles {articles:?}, languages {languages:?}, key phrases {:?}",
        discovered.id,
        discovered.stem,
        discovered.evidence.len(),
        discovered.key_phrases
    );
    assert!(articles.len() >= 3, "{articles:?}");
    assert!(languages.len() >= 2, "{languages:?}");
    assert!(
        2 * of_theme >= discovered.evidence.len(),
        "most statements of {} must be of {left_out}",
        discovered.id
    );
    assert!(!discovered.key_phrases.is_empty());
    for phrase in &discovered.key_phrases {
        let words = phrase.split_whitespace().count();
        assert!(
            (1..=4).contains(&words) && phrase.chars().any(char::is_alphabetic),
            "unreadable key phrase {phrase:?}"
        );
    }
}

#[test]
fn discovery_finds_learning_from_experience_when_it_is_left_out() {
    discovery_finds_the_left_out_theme("learning_from_experience");
}

#[test]
fn discovery_finds_networks_and_opportunities_when_they_are_left_out() {
    discovery_finds_the_left_out_theme("networks_opportunities");
}
