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
use crate::align::Bead;
use crate::align::group::Group;
use crate::lang::Language;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::convert::Infallible;

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

/// The languages of a document's unexplained benefit statements, with or without keys (a key
/// seeds a cluster only when it spans two of the corpus's such languages, if it has two).
pub fn unexplained_languages(themes: &DocumentThemes, thresholds: &Thresholds) -> Vec<Language> {
    themes
        .unexplained_statements(thresholds)
        .into_iter()
        .map(|s| themes.statements[s].language)
        .collect()
}

/// How a corpus's statements use one discovery key: the number of articles of the unexplained
/// benefit statements with it and their languages, and the number of articles of every
/// statement with it (its background). It is fed one article at a time ([`seed_keys`]), so it
/// holds no article: a sharded run tallies a key from a merge of sorted runs.
#[derive(Debug, Default)]
struct KeyTally {
    articles: usize,
    languages: FxHashSet<Language>,
    background: usize,
}

impl KeyTally {
    /// Counts one article's uses of the key, all of them: each its statement's language and
    /// whether the statement is an unexplained benefit statement.
    fn add_article(&mut self, uses: &[(Language, bool)]) {
        let mut unexplained = uses
            .iter()
            .filter(|(_, unexplained)| *unexplained)
            .peekable();
        if unexplained.peek().is_some() {
            self.articles += 1;
            self.languages
                .extend(unexplained.map(|(language, _)| *language));
        }
        self.background += 1;
    }

    /// The key `key` as a seed when unexplained benefit statements of enough articles share it
    /// and at least half of the articles that use it at all use it there: words as common in
    /// statements of known themes ("professional", "important") are the general vocabulary of
    /// benefits, not a new one. Whether it spans enough languages is [`seeds_in_order`]'s call.
    fn seed(&self, key: &str, matcher: &ThemeMatcher) -> Option<SeedKey> {
        (self.articles >= matcher.recurring_min_articles.max(2)
            && 2 * self.articles >= self.background)
            .then(|| SeedKey {
                key: key.to_string(),
                articles: self.articles,
                languages: self.languages.len(),
            })
    }
}

/// One use of a discovery key, as [`seed_keys`] reads them: the key, the article of the
/// statement's document (any value that names it), the statement's language and whether the
/// statement is an unexplained benefit statement.
pub type ArticleKeyUse<K, A> = (K, A, Language, bool);

/// The keys that may seed a cluster (shared by unexplained benefit statements of enough
/// articles, and by those of at least half the articles that use the key at all) from every use
/// of every key, the uses of one key together and, within them, those of one article together
/// (sorted by key and article, in any order of keys). Holds one key's tally and one article's
/// uses at a time.
pub fn seed_keys<K, A, E>(
    uses: impl IntoIterator<Item = Result<ArticleKeyUse<K, A>, E>>,
    matcher: &ThemeMatcher,
) -> Result<Vec<SeedKey>, E>
where
    K: AsRef<str> + PartialEq,
    A: PartialEq,
{
    let mut seeds = Vec::new();
    let mut current: Option<(K, A)> = None;
    let mut tally = KeyTally::default();
    let mut article_uses: Vec<(Language, bool)> = Vec::new();
    for found in uses {
        let (key, article, language, unexplained) = found?;
        let same_key = current.as_ref().is_some_and(|(k, _)| *k == key);
        let same_article = same_key && current.as_ref().is_some_and(|(_, a)| *a == article);
        if !same_article {
            tally.add_article(&article_uses);
            article_uses.clear();
            if !same_key {
                if let Some((last, _)) = &current {
                    seeds.extend(tally.seed(last.as_ref(), matcher));
                }
                tally = KeyTally::default();
            }
            current = Some((key, article));
        }
        article_uses.push((language, unexplained));
    }
    if let Some((last, _)) = &current {
        tally.add_article(&article_uses);
        seeds.extend(tally.seed(last.as_ref(), matcher));
    }
    Ok(seeds)
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
    let thresholds = &matcher.thresholds;
    let mut uses: Vec<ArticleKeyUse<&str, &str>> = Vec::new();
    let mut corpus_languages: FxHashSet<Language> = FxHashSet::default();
    for (document, article) in documents.iter().zip(articles) {
        uses.extend(
            key_uses(document.themes, thresholds)
                .into_iter()
                .map(|found| {
                    (
                        found.key,
                        article.as_str(),
                        found.language,
                        found.unexplained,
                    )
                }),
        );
        corpus_languages.extend(unexplained_languages(document.themes, thresholds));
    }
    uses.sort_unstable();
    let Ok(seeds) = seed_keys(uses.into_iter().map(Ok::<_, Infallible>), matcher);
    let seeds = seeds_in_order(seeds, corpus_languages.len());
    let mut numbers: FxHashMap<&str, usize> = FxHashMap::default();
    let article_numbers: Vec<usize> = articles
        .iter()
        .map(|article| {
            let next = numbers.len();
            *numbers.entry(article.as_str()).or_insert(next)
        })
        .collect();
    let seed_index = SeedIndex::new(&seeds);
    let mut input = DiscoveryInput::default();
    for (d, document) in documents.iter().enumerate() {
        input.add_document(
            d,
            document.themes,
            article_numbers[d],
            &seed_index,
            thresholds,
        );
    }
    let position: FxHashMap<&str, usize> = documents
        .iter()
        .enumerate()
        .map(|(d, document)| (document.id, d))
        .collect();
    for pair in groups.iter().flat_map(|group| &group.alignments) {
        if let (Some(&a), Some(&b)) = (position.get(pair.a.as_str()), position.get(pair.b.as_str()))
        {
            input.add_alignment(a, b, pair.alignment.paragraphs.clone());
        }
    }
    input
        .clusters(seeds.len(), matcher)
        .iter()
        .enumerate()
        .map(|(c, cluster)| {
            let mut builder = ClusterBuilder::new(c, &seeds, cluster);
            for &(d, s) in &cluster.members {
                builder.add(d, &documents[d], s, article_numbers[d]);
            }
            builder.finish()
        })
        .collect()
}

