//! Discovery: recurring benefit statements that no taxonomy theme explains.
//!
//! Input: the statements that name a benefit, stand as headings and list items under a benefit
//! intro, or are items of a list whose other items state taxonomy themes (their role: a list of
//! benefits), and reach no theme; a statement with page furniture (`@furniture`) or in a section of
//! drawbacks (`@drawback`) never does. Each keeps the discovery keys of its content words (function
//! words, domain words and the cue words of the taxonomy removed): the stem transliterated to
//! ASCII and cut to five letters, so that cognates and loan words of several languages meet
//! (confidence, confianza, confiance; potential, потенциал). A key shared by such statements of at
//! least two distinct articles in at least two languages, and not common in statements of known
//! themes, seeds a cluster; clusters take statements greedily, most widely shared key first, so a
//! statement belongs to one cluster. Key phrases are the runs of content words (RAKE-style) that
//! carry the cluster's key, most frequent first. A statement's versions in translations of its
//! article join through the paragraph alignment, so the evidence covers every language of the
//! article. What links statements across languages is only this shared spelling: a left-out theme
//! whose words differ in every language (goal, mål, Ziel, objectif) is not found.

use super::{DocumentThemes, StatementKind, ThemeMatcher, ThemedDocument, Thresholds};
use crate::align::group::Group;
use crate::lang::Language;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::Hash;

/// A recurring benefit outside the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DiscoveredTheme {
    /// `d1`, `d2`, … in report order.
    pub id: String,
    /// The stem the statements share.
    pub stem: String,
    /// The most frequent key phrases carrying it.
    pub key_phrases: Vec<String>,
    /// Distinct articles.
    pub articles: usize,
    /// Documents, sorted.
    pub documents: Vec<String>,
    /// The statements, quoted from the original.
    pub evidence: Vec<super::EvidenceReport>,
}

/// One discovery key of one statement, as discovery tallies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUse<'t> {
    /// The key.
    pub key: &'t str,
    /// The language of the statement.
    pub language: Language,
    /// The statement is an unexplained benefit statement (a candidate of discovery), not only
    /// background.
    pub unexplained: bool,
}

/// Every discovery key of every statement of a document that keeps keys (benefit statements and
/// statements that state a theme), in statement order.
pub fn key_uses<'t>(themes: &'t DocumentThemes, thresholds: &Thresholds) -> Vec<KeyUse<'t>> {
    let unexplained: FxHashSet<usize> = themes
        .unexplained_statements(thresholds)
        .into_iter()
        .collect();
    themes
        .statements
        .iter()
        .enumerate()
        .flat_map(|(s, statement)| {
            let unexplained = unexplained.contains(&s);
            statement.key_stems.iter().map(move |key| KeyUse {
                key,
                language: statement.language,
                unexplained,
            })
        })
        .collect()
}

/// Whether a document has an unexplained benefit statement that carries one of `keys`: of a
/// corpus, [`discover_from_seeds`] reads only such documents (`keys` its seeds) and the other
/// members of their groups.
pub fn carries_key(
    themes: &DocumentThemes,
    thresholds: &Thresholds,
    keys: &FxHashSet<&str>,
) -> bool {
    key_uses(themes, thresholds)
        .iter()
        .any(|found| found.unexplained && keys.contains(found.key))
}

/// What [`discover_from_seeds`] reads of a document: its unexplained benefit statements alone
/// (no hits, so each is unexplained still), in order, with the indices they had; a run that
/// holds many documents for discovery holds these. A section no longer points at its heading.
pub fn unexplained_part(
    themes: &DocumentThemes,
    thresholds: &Thresholds,
) -> (DocumentThemes, Vec<usize>) {
    let kept = themes.unexplained_statements(thresholds);
    let statements = kept
        .iter()
        .map(|&s| super::Statement {
            section: None,
            ..themes.statements[s].clone()
        })
        .collect();
    let part = DocumentThemes {
        statements,
        hits: Vec::new(),
        spun: themes.spun,
    };
    (part, kept)
}

