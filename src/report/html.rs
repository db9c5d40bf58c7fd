//! The HTML report: one self-contained page for editors (CSS and script inline, no network
//! request, no external font) with an overview, translation groups side by side, spun documents
//! with their edits inline, themes × articles, and every document's text.
//!
//! The page's fixed parts (counts, lists of groups, spun documents, themes, errors) are rendered
//! by askama templates in `html/templates`, which escape every value. What grows with the corpus
//! (texts, alignments, the theme matrix, the document list) travels in one JSON block that the
//! page's script renders on demand, building DOM nodes from text only, never from markup; the
//! block escapes `<`, `>` and `&`, so no text can end it.

use super::{DocumentReport, EditReport, ErrorReport, Report};
use crate::align::Bead;
use crate::corpus::{self, Document, LoadConfig, Source};
use crate::normalize::{EditRule, Evidence};
use askama::Template;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The most bytes of one document's text the page carries; a longer document is shown in part,
/// with a note (counts, groups and themes still cover the whole text).
pub(crate) const MAX_SHOWN_BYTES: usize = 1 << 20;

/// A row of an alignment scoring below this is marked weak: its sides may not say the same thing.
pub(crate) const WEAK_ROW: f64 = 0.5;

/// Evidence quotes a discovered theme shows; the others are counted.
const MAX_DISCOVERED_QUOTES: usize = 50;

/// What the page shows first, and notes above every view.
#[derive(Debug, Clone, Default)]
pub struct PageOptions {
    /// The view shown when the address names none: `overview` when empty, or a route such as
    /// `group/g1` (see the page's script).
    pub start: String,
    /// Notes shown at the top of the page, such as how a pair was aligned.
    pub notes: Vec<String>,
}

/// The page of an analysis made in this process, its texts taken from its documents.
pub fn write_html_of_analysis(
    report: &Report,
    analysis: &crate::Analysis,
    options: &PageOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let texts: Vec<Option<&str>> = analysis
        .documents
        .iter()
        .map(|d| Some(d.document.text.as_str()))
        .collect();
    write_html(report, &texts, options, out)
}

/// Writes the HTML page of `report`. `texts` holds each document's text in report order (`None`
/// where it is not at hand: the page then says so and shows what the report holds).
pub fn write_html(
    report: &Report,
    texts: &[Option<&str>],
    options: &PageOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    // The page around its data block, then the data written into its place as it is
    // serialised: the page never holds the data's JSON.
    let page = Page::new(report, options, DATA_PLACE)
        .render()
        .map_err(io::Error::other)?;
    // The last: what follows the data block is the page's own script.
    let (before, after) = page
        .rsplit_once(DATA_PLACE)
        .ok_or_else(|| io::Error::other("the page's template has no place for its data"))?;
    out.write_all(before.as_bytes())?;
    let mut data = ScriptSafe::new(&mut *out);
    serde_json::to_writer(&mut data, &page_data(report, texts)).map_err(io::Error::other)?;
    data.finish()?;
    out.write_all(after.as_bytes())
}

/// What the page's template holds in the data block's place until the data is written there.
const DATA_PLACE: &str = "\u{0}mentorlens page data\u{0}";

/// A writer of JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&`
/// only occur inside JSON strings, where their `\u` escapes mean the same, so no text can close
/// the element or open a comment; U+2028 and U+2029 are escaped too, for older parsers.
struct ScriptSafe<W: Write> {
    out: W,
    /// The last bytes written when they may begin U+2028 or U+2029 (a write may end inside
    /// one).
    held: Vec<u8>,
}

impl<W: Write> ScriptSafe<W> {
    fn new(out: W) -> Self {
        Self {
            out,
            held: Vec::new(),
        }
    }

    /// Writes what is held back.
    fn finish(mut self) -> io::Result<()> {
        let held = std::mem::take(&mut self.held);
        self.out.write_all(&held)
    }
}