/// The seeds by key, for [`DiscoveryInput::add_document`]: each key's place in the seeds' order.
pub struct SeedIndex<'s> {
    places: FxHashMap<&'s str, usize>,
}

impl<'s> SeedIndex<'s> {
    /// The index of `seeds`, in clustering order ([`seeds_in_order`]).
    pub fn new(seeds: &'s [SeedKey]) -> Self {
        let places = seeds
            .iter()
            .enumerate()
            .map(|(place, seed)| (seed.key.as_str(), place))
            .collect();
        Self { places }
    }

    /// Whether a document has an unexplained benefit statement that carries a seed: of a corpus,
    /// discovery needs only such documents and the other members of their groups.
    pub fn carried_by(&self, themes: &DocumentThemes, thresholds: &Thresholds) -> bool {
        themes
            .unexplained_statements(thresholds)
            .into_iter()
            .any(|s| self.seeds_of(&themes.statements[s]).next().is_some())
    }

    /// The places of the seeds a statement carries.
    fn seeds_of<'a>(&'a self, statement: &'a super::Statement) -> impl Iterator<Item = usize> + 'a {
        statement
            .key_stems
            .iter()
            .filter_map(|key| self.places.get(&**key).copied())
    }
}

/// What discovery clusters, held compactly (no text): the unexplained benefit statements of the
/// documents that need it (by corpus place, each with its paragraph, its article's number and
/// the seeds it carries) and the paragraph alignments of their translations. Clustering over it
/// ([`DiscoveryInput::clusters`]) decides which statements each cluster takes; the report's
/// clusters are then built from those statements alone ([`ClusterBuilder`]).
#[derive(Debug, Default)]
pub struct DiscoveryInput {
    statements: Vec<CandidateStatement>,
    /// The seeds the statements carry, by place, each statement's a range.
    seeds: Vec<u32>,
    alignments: Vec<AlignedPair>,
}

/// An unexplained benefit statement as [`DiscoveryInput`] holds it.
#[derive(Debug)]
struct CandidateStatement {
    document: usize,
    statement: usize,
    paragraph: usize,
    article: usize,
    seeds: std::ops::Range<usize>,
}

/// The paragraph beads of two translations, as [`DiscoveryInput`] holds them.
#[derive(Debug)]
struct AlignedPair {
    a: usize,
    b: usize,
    beads: Vec<Bead>,
}

/// The statements one cluster takes: its seed, the seeds its statements join (all by place), and
/// its statements as (document, statement), sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterMembers {
    /// The seed's place.
    pub seed: usize,
    /// The places of the seeds whose statements the cluster takes, its own among them, sorted.
    pub keys: Vec<usize>,
    /// The statements, sorted.
    pub members: Vec<(usize, usize)>,
}

impl DiscoveryInput {
    /// Adds the unexplained benefit statements of document `document` (its corpus place), whose
    /// article is numbered `article` (any number that tells the corpus's articles apart).
    pub fn add_document(
        &mut self,
        document: usize,
        themes: &DocumentThemes,
        article: usize,
        seeds: &SeedIndex,
        thresholds: &Thresholds,
    ) {
        for s in themes.unexplained_statements(thresholds) {
            let statement = &themes.statements[s];
            let start = self.seeds.len();
            self.seeds
                .extend(seeds.seeds_of(statement).map(|place| place as u32));
            self.statements.push(CandidateStatement {
                document,
                statement: s,
                paragraph: statement.paragraph,
                article,
                seeds: start..self.seeds.len(),
            });
        }
    }