/// The languages of a document's unexplained benefit statements, with or without keys (a key
/// seeds a cluster only when it spans two of the corpus's such languages, if it has two).
pub fn unexplained_languages(themes: &DocumentThemes, thresholds: &Thresholds) -> Vec<Language> {
    themes
        .unexplained_statements(thresholds)
        .into_iter()
        .map(|s| themes.statements[s].language)
        .collect()
}

/// How a corpus's statements use one discovery key: the articles and languages of the
/// unexplained benefit statements with it, and the articles of every statement with it (its
/// background). A key's tally does not depend on the order its uses come in, nor on the other
/// keys, so a sharded run tallies one key at a time from a merge of sorted runs.
#[derive(Debug)]
pub struct KeyTally<A> {
    articles: FxHashSet<A>,
    languages: FxHashSet<Language>,
    background: FxHashSet<A>,
}

impl<A> Default for KeyTally<A> {
    fn default() -> Self {
        Self {
            articles: FxHashSet::default(),
            languages: FxHashSet::default(),
            background: FxHashSet::default(),
        }
    }
}

impl<A: Hash + Eq + Clone> KeyTally<A> {
    /// Counts one use of the key, by a statement of `article` (its group's id, or its own).
    pub fn add(&mut self, article: A, language: Language, unexplained: bool) {
        if unexplained {
            self.articles.insert(article.clone());
            self.languages.insert(language);
        }
        self.background.insert(article);
    }

    /// The key `key` as a seed when unexplained benefit statements of enough articles share it
    /// and at least half of the articles that use it at all use it there: words as common in
    /// statements of known themes ("professional", "important") are the general vocabulary of
    /// benefits, not a new one. Whether it spans enough languages is [`seeds_in_order`]'s call.
    pub fn seed(&self, key: &str, matcher: &ThemeMatcher) -> Option<SeedKey> {
        let articles = self.articles.len();
        (articles >= matcher.recurring_min_articles.max(2) && 2 * articles >= self.background.len())
            .then(|| SeedKey {
                key: key.to_string(),
                articles,
                languages: self.languages.len(),
            })
    }
}

/// A discovery key that may seed a cluster, with the number of articles and languages of the
/// unexplained benefit statements that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SeedKey {
    /// The key.
    pub key: String,
    /// Distinct articles.
    pub articles: usize,
    /// Distinct languages.
    pub languages: usize,
}

/// The keys that seed clusters, in the order clustering takes them (most widely shared first):
/// of `keys`, those in two languages or more when the corpus's unexplained benefit statements are
/// in two or more (`corpus_languages`), for a benefit the corpus states across languages, not one
/// language's turn of phrase.
pub fn seeds_in_order(mut keys: Vec<SeedKey>, corpus_languages: usize) -> Vec<SeedKey> {
    keys.retain(|seed| corpus_languages < 2 || seed.languages >= 2);
    keys.sort_by(|a, b| {
        b.articles
            .cmp(&a.articles)
            .then(b.languages.cmp(&a.languages))
            .then(a.key.cmp(&b.key))
    });
    keys
}

/// Clusters unexplained benefit statements across articles (`articles`: each document's article).
pub(super) fn discover(
    matcher: &ThemeMatcher,
    documents: &[ThemedDocument],
    articles: &[String],
    groups: &[Group],
) -> Vec<DiscoveredTheme> {
    let mut tallies: BTreeMap<&str, KeyTally<&str>> = BTreeMap::new();
    let mut corpus_languages: FxHashSet<Language> = FxHashSet::default();
    for (document, article) in documents.iter().zip(articles) {
        for found in key_uses(document.themes, &matcher.thresholds) {
            tallies.entry(found.key).or_default().add(
                article.as_str(),
                found.language,
                found.unexplained,
            );
        }
        corpus_languages.extend(unexplained_languages(document.themes, &matcher.thresholds));
    }
    let seeds = tallies
        .iter()
        .filter_map(|(key, tally)| tally.seed(key, matcher))
        .collect();
    let seeds = seeds_in_order(seeds, corpus_languages.len());
    discover_from_seeds(matcher, documents, articles, groups, &seeds)
}