impl<W: Write> ScriptSafe<W> {
    /// Writes `bytes` escaped, holding back a last byte or two that may begin U+2028 or U+2029
    /// (E2 80 A8 and E2 80 A9 in UTF-8).
    fn escape(&mut self, bytes: &[u8]) -> io::Result<()> {
        let keep = match bytes {
            [.., 0xE2, 0x80] => 2,
            [.., 0xE2] => 1,
            _ => 0,
        };
        let (ready, held) = bytes.split_at(bytes.len() - keep);
        let mut start = 0;
        let mut i = 0;
        while i < ready.len() {
            let escape: Option<(&[u8], usize)> = match ready[i] {
                b'<' => Some((b"\\u003c", 1)),
                b'>' => Some((b"\\u003e", 1)),
                b'&' => Some((b"\\u0026", 1)),
                0xE2 if ready[i..].starts_with(&[0xE2, 0x80, 0xA8]) => Some((b"\\u2028", 3)),
                0xE2 if ready[i..].starts_with(&[0xE2, 0x80, 0xA9]) => Some((b"\\u2029", 3)),
                _ => None,
            };
            match escape {
                Some((escaped, width)) => {
                    self.out.write_all(&ready[start..i])?;
                    self.out.write_all(escaped)?;
                    i += width;
                    start = i;
                }
                None => i += 1,
            }
        }
        self.out.write_all(&ready[start..])?;
        self.held.extend_from_slice(held);
        Ok(())
    }
}

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.held.is_empty() {
            self.escape(bytes)?;
        } else {
            let mut pending = std::mem::take(&mut self.held);
            pending.extend_from_slice(bytes);
            self.escape(&pending)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads the texts of a report's documents again (the report holds offsets, not text): each from
/// its `path` (a JSON Lines record from its line), relative to the current folder or else to
/// `base`, decoded as the analysis decoded it. A text whose size differs from the report's has
/// changed since and is not used; an English document's original is then rebuilt from its
/// normalised text and edits. `None` where neither works.
pub fn read_texts(report: &Report, base: &Path) -> Vec<Option<String>> {
    let config = &report.settings.stages.load;
    let mut loaded: BTreeMap<PathBuf, Vec<Document>> = BTreeMap::new();
    report
        .documents
        .iter()
        .map(|document| {
            let (file, line) = file_and_line(&document.path);
            let read = [PathBuf::from(file), base.join(file)]
                .into_iter()
                .find(|candidate| candidate.is_file())
                .and_then(|path| {
                    let documents = loaded
                        .entry(path.clone())
                        .or_insert_with(|| load_documents(&path, config));
                    documents
                        .iter()
                        .find(|loaded| loaded.record_line == line)
                        .map(|loaded| loaded.text.clone())
                });
            read.filter(|text| text.len() == document.bytes)
                .or_else(|| original_from_normalized(document))
        })
        .collect()
}

/// Splits `file.jsonl:12` into the file and record line; any other path is the file itself.
fn file_and_line(path: &str) -> (&str, Option<usize>) {
    match path.rsplit_once(':') {
        Some((file, line)) if file.ends_with(".jsonl") => match line.parse() {
            Ok(line) => (file, Some(line)),
            Err(_) => (path, None),
        },
        _ => (path, None),
    }
}

/// The documents of one file, as the analysis loaded them.
fn load_documents(path: &Path, config: &LoadConfig) -> Vec<Document> {
    let source = Source::File {
        path: path.to_path_buf(),
        id: String::new(),
    };
    corpus::load(&source, config)
        .into_iter()
        .filter_map(Result::ok)
        .collect()
}

/// The original text of an English document rebuilt from its normalised text by undoing the
/// edits, when that gives the size the report records.
fn original_from_normalized(document: &DocumentReport) -> Option<String> {
    let normalized = document.normalized_text.as_deref()?;
    let edits = document.mangling.as_ref().map_or(&[][..], |m| &m.edits[..]);
    let mut original = String::with_capacity(document.bytes);
    // `normalized` is the original with each edit's `from` replaced by its `to` (overlapping
    // edits skipped, as `apply_edits` does); walk both texts together.
    let (mut in_original, mut in_normalized) = (0usize, 0usize);
    for edit in edits {
        if edit.start < in_original {
            continue;
        }
        let kept = edit.start - in_original;
        original.push_str(normalized.get(in_normalized..in_normalized + kept)?);
        in_normalized += kept;
        let restored = normalized.get(in_normalized..in_normalized + edit.to.len())?;
        if restored != edit.to {
            return None;
        }
        original.push_str(&edit.from);
        in_normalized += edit.to.len();
        in_original = edit.end;
    }
    original.push_str(normalized.get(in_normalized..)?);
    (original.len() == document.bytes).then_some(original)
}

/// Right-to-left scripts by ISO 639-1 code: Arabic, Persian, Hebrew, Pashto, Sindhi, Uyghur,
/// Urdu, Yiddish, Dhivehi.
const RIGHT_TO_LEFT: [&str; 9] = ["ar", "fa", "he", "ps", "sd", "ug", "ur", "yi", "dv"];

/// Whether text in `code` runs right to left.
fn right_to_left(code: &str) -> bool {
    RIGHT_TO_LEFT.contains(&code)
}

/// Everything the page's script renders, indexed by position: documents in report order.
#[derive(Serialize)]
struct PageData<'a> {
    documents: Vec<DocumentData<'a>>,
    groups: Vec<GroupData<'a>>,
    themes: Vec<ThemeData<'a>>,
    /// Columns of the theme matrix: a group, or a document in none.
    articles: Vec<ArticleData<'a>>,
    weak_row: f64,
}

