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
    let membership: FxHashMap<&str, (usize, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(rank, group)| {
            group
                .documents
                .iter()
                .enumerate()
                .map(move |(member, id)| (id.as_str(), (rank, member)))
        })
        .collect();
    let mut records = DiscoveryRecords::new(&seed_index, thresholds);
    let (mut uses, mut members, mut sides) = (Vec::new(), Vec::new(), Vec::new());
    for (d, document) in documents.iter().enumerate() {
        let group = membership.get(document.id).copied().unwrap_or(NO_GROUP);
        let Ok(()) = records.document(
            d,
            document.themes,
            article_numbers[d],
            group,
            pushed_to(&mut uses),
            pushed_to(&mut members),
        );
    }
    for (rank, group) in groups.iter().enumerate() {
        let Ok(()) = bead_sides(rank, group, pushed_to(&mut sides));
    }
    let statements = records.statements;
    let mut held = HeldDiscovery {
        uses,
        members,
        sides,
    }
    .sorted();
    let Ok(found) = clusters(&mut held, seeds.len(), statements, matcher);
    found
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

/// The seeds by key, for [`DiscoveryRecords`]: each key's place in the seeds' order.
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

/// One seed that a statement discovery may cluster carries, paired with each seed the statement
/// carries (its own among them): sorted by seed, statement and other seed, a seed's records give
/// every statement that carries it with all of that statement's seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedUse {
    /// The seed's place in clustering order.
    pub seed: usize,
    /// The statement's number among discovery's statements ([`DiscoveryRecords`]).
    pub number: usize,
    /// A seed the statement carries.
    pub other: usize,
    /// Its document's corpus place.
    pub document: usize,
    /// Its index among the document's statements.
    pub statement: usize,
    /// Its paragraph.
    pub paragraph: usize,
    /// Its article's number (any number that tells the corpus's articles apart).
    pub article: usize,
    /// Its document's group's rank and place in it; [`NO_GROUP`] for both when it has none.
    pub group: (usize, usize),
}

/// [`SeedUse::group`] of a document in no group.
pub const NO_GROUP: (usize, usize) = (usize::MAX, usize::MAX);

/// An unexplained benefit statement of a grouped document, where discovery looks for the
/// versions of a cluster's statements in translations: sorted by group, member and statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberStatement {
    /// The group's rank.
    pub rank: usize,
    /// The document's place in the group.
    pub member: usize,
    /// The statement's index among the document's statements.
    pub statement: usize,
    /// The statement's number among discovery's statements.
    pub number: usize,
    /// Its paragraph.
    pub paragraph: usize,
    /// The document's corpus place.
    pub document: usize,
}

/// One paragraph on one side of one bead of the paragraph alignment of two members of a group:
/// sorted by group, pair, bead, side and paragraph, a group's records give its beads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeadSide {
    /// The group's rank.
    pub rank: usize,
    /// The pair's place among the group's alignments.
    pub pair: usize,
    /// The bead's place in the pair's alignment.
    pub bead: usize,
    /// 0: the paragraph is the first member's, 1: the second's.
    pub side: usize,
    /// The paragraph.
    pub paragraph: usize,
    /// The places in the group of the pair's first and second members.
    pub members: (usize, usize),
}

/// What discovery's clustering reads ([`clusters`]), wherever it is kept: held in memory by
/// `analyze` ([`HeldDiscovery`]), sorted on disk by a sharded run.
pub trait DiscoveryStore {
    /// What reading it may fail with.
    type Error;
    /// The records of seed `seed` ([`SeedUse`]), sorted.
    fn uses_of(&mut self, seed: usize) -> Result<Vec<SeedUse>, Self::Error>;
    /// The statements ([`MemberStatement`]) and bead sides ([`BeadSide`]) of the group of rank
    /// `rank`, each sorted.
    fn group(&mut self, rank: usize) -> Result<GroupRecords, Self::Error>;
}

/// A group's statements and bead sides, as [`DiscoveryStore::group`] gives them.
pub type GroupRecords = (Vec<MemberStatement>, Vec<BeadSide>);

/// Writes discovery's records ([`SeedUse`], [`MemberStatement`], [`BeadSide`]) of the documents
/// and groups given to it, numbering the statements as they come.
pub struct DiscoveryRecords<'s, 't> {
    seeds: &'s SeedIndex<'s>,
    thresholds: &'t Thresholds,
    /// Statements numbered so far.
    pub statements: usize,
}

impl<'s, 't> DiscoveryRecords<'s, 't> {
    /// No statement yet; `seeds` decides which seeds a statement carries.
    pub fn new(seeds: &'s SeedIndex<'s>, thresholds: &'t Thresholds) -> Self {
        Self {
            seeds,
            thresholds,
            statements: 0,
        }
    }