/// Clusters unexplained benefit statements around `seeds` ([`seeds_in_order`]'s, over the whole
/// corpus). `documents` may be only the documents with an unexplained statement that carries a
/// seed and the other members of their groups (`articles`: each one's article; `groups`: at least
/// those groups, with their paragraph alignments): the clusters are those of the whole corpus.
pub fn discover_from_seeds(
    matcher: &ThemeMatcher,
    documents: &[ThemedDocument],
    articles: &[String],
    groups: &[Group],
    seeds: &[SeedKey],
) -> Vec<DiscoveredTheme> {
    let found: Vec<&DocumentThemes> = documents.iter().map(|d| d.themes).collect();
    // (document, statement) of every unexplained benefit statement.
    let candidates: Vec<(usize, usize)> = found
        .iter()
        .enumerate()
        .flat_map(|(d, themes)| {
            themes
                .unexplained_statements(&matcher.thresholds)
                .into_iter()
                .map(move |s| (d, s))
        })
        .collect();
    let min_articles = matcher.recurring_min_articles.max(2);
    let mut taken: FxHashSet<(usize, usize)> = FxHashSet::default();
    let mut clusters = Vec::new();
    let seed_keys: FxHashSet<&str> = seeds.iter().map(|seed| seed.key.as_str()).collect();
    let untaken_with = |keys: &FxHashSet<&str>, taken: &FxHashSet<(usize, usize)>| {
        candidates
            .iter()
            .copied()
            .filter(|m| !taken.contains(m))
            .filter(|&(d, s)| {
                found[d].statements[s]
                    .key_stems
                    .iter()
                    .any(|k| keys.contains(&**k))
            })
            .collect::<Vec<(usize, usize)>>()
    };
    for seed in seeds {
        let stem = seed.key.as_str();
        // The seed's statements, and those of the other seed keys they hold (one step): a
        // statement that says "rete di contatti (networking)" joins the statements with "contactos"
        // to those with "networks".
        let mut keys: FxHashSet<&str> = FxHashSet::default();
        keys.insert(stem);
        for (d, s) in untaken_with(&keys, &taken) {
            keys.extend(
                found[d].statements[s]
                    .key_stems
                    .iter()
                    .map(|k| &**k)
                    .filter(|k| seed_keys.contains(k)),
            );
        }
        let members = untaken_with(&keys, &taken);
        let distinct: FxHashSet<&str> =
            members.iter().map(|&(d, _)| articles[d].as_str()).collect();
        if distinct.len() < min_articles {
            continue;
        }
        taken.extend(members.iter().copied());
        let mut members = members;
        members.extend(aligned_versions(
            documents,
            &found,
            groups,
            &members,
            &candidates,
            &taken,
        ));
        taken.extend(members.iter().copied());
        members.sort_unstable();
        members.dedup();
        clusters.push(build_cluster(
            clusters.len() + 1,
            stem,
            &keys,
            documents,
            &found,
            articles,
            &members,
        ));
    }
    clusters
}

/// Unexplained statements of translations that sit in paragraphs aligned with the members.
fn aligned_versions(
    documents: &[ThemedDocument],
    found: &[&DocumentThemes],
    groups: &[Group],
    members: &[(usize, usize)],
    candidates: &[(usize, usize)],
    taken: &FxHashSet<(usize, usize)>,
) -> Vec<(usize, usize)> {
    let index: FxHashMap<&str, usize> = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id, i))
        .collect();
    let mut extra = Vec::new();
    for group in groups {
        for alignment in &group.alignments {
            let (Some(&a), Some(&b)) = (
                index.get(alignment.a.as_str()),
                index.get(alignment.b.as_str()),
            ) else {
                continue;
            };
            for bead in &alignment.alignment.paragraphs {
                for (from, to, from_paragraphs, to_paragraphs) in
                    [(a, b, &bead.a, &bead.b), (b, a, &bead.b, &bead.a)]
                {
                    let member_here = members.iter().any(|&(d, s)| {
                        d == from && from_paragraphs.contains(&found[d].statements[s].paragraph)
                    });
                    if !member_here {
                        continue;
                    }
                    extra.extend(candidates.iter().copied().filter(|&(d, s)| {
                        d == to
                            && !taken.contains(&(d, s))
                            && to_paragraphs.contains(&found[d].statements[s].paragraph)
                    }));
                }
            }
        }
    }
    extra
}