#[derive(Serialize)]
struct DocumentData<'a> {
    id: &'a str,
    path: &'a str,
    /// Language code; `und` when undetermined.
    lang: &'a str,
    language: &'a str,
    confidence: f64,
    rtl: bool,
    words: usize,
    bytes: usize,
    paragraph_count: usize,
    group: Option<usize>,
    article: usize,
    themes: Vec<usize>,
    spun: Option<SpunData<'a>>,
    paragraphs: Vec<ParagraphData<'a>>,
    /// Why the text is not shown, or shown in part.
    note: Option<String>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct SpunData<'a> {
    score: f64,
    mangled: bool,
    edits: usize,
    evidence: &'a Evidence,
}

/// One paragraph as shown; offsets count UTF-16 units from the paragraph's start, as the script
/// does.
#[derive(Serialize)]
struct ParagraphData<'a> {
    /// The text.
    t: &'a str,
    /// 0 body, 1 heading, 2 boilerplate.
    k: u8,
    /// The paragraph's own language when it differs from the document's.
    #[serde(skip_serializing_if = "Option::is_none")]
    l: Option<&'a str>,
    /// Sentences: start and end.
    s: Vec<[u32; 2]>,
    /// Number of the first sentence, counted through the document (as alignments count).
    n: usize,
    /// Edits: start, end, restored text, rule, confidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    e: Vec<(u32, u32, &'a str, EditRule, f64)>,
}

#[derive(Serialize)]
struct GroupData<'a> {
    id: &'a str,
    kind: crate::align::group::GroupKind,
    documents: Vec<usize>,
    score: f64,
    evidence: &'a [crate::align::group::PairEvidence],
    pairs: Vec<PairData>,
}

/// The alignment of two versions: rows as `[a paragraphs, b paragraphs, score]`.
#[derive(Serialize)]
struct PairData {
    a: usize,
    b: usize,
    paragraphs: Vec<(Vec<usize>, Vec<usize>, f64)>,
    sentences: Vec<(Vec<usize>, Vec<usize>, f64)>,
}

#[derive(Serialize)]
struct ThemeData<'a> {
    id: &'a str,
    label: &'a str,
    definition: &'a str,
    recurring: bool,
    /// Quotes: document, paragraph, language, text.
    evidence: Vec<(usize, usize, &'a str, &'a str)>,
}