    /// Adds the paragraph beads of documents `a` and `b` (corpus places), translations of each
    /// other.
    pub fn add_alignment(&mut self, a: usize, b: usize, beads: Vec<Bead>) {
        self.alignments.push(AlignedPair { a, b, beads });
    }

    /// The clusters, greedily, seed by seed in order (`seeds` of them): a seed's cluster takes
    /// the statements no earlier cluster took that carry it or another seed that such a statement
    /// carries (one step: a statement that says "rete di contatti (networking)" joins the
    /// statements with "contactos" to those with "networks"), when they are of at least as many
    /// articles as a theme must recur in (two or more); then the statements no cluster took of translations of theirs in
    /// paragraphs aligned with theirs, so the evidence covers every language of an article.
    pub fn clusters(mut self, seeds: usize, matcher: &ThemeMatcher) -> Vec<ClusterMembers> {
        let min_articles = matcher.recurring_min_articles.max(2);
        self.statements
            .sort_unstable_by_key(|candidate| (candidate.document, candidate.statement));
        let statements = &self.statements;
        let seeds_of = |c: usize| {
            self.seeds[statements[c].seeds.clone()]
                .iter()
                .map(|&p| p as usize)
        };
        let mut carriers: Vec<Vec<usize>> = vec![Vec::new(); seeds];
        for c in 0..statements.len() {
            for place in seeds_of(c) {
                carriers[place].push(c);
            }
        }
        let mut alignments_of: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
        for (p, pair) in self.alignments.iter().enumerate() {
            alignments_of.entry(pair.a).or_default().push(p);
            alignments_of.entry(pair.b).or_default().push(p);
        }
        let mut taken = vec![false; statements.len()];
        let mut clusters = Vec::new();
        for seed in 0..seeds {
            let mut keys: Vec<usize> = std::iter::once(seed)
                .chain(
                    carriers[seed]
                        .iter()
                        .filter(|&&c| !taken[c])
                        .flat_map(|&c| seeds_of(c)),
                )
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let mut members: Vec<usize> = keys
                .iter()
                .flat_map(|&key| &carriers[key])
                .copied()
                .filter(|&c| !taken[c])
                .collect();
            members.sort_unstable();
            members.dedup();
            let articles: FxHashSet<usize> =
                members.iter().map(|&c| statements[c].article).collect();
            if articles.len() < min_articles {
                continue;
            }
            for &c in &members {
                taken[c] = true;
            }
            let aligned = self.aligned_versions(&members, &alignments_of, &taken);
            for &c in &aligned {
                taken[c] = true;
            }
            members.extend(aligned);
            members.sort_unstable();
            members.dedup();
            clusters.push(ClusterMembers {
                seed,
                keys,
                members: members
                    .iter()
                    .map(|&c| (statements[c].document, statements[c].statement))
                    .collect(),
            });
        }
        clusters
    }

    /// The statements none took (`taken`) of the translations of `members`' documents that sit
    /// in paragraphs aligned with a member's.
    fn aligned_versions(
        &self,
        members: &[usize],
        alignments_of: &FxHashMap<usize, Vec<usize>>,
        taken: &[bool],
    ) -> Vec<usize> {
        let statements = &self.statements;
        let mut paragraphs_of: BTreeMap<usize, FxHashSet<usize>> = BTreeMap::new();
        for &c in members {
            let member = &statements[c];
            paragraphs_of
                .entry(member.document)
                .or_default()
                .insert(member.paragraph);
        }
        let mut extra = Vec::new();
        for (&document, paragraphs) in &paragraphs_of {
            for &p in alignments_of.get(&document).into_iter().flatten() {
                let pair = &self.alignments[p];
                for (from, to, to_document) in pair.beads.iter().flat_map(|bead| {
                    [(&bead.a, &bead.b, pair.b), (&bead.b, &bead.a, pair.a)]
                        .into_iter()
                        .filter(|&(_, _, to_document)| to_document != document)
                }) {
                    if !from.iter().any(|paragraph| paragraphs.contains(paragraph)) {
                        continue;
                    }
                    let first = statements.partition_point(|c| c.document < to_document);
                    extra.extend(
                        (first..statements.len())
                            .take_while(|&c| statements[c].document == to_document)
                            .filter(|&c| !taken[c] && to.contains(&statements[c].paragraph)),
                    );
                }
            }
        }
        extra
    }
}

