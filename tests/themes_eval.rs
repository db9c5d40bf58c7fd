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
    analysis
        .documents
        .iter()
        .map(|d| {
            let themes = d
                .themes
                .decide(thresholds)
                .into_iter()
                .map(|t| ids[t.theme].clone())
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
const DOCUMENT_GRID: [f64; 7] = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0];

#[test]
fn leave_one_article_out_chooses_the_shipped_thresholds_and_holds_out_well() {
    let gold = gold();
    let gold_themes = gold_themes(&gold);
    let articles = articles(&gold);
    let analyses: Vec<(f64, Analysis)> = STATEMENT_GRID
        .iter()
        .map(|&statement| (statement, analyse_with(statement)))
        .collect();
    let ids: Vec<String> = Pipeline::new(&Config::default())
        .unwrap()
        .theme_matcher()
        .themes()
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let mut held_out = Counts::default();
    let mut chosen: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    for left_out in articles.keys() {
        // Best F1 on the other articles; ties go to the lower thresholds (grid order).
        let mut best: Option<(f64, Thresholds)> = None;
        for (statement, analysis) in &analyses {
            for document in DOCUMENT_GRID {
                let thresholds = Thresholds {
                    statement: *statement,
                    document,
                };
                let by_document = themes_under(analysis, &thresholds, &ids);
                let f1 =
                    article_counts(&by_document, &articles, &gold_themes, |a| a != left_out).f1();
                if best.is_none_or(|(b, _)| f1 > b + 1e-12) {
                    best = Some((f1, thresholds));
                }
            }
        }
        let (f1, thresholds) = best.unwrap();
        let analysis = &analyses
            .iter()
            .find(|(statement, _)| *statement == thresholds.statement)
            .unwrap()
            .1;
        let by_document = themes_under(analysis, &thresholds, &ids);
        let counts = article_counts(&by_document, &articles, &gold_themes, |a| a == left_out);
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
        "leave-one-article-out: precision {:.3}, recall {:.3}, F1 {:.3}",
        held_out.precision(),
        held_out.recall(),
        held_out.f1()
    );
    let (&(statement, document), _) = chosen.iter().max_by_key(|(_, n)| **n).unwrap();
    let mode = Thresholds {
        statement: f64::from_bits(statement),
        document: f64::from_bits(document),
    };
    assert_eq!(
        mode,
        Thresholds::default(),
        "the shipped thresholds must be the ones the folds choose most often"
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
    let by_document: BTreeMap<String, BTreeSet<String>> = report["documents"]
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
        by_document["000_6d249e2a96ff57b8"],
        by_document["001_c8f67bc4325f3f9a"]
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

/// The team's development set: 33 real articles in 15 languages with theme gold
/// (`../shared/dev/themes`, read in place: the texts belong to their publishers). Scored as the
/// gold says: unit (document, theme); required pairs must be found, optional pairs are free,
/// anything else is a false positive. Prints the figures per language; fails when recall of the
/// required pairs drops below 0.40, precision below 0.90, or a language loses every hit.
#[test]
fn development_articles_in_fifteen_languages() {
    let folder = root().join("../shared/dev/themes");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(folder.join("gold.json"))
            .expect("the development set must be beside the checkout (../shared/dev/themes)"),
    )
    .unwrap();
    let pipeline = Pipeline::new(&Config::default()).unwrap();
    let inputs: Vec<Input> = gold["documents"]
        .as_object()
        .unwrap()
        .keys()
        .map(|id| Input::Path(folder.join(format!("{id}.txt"))))
        .collect();
    let report = Report::new(&pipeline.run(&inputs, &()));
    let found: BTreeMap<&str, BTreeSet<&str>> = report
        .documents
        .iter()
        .map(|d| (d.id.as_str(), d.themes.iter().map(String::as_str).collect()))
        .collect();
    // language -> (hits, false positives, misses)
    let mut by_language: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (id, document) in gold["documents"].as_object().unwrap() {
        let themes = document["themes"].as_array().unwrap();
        let labelled = |required: bool| -> BTreeSet<&str> {
            themes
                .iter()
                .filter(|t| t["required"] == required)
                .map(|t| t["theme"].as_str().unwrap())
                .collect()
        };
        let (required, optional) = (labelled(true), labelled(false));
        let stated = found.get(id.as_str()).cloned().unwrap_or_default();
        let counts = by_language
            .entry(document["language"].as_str().unwrap().to_string())
            .or_default();
        counts.0 += stated.intersection(&required).count();
        counts.1 += stated
            .iter()
            .filter(|t| !required.contains(*t) && !optional.contains(*t))
            .count();
        counts.2 += required.difference(&stated).count();
    }
    let ratio = |a: usize, b: usize| a as f64 / (a + b).max(1) as f64;
    let (mut hits, mut false_positives, mut misses) = (0, 0, 0);
    for (language, (h, f, m)) in &by_language {
        println!(
            "{language}: precision {:.3} recall {:.3} ({h} hits, {f} false positives, {m} misses)",
            ratio(*h, *f),
            ratio(*h, *m)
        );
        (hits, false_positives, misses) = (hits + h, false_positives + f, misses + m);
        assert!(*h > 0, "{language}: no theme found at all");
    }
    let (precision, recall) = (ratio(hits, false_positives), ratio(hits, misses));
    println!("all: precision {precision:.3} recall {recall:.3}");
    assert!(precision >= 0.90, "precision {precision:.3}");
    assert!(recall >= 0.40, "recall {recall:.3}");
}