#[derive(Serialize)]
struct ArticleData<'a> {
    label: &'a str,
    group: Option<usize>,
    documents: Vec<usize>,
}

fn page_data<'a>(report: &'a Report, texts: &[Option<&'a str>]) -> PageData<'a> {
    let document_index: BTreeMap<&str, usize> = report
        .documents
        .iter()
        .enumerate()
        .map(|(index, document)| (document.id.as_str(), index))
        .collect();
    let group_index: BTreeMap<&str, usize> = report
        .groups
        .iter()
        .enumerate()
        .map(|(index, group)| (group.id.as_str(), index))
        .collect();
    let theme_index: BTreeMap<&str, usize> = report
        .themes
        .iter()
        .enumerate()
        .map(|(index, theme)| (theme.id.as_str(), index))
        .collect();
    let indices = |ids: &'a [String]| -> Vec<usize> {
        ids.iter()
            .filter_map(|id| document_index.get(id.as_str()).copied())
            .collect()
    };

    // A group is one article; a document in none is its own.
    let mut articles: Vec<ArticleData> = Vec::new();
    let mut article_of_group: BTreeMap<usize, usize> = BTreeMap::new();
    let mut article_of_document = Vec::with_capacity(report.documents.len());
    for (index, document) in report.documents.iter().enumerate() {
        let group = document
            .group
            .as_deref()
            .and_then(|id| group_index.get(id).copied());
        let article = match group {
            Some(group) => *article_of_group.entry(group).or_insert_with(|| {
                articles.push(ArticleData {
                    label: &report.groups[group].id,
                    group: Some(group),
                    documents: Vec::new(),
                });
                articles.len() - 1
            }),
            None => {
                articles.push(ArticleData {
                    label: &document.id,
                    group: None,
                    documents: Vec::new(),
                });
                articles.len() - 1
            }
        };
        articles[article].documents.push(index);
        article_of_document.push((group, article));
    }

    let documents = report
        .documents
        .iter()
        .enumerate()
        .map(|(index, document)| {
            let text = texts.get(index).copied().flatten();
            let (group, article) = article_of_document[index];
            document_data(document, text, group, article, &theme_index)
        })
        .collect();
    let groups = report
        .groups
        .iter()
        .map(|group| GroupData {
            id: &group.id,
            kind: group.kind,
            documents: indices(&group.documents),
            score: group.score,
            evidence: &group.evidence,
            pairs: group
                .alignments
                .iter()
                .filter_map(|pair| {
                    Some(PairData {
                        a: *document_index.get(pair.a.as_str())?,
                        b: *document_index.get(pair.b.as_str())?,
                        paragraphs: rows(&pair.alignment.paragraphs),
                        sentences: rows(&pair.alignment.sentences),
                    })
                })
                .collect(),
        })
        .collect();
    let themes = report
        .themes
        .iter()
        .map(|theme| ThemeData {
            id: &theme.id,
            label: &theme.label,
            definition: &theme.definition,
            recurring: theme.recurring,
            evidence: theme
                .evidence
                .iter()
                .filter_map(|quote| {
                    Some((
                        *document_index.get(quote.document.as_str())?,
                        quote.paragraph,
                        quote.language.as_str(),
                        quote.text.as_str(),
                    ))
                })
                .collect(),
        })
        .collect();
    PageData {
        documents,
        groups,
        themes,
        articles,
        weak_row: WEAK_ROW,
    }
}

fn rows(beads: &[Bead]) -> Vec<(Vec<usize>, Vec<usize>, f64)> {
    beads
        .iter()
        .map(|bead| (bead.a.clone(), bead.b.clone(), bead.score))
        .collect()
}