    /// The records of the unexplained benefit statements of document `document` (its corpus
    /// place) of article `article`, in group `group` ([`NO_GROUP`] for none), through `uses`
    /// and, when grouped, `members`.
    pub fn document<E>(
        &mut self,
        document: usize,
        themes: &DocumentThemes,
        article: usize,
        group: (usize, usize),
        mut uses: impl FnMut(SeedUse) -> Result<(), E>,
        mut members: impl FnMut(MemberStatement) -> Result<(), E>,
    ) -> Result<(), E> {
        for s in themes.unexplained_statements(self.thresholds) {
            let found = &themes.statements[s];
            let number = self.statements;
            self.statements += 1;
            let carried: Vec<usize> = self.seeds.seeds_of(found).collect();
            for &seed in &carried {
                for &other in &carried {
                    uses(SeedUse {
                        seed,
                        number,
                        other,
                        document,
                        statement: s,
                        paragraph: found.paragraph,
                        article,
                        group,
                    })?;
                }
            }
            if group != NO_GROUP {
                members(MemberStatement {
                    rank: group.0,
                    member: group.1,
                    statement: s,
                    number,
                    paragraph: found.paragraph,
                    document,
                })?;
            }
        }
        Ok(())
    }
}

/// The bead sides ([`BeadSide`]) of `group`, of rank `rank`, through `sides` (an alignment of a
/// document not among its members has none).
pub fn bead_sides<E>(
    rank: usize,
    group: &Group,
    mut sides: impl FnMut(BeadSide) -> Result<(), E>,
) -> Result<(), E> {
    let member = |id: &str| group.documents.iter().position(|d| d == id);
    for (pair, aligned) in group.alignments.iter().enumerate() {
        let (Some(a), Some(b)) = (member(&aligned.a), member(&aligned.b)) else {
            continue;
        };
        for (bead, found) in aligned.alignment.paragraphs.iter().enumerate() {
            for (side, paragraphs) in [&found.a, &found.b].into_iter().enumerate() {
                for &paragraph in paragraphs {
                    sides(BeadSide {
                        rank,
                        pair,
                        bead,
                        side,
                        paragraph,
                        members: (a, b),
                    })?;
                }
            }
        }
    }
    Ok(())
}

/// A callback of [`DiscoveryRecords`] or [`bead_sides`] that pushes each record onto `records`.
fn pushed_to<T>(records: &mut Vec<T>) -> impl FnMut(T) -> Result<(), Infallible> + '_ {
    |record| {
        records.push(record);
        Ok(())
    }
}

/// Discovery's records held in memory, sorted.
#[derive(Debug, Default)]
pub struct HeldDiscovery {
    uses: Vec<SeedUse>,
    members: Vec<MemberStatement>,
    sides: Vec<BeadSide>,
}

impl HeldDiscovery {
    /// Sorts what was pushed.
    fn sorted(mut self) -> Self {
        self.uses
            .sort_unstable_by_key(|u| (u.seed, u.number, u.other));
        self.members
            .sort_unstable_by_key(|m| (m.rank, m.member, m.statement));
        self.sides
            .sort_unstable_by_key(|s| (s.rank, s.pair, s.bead, s.side, s.paragraph));
        self
    }
}

impl DiscoveryStore for HeldDiscovery {
    type Error = Infallible;

    fn uses_of(&mut self, seed: usize) -> Result<Vec<SeedUse>, Infallible> {
        Ok(sorted_range(&self.uses, |u| u.seed.cmp(&seed)).to_vec())
    }

    fn group(&mut self, rank: usize) -> Result<GroupRecords, Infallible> {
        Ok((
            sorted_range(&self.members, |m| m.rank.cmp(&rank)).to_vec(),
            sorted_range(&self.sides, |s| s.rank.cmp(&rank)).to_vec(),
        ))
    }
}