fn build_cluster(
    number: usize,
    stem: &str,
    keys: &FxHashSet<&str>,
    documents: &[ThemedDocument],
    found: &[&DocumentThemes],
    articles: &[String],
    members: &[(usize, usize)],
) -> DiscoveredTheme {
    let mut phrase_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut document_ids = BTreeMap::new();
    let mut article_set = FxHashSet::default();
    let mut evidence = Vec::new();
    for &(d, s) in members {
        let document = &documents[d];
        let statement = &found[d].statements[s];
        let (_, text) = document.quoted(s);
        for phrase in key_phrases(text, statement, keys) {
            *phrase_counts.entry(phrase).or_default() += 1;
        }
        document_ids.insert(document.id.to_string(), ());
        article_set.insert(articles[d].as_str());
        evidence.push(super::EvidenceReport::quote(document, s, 0.0));
    }
    let mut phrases: Vec<(String, usize)> = phrase_counts.into_iter().collect();
    phrases.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(b.0.len().cmp(&a.0.len()))
            .then(a.0.cmp(&b.0))
    });
    DiscoveredTheme {
        id: format!("d{number}"),
        stem: stem.to_string(),
        key_phrases: phrases.into_iter().take(5).map(|(p, _)| p).collect(),
        articles: article_set.len(),
        documents: document_ids.into_keys().collect(),
        evidence,
    }
}