fn document_data<'a>(
    document: &'a DocumentReport,
    text: Option<&'a str>,
    group: Option<usize>,
    article: usize,
    theme_index: &BTreeMap<&str, usize>,
) -> DocumentData<'a> {
    let lang = document.language.code.as_str();
    let mut note = None;
    let mut paragraphs = Vec::new();
    match text {
        None => {
            note = Some(format!(
                "The text is not at hand: {} could not be read again, or has changed since the report was written. Counts, groups and quotes come from the report.",
                document.path
            ));
        }
        Some(text) => {
            let shown_end = floor_char_boundary(text, MAX_SHOWN_BYTES);
            if shown_end < text.len() {
                note = Some(format!(
                    "Shown in part: the first {} of {} bytes. Counts, groups and themes cover the whole text.",
                    shown_end,
                    text.len()
                ));
            }
            paragraphs = paragraph_data(document, &text[..shown_end]);
        }
    }
    DocumentData {
        id: &document.id,
        path: &document.path,
        lang,
        language: &document.language.name,
        confidence: document.language.confidence,
        rtl: right_to_left(lang),
        words: document.words,
        bytes: document.bytes,
        paragraph_count: document.paragraphs.len(),
        group,
        article,
        themes: document
            .themes
            .iter()
            .filter_map(|id| theme_index.get(id.as_str()).copied())
            .collect(),
        spun: document.mangling.as_ref().map(|mangling| SpunData {
            score: mangling.score,
            mangled: mangling.mangled,
            edits: mangling.edits.len(),
            evidence: &mangling.evidence,
        }),
        paragraphs,
        note,
        warnings: &document.warnings,
    }
}

/// The largest char boundary of `text` at or below `limit`.
fn floor_char_boundary(text: &str, limit: usize) -> usize {
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// The paragraphs of `shown` (the document's text, or its first part), with their sentences and
/// edits; a paragraph cut by the end of `shown` ends there, and offsets that do not fall on the
/// text (a report edited by hand) are left out.
fn paragraph_data<'a>(document: &'a DocumentReport, shown: &'a str) -> Vec<ParagraphData<'a>> {
    let mut edits_of: Vec<Vec<&EditReport>> = vec![Vec::new(); document.paragraphs.len()];
    for edit in document.mangling.iter().flat_map(|m| &m.edits) {
        if let Some(edits) = edits_of.get_mut(edit.paragraph) {
            edits.push(edit);
        }
    }
    let mut sentences_before = 0;
    let mut out = Vec::new();
    for (paragraph, edits) in document.paragraphs.iter().zip(&edits_of) {
        let first_sentence = sentences_before;
        sentences_before += paragraph.sentences.len();
        let (start, end) = (paragraph.start, paragraph.end.min(shown.len()));
        let Some(body) = shown.get(start..end) else {
            continue;
        };
        let inside = |from: usize, to: usize| {
            start <= from && from <= to && to <= end && shown.get(from..to).is_some()
        };
        let sentences: Vec<(usize, usize)> = paragraph
            .sentences
            .iter()
            .filter(|s| inside(s.start, s.end))
            .map(|s| (s.start - start, s.end - start))
            .collect();
        let edits: Vec<&EditReport> = edits
            .iter()
            .copied()
            .filter(|e| inside(e.start, e.end))
            .collect();
        let mut offsets: Vec<usize> = sentences.iter().flat_map(|&(s, e)| [s, e]).collect();
        offsets.extend(edits.iter().flat_map(|e| [e.start - start, e.end - start]));
        let units = utf16_offsets(body, &offsets);
        let (sentence_units, edit_units) = units.split_at(sentences.len() * 2);
        let language = paragraph.language.code.as_str();
        out.push(ParagraphData {
            t: body,
            k: if paragraph.boilerplate {
                2
            } else if paragraph.heading {
                1
            } else {
                0
            },
            l: (paragraph.language.reliable
                && language != "und"
                && language != document.language.code)
                .then_some(language),
            s: sentence_units
                .chunks_exact(2)
                .map(|pair| [pair[0], pair[1]])
                .collect(),
            n: first_sentence,
            e: edits
                .iter()
                .zip(edit_units.chunks_exact(2))
                .map(|(edit, pair)| {
                    (
                        pair[0],
                        pair[1],
                        edit.to.as_str(),
                        edit.rule,
                        edit.confidence,
                    )
                })
                .collect(),
        });
    }
    out
}

/// The UTF-16 offsets (as a browser's script counts) of byte offsets into `text`, in the order
/// given; one pass over the text.
fn utf16_offsets(text: &str, offsets: &[usize]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![0u32; offsets.len()];
    let mut chars = text.char_indices().peekable();
    let mut units = 0u32;
    for i in order {
        while let Some(&(position, c)) = chars.peek() {
            if position >= offsets[i] {
                break;
            }
            units += c.len_utf16() as u32;
            chars.next();
        }
        out[i] = units;
    }
    out
}

/// The template of the page.
#[derive(Template)]
#[template(path = "page.html")]
struct Page<'a> {
    start: &'a str,
    notes: &'a [String],
    tool: String,
    counts: Counts,
    languages: Vec<LanguageRow<'a>>,
    errors: &'a [ErrorReport],
    groups: Vec<GroupRow<'a>>,
    spun: Vec<SpunRow<'a>>,
    themes: Vec<ThemeRow<'a>>,
    discovered: Vec<DiscoveredRow<'a>>,
    style: &'static str,
    script: &'static str,
    data: &'a str,
}