/// One discovered theme built from the statements its cluster took ([`ClusterMembers`]), given
/// one at a time with their documents in any order.
pub struct ClusterBuilder<'s> {
    number: usize,
    stem: &'s str,
    keys: FxHashSet<&'s str>,
    phrase_counts: BTreeMap<String, usize>,
    documents: BTreeMap<String, ()>,
    articles: FxHashSet<usize>,
    evidence: Vec<((usize, usize), super::EvidenceReport)>,
}

impl<'s> ClusterBuilder<'s> {
    /// The builder of the cluster at `place` (from 0) among the clusters, of `seeds` (by place).
    pub fn new(place: usize, seeds: &'s [SeedKey], cluster: &ClusterMembers) -> Self {
        Self {
            number: place + 1,
            stem: &seeds[cluster.seed].key,
            keys: cluster
                .keys
                .iter()
                .map(|&k| seeds[k].key.as_str())
                .collect(),
            phrase_counts: BTreeMap::new(),
            documents: BTreeMap::new(),
            articles: FxHashSet::default(),
            evidence: Vec::new(),
        }
    }

    /// Adds statement `statement` of `document` (at corpus place `place`, of the article
    /// numbered `article`).
    pub fn add(
        &mut self,
        place: usize,
        document: &ThemedDocument,
        statement: usize,
        article: usize,
    ) {
        let found = &document.themes.statements[statement];
        let (_, text) = document.quoted(statement);
        for phrase in key_phrases(text, found, &self.keys) {
            *self.phrase_counts.entry(phrase).or_default() += 1;
        }
        self.documents.insert(document.id.to_string(), ());
        self.articles.insert(article);
        self.evidence.push((
            (place, statement),
            super::EvidenceReport::quote(document, statement, 0.0),
        ));
    }

    /// The discovered theme.
    pub fn finish(mut self) -> DiscoveredTheme {
        let mut phrases: Vec<(String, usize)> = self.phrase_counts.into_iter().collect();
        phrases.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(b.0.len().cmp(&a.0.len()))
                .then(a.0.cmp(&b.0))
        });
        self.evidence.sort_unstable_by_key(|(place, _)| *place);
        DiscoveredTheme {
            id: format!("d{}", self.number),
            stem: self.stem.to_string(),
            key_phrases: phrases.into_iter().take(5).map(|(p, _)| p).collect(),
            articles: self.articles.len(),
            documents: self.documents.into_keys().collect(),
            evidence: self.evidence.into_iter().map(|(_, e)| e).collect(),
        }
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

        // As a sharded run finds them: the keys tallied from the uses sorted by key and article
        // in another order of keys, articles numbered otherwise, only the documents with an
        // unexplained statement that carries a seed and the other members of their groups read,
        // and each cluster's statements given in another order.
        let thresholds = &matcher.thresholds;
        let articles = [1, 1, 4, 6];
        let mut uses = Vec::new();
        let mut languages = FxHashSet::default();
        for (document, article) in themed.iter().zip(articles) {
            uses.extend(
                key_uses(document.themes, thresholds)
                    .into_iter()
                    .map(|found| (found.key, article, found.language, found.unexplained)),
            );
            languages.extend(unexplained_languages(document.themes, thresholds));
        }
        uses.sort_by(|a, b| b.0.cmp(a.0).then(a.1.cmp(&b.1)));
        let Ok(seeds) = seed_keys(uses.into_iter().map(Ok::<_, Infallible>), &matcher);
        let seeds = seeds_in_order(seeds, languages.len());
        let index = SeedIndex::new(&seeds);
        let carrying: Vec<&str> = themed
            .iter()
            .filter(|document| index.carried_by(document.themes, thresholds))
            .map(|document| document.id)
            .collect();
        assert_eq!(
            carrying,
            ["a", "c"],
            "b is read as a's translation, d not at all"
        );
        let mut input = DiscoveryInput::default();
        for d in [2, 1, 0] {
            input.add_document(d, themed[d].themes, articles[d], &index, thresholds);
        }
        input.add_alignment(0, 1, vec![bead]);
        let staged: Vec<DiscoveredTheme> = input
            .clusters(seeds.len(), &matcher)
            .iter()
            .enumerate()
            .map(|(place, cluster)| {
                let mut builder = ClusterBuilder::new(place, &seeds, cluster);
                for &(d, s) in cluster.members.iter().rev() {
                    builder.add(d, &themed[d], s, articles[d]);
                }
                builder.finish()
            })
            .collect();
        assert_eq!(staged, summary.discovered);
    }
}