/// Runs of at most four content words of a statement that contain a word with one of the
/// cluster's keys.
fn key_phrases(text: &str, statement: &super::Statement, keys: &FxHashSet<&str>) -> Vec<String> {
    // A word is content when its lowercase form stems into one of the statement's key stems; runs
    // break at function words and punctuation.
    let key: FxHashSet<&str> = statement.key_stems.iter().map(|k| &**k).collect();
    let stemmer = super::stemmer_for(statement.language);
    let is_key = |word: &str| {
        let lower = word.to_lowercase();
        let stemmed = super::discovery_key(
            stemmer
                .as_ref()
                .map_or(lower.clone(), |s| s.stem(&lower).into_owned()),
        );
        (
            key.contains(stemmed.as_str()),
            keys.contains(stemmed.as_str()),
        )
    };
    let mut phrases = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut has_stem = false;
    let mut flush = |run: &mut Vec<&str>, has_stem: &mut bool| {
        if *has_stem && run.len() <= 4 {
            phrases.push(run.join(" ").to_lowercase());
        }
        run.clear();
        *has_stem = false;
    };
    // The words are the tokenizer's, as in the statement's key stems; punctuation between two
    // words breaks a run as a function word does.
    let mut previous_end = None;
    for token in crate::text::tokens(text) {
        let punctuated = previous_end
            .is_some_and(|end| text[end..token.start].chars().any(|c| !c.is_whitespace()));
        previous_end = Some(token.end);
        if punctuated {
            flush(&mut run, &mut has_stem);
        }
        let (content, carries) = is_key(token.text);
        if content {
            run.push(token.text);
            has_stem |= carries;
        } else {
            flush(&mut run, &mut has_stem);
        }
    }
    flush(&mut run, &mut has_stem);
    if statement.kind == StatementKind::Heading && phrases.is_empty() {
        phrases.push(text.trim().to_lowercase());
    }
    phrases
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentThemes, QuotedStatement, Statement, StatementTexts, summarise};
    use super::*;
    use crate::align::group::{GroupKind, PairAlignment};
    use crate::align::{Alignment, Bead};
    use crate::segment::Span;

    /// A document of one unexplained benefit heading with the discovery key `key`.
    fn stating(key: &str, code: &str, text: &str) -> (DocumentThemes, Vec<QuotedStatement>) {
        let themes = DocumentThemes {
            statements: vec![Statement {
                paragraph: 0,
                span: Span {
                    start: 0,
                    end: text.len(),
                },
                kind: StatementKind::Heading,
                language: Language::parse(code).unwrap(),
                benefit: true,
                key_stems: vec![std::sync::Arc::from(key)].into_boxed_slice(),
                section: None,
            }],
            hits: Vec::new(),
            spun: false,
        };
        let quotes = vec![QuotedStatement {
            start_char: 0,
            text: text.into(),
        }];
        (themes, quotes)
    }

    #[test]
    fn statements_of_translations_join_their_cluster_through_the_paragraph_alignment() {
        // "a" and "c" (two articles, two languages) share the key "confi"; "b", the German
        // version of "a", says it in other words, in the paragraph aligned with a's.
        let documents = [
            ("a", "en", stating("confi", "en", "Confidence")),
            ("b", "de", stating("selbs", "de", "Selbstvertrauen")),
            ("c", "fr", stating("confi", "fr", "Confiance")),
            ("d", "en", stating("patie", "en", "Patience")),
        ];
        let themed: Vec<ThemedDocument> = documents
            .iter()
            .map(|(id, code, (themes, quotes))| ThemedDocument {
                id,
                texts: StatementTexts::Quoted(quotes),
                language: Language::parse(code).unwrap(),
                themes,
            })
            .collect();
        let aligned = |paragraphs: Vec<Bead>| Group {
            id: "g1".into(),
            kind: GroupKind::Translation,
            documents: vec!["a".into(), "b".into()],
            score: 0.9,
            evidence: Vec::new(),
            alignments: vec![PairAlignment {
                a: "a".into(),
                b: "b".into(),
                alignment: Alignment {
                    paragraphs,
                    sentences: Vec::new(),
                },
            }],
        };
        let matcher = crate::themes::ThemeConfig::default().build().unwrap();
        let bead = Bead {
            a: vec![0],
            b: vec![0],
            score: 1.0,
        };
        let summary = summarise(&matcher, &themed, &[aligned(vec![bead.clone()])]);
        let [cluster] = &summary.discovered[..] else {
            panic!("one cluster: {:?}", summary.discovered);
        };
        assert_eq!(cluster.stem, "confi");
        assert_eq!(cluster.documents, ["a", "b", "c"]);
        assert_eq!(cluster.articles, 2, "a translation counts once");
        // Without the alignment, the German version stays out.
        let unaligned = summarise(&matcher, &themed, &[aligned(Vec::new())]);
        assert_eq!(unaligned.discovered[0].documents, ["a", "c"]);

        // As a sharded run finds them: each key tallied on its own from the uses in another
        // order, then only the documents with an unexplained statement that carries a seed, and
        // the other members of their groups, read.
        let articles: Vec<String> = ["g1", "g1", "c", "d"].map(String::from).to_vec();
        let thresholds = &matcher.thresholds;
        let mut tallies: BTreeMap<&str, KeyTally<String>> = BTreeMap::new();
        let mut languages = FxHashSet::default();
        for (document, article) in themed.iter().zip(&articles).rev() {
            for found in key_uses(document.themes, thresholds) {
                let tally = tallies.entry(found.key).or_default();
                tally.add(article.clone(), found.language, found.unexplained);
            }
            languages.extend(unexplained_languages(document.themes, thresholds));
        }
        let seeds: Vec<SeedKey> = tallies
            .iter()
            .filter_map(|(key, tally)| tally.seed(key, &matcher))
            .collect();
        let seeds = seeds_in_order(seeds, languages.len());
        let keys: FxHashSet<&str> = seeds.iter().map(|seed| seed.key.as_str()).collect();
        let carrying: Vec<&str> = themed
            .iter()
            .filter(|document| carries_key(document.themes, thresholds, &keys))
            .map(|document| document.id)
            .collect();
        assert_eq!(
            carrying,
            ["a", "c"],
            "b is read as a's translation, d not at all"
        );
        let parts: Vec<(DocumentThemes, Vec<QuotedStatement>)> = documents[..3]
            .iter()
            .map(|(_, _, (themes, quotes))| {
                let (part, kept) = unexplained_part(themes, thresholds);
                (part, kept.iter().map(|&s| quotes[s].clone()).collect())
            })
            .collect();
        let read: Vec<ThemedDocument> = themed
            .iter()
            .zip(&parts)
            .map(|(document, (themes, quotes))| ThemedDocument {
                texts: StatementTexts::Quoted(quotes),
                themes,
                ..*document
            })
            .collect();
        let staged = discover_from_seeds(
            &matcher,
            &read,
            &articles[..3],
            &[aligned(vec![bead])],
            &seeds,
        );
        assert_eq!(staged, summary.discovered);
    }
}