/// The overview's counts.
struct Counts {
    documents: usize,
    analysed: usize,
    failed: usize,
    languages: usize,
    spun: usize,
    groups: usize,
    translations: usize,
    duplicates: usize,
    themes: usize,
    recurring: usize,
    discovered: usize,
}

struct LanguageRow<'a> {
    code: &'a str,
    name: Cow<'a, str>,
    documents: usize,
}

struct GroupRow<'a> {
    id: &'a str,
    kind: &'static str,
    score: String,
    members: Vec<(&'a str, &'a str)>,
}

struct SpunRow<'a> {
    id: &'a str,
    language: &'a str,
    score: String,
    edits: usize,
    per_100_words: String,
}

struct ThemeRow<'a> {
    id: &'a str,
    label: &'a str,
    definition: &'a str,
    articles: usize,
    documents: usize,
    recurring: bool,
}

struct DiscoveredRow<'a> {
    id: &'a str,
    key_phrases: String,
    articles: usize,
    documents: &'a [String],
    quotes: Vec<&'a crate::themes::EvidenceReport>,
    more_quotes: usize,
}

impl<'a> Page<'a> {
    fn new(report: &'a Report, options: &'a PageOptions, data: &'a str) -> Self {
        let language_of: BTreeMap<&str, &str> = report
            .documents
            .iter()
            .map(|d| (d.id.as_str(), d.language.code.as_str()))
            .collect();
        let name_of: BTreeMap<&str, &str> = report
            .documents
            .iter()
            .map(|d| (d.language.code.as_str(), d.language.name.as_str()))
            .collect();
        let spun: Vec<SpunRow> = report
            .documents
            .iter()
            .filter_map(|d| {
                let mangling = d.mangling.as_ref().filter(|m| m.mangled)?;
                Some(SpunRow {
                    id: &d.id,
                    language: &d.language.code,
                    score: format!("{:.2}", mangling.score),
                    edits: mangling.edits.len(),
                    per_100_words: format!("{:.1}", mangling.evidence.per_100_words),
                })
            })
            .collect();
        let kind_name = |kind| match kind {
            crate::align::group::GroupKind::Translation => "translation",
            crate::align::group::GroupKind::Duplicate => "duplicate",
        };
        let groups: Vec<GroupRow> = report
            .groups
            .iter()
            .map(|group| GroupRow {
                id: &group.id,
                kind: kind_name(group.kind),
                score: format!("{:.2}", group.score),
                members: group
                    .documents
                    .iter()
                    .map(|id| {
                        let language = language_of.get(id.as_str()).copied().unwrap_or("und");
                        (id.as_str(), language)
                    })
                    .collect(),
            })
            .collect();
        let translations = report
            .groups
            .iter()
            .filter(|g| g.kind == crate::align::group::GroupKind::Translation)
            .count();
        Page {
            start: if options.start.is_empty() {
                "overview"
            } else {
                &options.start
            },
            notes: &options.notes,
            tool: format!("{} {}", report.tool.name, report.tool.version),
            counts: Counts {
                documents: report.corpus.documents,
                analysed: report.corpus.analysed,
                failed: report.corpus.failed,
                languages: report.corpus.languages.len(),
                spun: spun.len(),
                groups: report.groups.len(),
                translations,
                duplicates: report.groups.len() - translations,
                themes: report.themes.len(),
                recurring: report.themes.iter().filter(|t| t.recurring).count(),
                discovered: report.discovered_themes.len(),
            },
            languages: report
                .corpus
                .languages
                .iter()
                .map(|(code, &documents)| LanguageRow {
                    code,
                    name: name_of
                        .get(code.as_str())
                        .map_or_else(|| Cow::Owned(code.clone()), |name| Cow::Borrowed(*name)),
                    documents,
                })
                .collect(),
            errors: &report.errors,
            groups,
            spun,
            themes: report
                .themes
                .iter()
                .map(|theme| ThemeRow {
                    id: &theme.id,
                    label: &theme.label,
                    definition: &theme.definition,
                    articles: theme.articles,
                    documents: theme.documents.len(),
                    recurring: theme.recurring,
                })
                .collect(),
            discovered: report
                .discovered_themes
                .iter()
                .map(|theme| DiscoveredRow {
                    id: &theme.id,
                    key_phrases: theme.key_phrases.join(" · "),
                    articles: theme.articles,
                    documents: &theme.documents,
                    quotes: theme.evidence.iter().take(MAX_DISCOVERED_QUOTES).collect(),
                    more_quotes: theme.evidence.len().saturating_sub(MAX_DISCOVERED_QUOTES),
                })
                .collect(),
            style: include_str!("html/style.css"),
            script: include_str!("html/page.js"),
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_count_as_a_browser_does() {
        // "é" is 2 bytes and 1 unit, "𝄞" 4 bytes and 2 units, "日" 3 bytes and 1 unit.
        let text = "é𝄞日a";
        assert_eq!(utf16_offsets(text, &[9, 0, 2, 6, 10]), vec![4, 0, 1, 3, 5]);
    }

    #[test]
    fn script_data_cannot_close_its_element() {
        let text = "</script><!-- & \u{2028}\u{2029} é 日";
        let json = serde_json::to_string(text).unwrap();
        // Written whole, and a byte at a time (a write may end inside a character).
        let mut whole = Vec::new();
        let mut writer = ScriptSafe::new(&mut whole);
        writer.write_all(json.as_bytes()).unwrap();
        writer.finish().unwrap();
        let mut bytewise = Vec::new();
        let mut writer = ScriptSafe::new(&mut bytewise);
        for byte in json.as_bytes() {
            writer.write_all(&[*byte]).unwrap();
        }
        writer.finish().unwrap();
        assert_eq!(whole, bytewise);
        let safe = String::from_utf8(whole).unwrap();
        assert!(
            !safe.contains(['<', '>', '&', '\u{2028}', '\u{2029}']),
            "{safe}"
        );
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn jsonl_paths_split_into_file_and_line() {
        assert_eq!(file_and_line("a/b.jsonl:12"), ("a/b.jsonl", Some(12)));
        assert_eq!(file_and_line("a/b.txt"), ("a/b.txt", None));
        assert_eq!(file_and_line("c:x.jsonl:z"), ("c:x.jsonl:z", None));
        assert_eq!(file_and_line("note:1.txt"), ("note:1.txt", None));
    }

    #[test]
    fn cut_text_ends_on_a_char_boundary() {
        assert_eq!(floor_char_boundary("aé", 2), 1);
        assert_eq!(floor_char_boundary("aé", 3), 3);
        assert_eq!(floor_char_boundary("aé", 99), 3);
    }
}