/// The records of sorted `records` that `order` puts equal.
fn sorted_range<T>(records: &[T], order: impl Fn(&T) -> std::cmp::Ordering) -> &[T] {
    let start = records.partition_point(|r| order(r).is_lt());
    let end = records.partition_point(|r| order(r).is_le());
    &records[start..end]
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

/// The clusters, greedily, seed by seed in order (`seeds` of them) over `store` (of `statements`
/// numbered statements): a seed's cluster takes the statements no earlier cluster took that
/// carry it or another seed that such a statement carries (one step: a statement that says
/// "rete di contatti (networking)" joins the statements with "contactos" to those with
/// "networks"), when they are of at least as many articles as a theme must recur in (two or
/// more); then the statements no cluster took of translations of theirs in paragraphs aligned
/// with theirs, so the evidence covers every language of an article. Holds a flag per
/// statement, one seed's records at a time and the clusters.
pub fn clusters<S: DiscoveryStore>(
    store: &mut S,
    seeds: usize,
    statements: usize,
    matcher: &ThemeMatcher,
) -> Result<Vec<ClusterMembers>, S::Error> {
    let min_articles = matcher.recurring_min_articles.max(2);
    let mut taken = vec![0u64; statements.div_ceil(64)];
    let is_taken = |taken: &[u64], number: usize| taken[number / 64] >> (number % 64) & 1 == 1;
    let take = |taken: &mut [u64], number: usize| taken[number / 64] |= 1 << (number % 64);
    let mut clusters = Vec::new();
    for seed in 0..seeds {
        let own = store.uses_of(seed)?;
        let mut keys: Vec<usize> = own
            .iter()
            .filter(|u| !is_taken(&taken, u.number))
            .map(|u| u.other)
            .chain(std::iter::once(seed))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        // Each statement once: the uses of a seed pair a statement with each seed it carries.
        let mut members: BTreeMap<usize, SeedUse> = BTreeMap::new();
        let mut own = Some(own);
        for &key in &keys {
            let uses = match own.take_if(|_| key == seed) {
                Some(uses) => uses,
                None => store.uses_of(key)?,
            };
            for found in uses {
                if !is_taken(&taken, found.number) {
                    members.insert(found.number, found);
                }
            }
        }
        let articles: FxHashSet<usize> = members.values().map(|m| m.article).collect();
        if articles.len() < min_articles {
            continue;
        }
        for &number in members.keys() {
            take(&mut taken, number);
        }
        let mut taken_here: Vec<(usize, usize)> = members
            .values()
            .map(|m| (m.document, m.statement))
            .collect();
        // Their versions in translations: a group at a time.
        let mut by_group: BTreeMap<usize, FxHashSet<(usize, usize)>> = BTreeMap::new();
        for found in members.values().filter(|m| m.group != NO_GROUP) {
            let (rank, member) = found.group;
            by_group
                .entry(rank)
                .or_default()
                .insert((member, found.paragraph));
        }
        for (rank, paragraphs) in by_group {
            let (statements, sides) = store.group(rank)?;
            let aligned: Vec<&MemberStatement> = aligned_versions(&statements, &sides, &paragraphs)
                .into_iter()
                .filter(|aligned| !is_taken(&taken, aligned.number))
                .collect();
            for aligned in aligned {
                take(&mut taken, aligned.number);
                taken_here.push((aligned.document, aligned.statement));
            }
        }
        taken_here.sort_unstable();
        taken_here.dedup();
        clusters.push(ClusterMembers {
            seed,
            keys,
            members: taken_here,
        });
    }
    Ok(clusters)
}

/// The statements of a group's members (`statements`) that sit in a paragraph aligned (`sides`)
/// with one of `paragraphs` (member, paragraph) of another member.
fn aligned_versions<'a>(
    statements: &'a [MemberStatement],
    sides: &[BeadSide],
    paragraphs: &FxHashSet<(usize, usize)>,
) -> Vec<&'a MemberStatement> {
    let mut reached: FxHashSet<(usize, usize)> = FxHashSet::default();
    for bead in sides.chunk_by(|x, y| (x.pair, x.bead) == (y.pair, y.bead)) {
        let (a, b) = bead[0].members;
        let side = |s: usize| {
            bead.iter()
                .filter(move |x| x.side == s)
                .map(|x| x.paragraph)
        };
        for (from, from_side, to, to_side) in [(a, 0, b, 1), (b, 1, a, 0)] {
            if side(from_side).any(|p| paragraphs.contains(&(from, p))) {
                reached.extend(side(to_side).map(|p| (to, p)));
            }
        }
    }
    statements
        .iter()
        .filter(|s| reached.contains(&(s.member, s.paragraph)))
        .collect()
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
        // Statements numbered in another order, as a sharded run's passes meet them.
        let mut records = DiscoveryRecords::new(&index, thresholds);
        let (mut uses, mut members, mut sides) = (Vec::new(), Vec::new(), Vec::new());
        for (d, group) in [(2, NO_GROUP), (1, (0, 1)), (0, (0, 0))] {
            let Ok(()) = records.document(
                d,
                themed[d].themes,
                articles[d],
                group,
                pushed_to(&mut uses),
                pushed_to(&mut members),
            );
        }
        let Ok(()) = bead_sides(0, &aligned(vec![bead]), pushed_to(&mut sides));
        let mut held = HeldDiscovery {
            uses,
            members,
            sides,
        }
        .sorted();
        let Ok(found) = clusters(&mut held, seeds.len(), records.statements, &matcher);
        let staged: Vec<DiscoveredTheme> = found
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
