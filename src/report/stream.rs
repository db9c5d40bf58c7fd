//! The report written part by part, in the order it reads: the head, then each document, group,
//! theme, discovered theme and error as it comes. [`Report::write_json`] and
//! [`Report::write_jsonl`] write through it, and so does a cluster's `dist assemble`, which holds
//! one document at a time (each rendered beforehand by [`document_fragment`]): both give the same
//! bytes, since both are this code.

use super::{
    CorpusSummary, DocumentReport, ErrorReport, JsonlRecord, Report, SCHEMA_VERSION, Tool,
};
use crate::align::group::Group;
use crate::themes::{DiscoveredTheme, EvidenceReport, LexiconGap, ThemeReport};
use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use std::borrow::{Borrow, Cow};
use std::cell::RefCell;
use std::io::{self, Write};

/// The report's two layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One pretty-printed JSON document with a final newline ([`Report::write_json`]).
    Json,
    /// One JSON object per line, each naming its table ([`Report::write_jsonl`]).
    Jsonl,
}

/// How many of a report's documents [`Report::write_json`] and [`Report::write_jsonl`] render at
/// once, in parallel, before writing them in order: the writer keeps pace with the analysis's
/// threads and holds a window of rendered documents, not the report's bytes.
const RENDER_WINDOW: usize = 256;

/// Bytes of text after which a window of documents to render is closed; a document of more is
/// not rendered beforehand but serialized as it is written, so that a huge document is never
/// held twice.
const RENDER_WINDOW_BYTES: usize = 8 << 20;

/// One document of the report as the writer takes it.
pub(crate) enum DocumentPart<'a> {
    /// Rendered beforehand for the layout written ([`rendered_document`], or
    /// [`refit_fragment`] of its [`document_fragment`]).
    Rendered(Vec<u8>),
    /// Serialized as it is written.
    Streamed(&'a DocumentReport),
}

/// The parts of a report, in the order the report holds them.
pub(crate) struct ReportParts<'a, D, G> {
    /// The settings the run used.
    pub settings: &'a crate::Settings,
    /// Counts over the whole run (they precede the documents, so they are known beforehand).
    pub corpus: &'a CorpusSummary,
    /// The documents, in report order.
    pub documents: D,
    /// The groups, in report order.
    pub groups: G,
    /// The taxonomy themes.
    pub themes: &'a [ThemeReport],
    /// Where their documents and evidence come from.
    pub listings: Box<dyn ThemeListings + 'a>,
    /// The discovered themes.
    pub discovered: &'a [DiscoveredTheme],
    /// The failed inputs.
    pub errors: &'a [ErrorReport],
}

/// One of a taxonomy theme's lists (its documents or its evidence), in report order, as the
/// writer takes it.
pub(crate) type Listed<'s, T> = Box<dyn Iterator<Item = io::Result<Cow<'s, T>>> + 's>;

/// A taxonomy theme's lists, each taken once, in report order.
pub(crate) struct ThemeLists<'s> {
    /// The documents that state it.
    pub documents: Listed<'s, str>,
    /// Its quoted evidence.
    pub evidence: Listed<'s, EvidenceReport>,
    /// Its lexicon gaps.
    pub lexicon_gaps: Listed<'s, LexiconGap>,
}

/// Where the writer takes each taxonomy theme's documents, evidence and lexicon gaps from: the
/// themes' reports ([`HeldListings`]), or what a sharded run merges from its tasks' files.
pub(crate) trait ThemeListings {
    /// The lists of the theme at `index` (its report `theme`); asked once a theme, in taxonomy
    /// order.
    fn of<'s>(&'s mut self, index: usize, theme: &'s ThemeReport) -> ThemeLists<'s>;
}

/// The lists the themes' reports hold.
pub(crate) struct HeldListings;

impl ThemeListings for HeldListings {
    fn of<'s>(&'s mut self, _index: usize, theme: &'s ThemeReport) -> ThemeLists<'s> {
        ThemeLists {
            documents: Box::new(
                theme
                    .documents
                    .iter()
                    .map(|id| Ok(Cow::Borrowed(id.as_str()))),
            ),
            evidence: Box::new(
                theme
                    .evidence
                    .iter()
                    .map(|quoted| Ok(Cow::Borrowed(quoted))),
            ),
            lexicon_gaps: Box::new(theme.lexicon_gaps.iter().map(|gap| Ok(Cow::Borrowed(gap)))),
        }
    }
}

/// A list serialized as a sequence as it is taken (once); its first error kept.
struct StreamedSeq<'s, T: ?Sized + ToOwned + 's> {
    items: RefCell<Option<Listed<'s, T>>>,
    failure: RefCell<Option<io::Error>>,
}

impl<'s, T: ?Sized + ToOwned + 's> StreamedSeq<'s, T> {
    fn new(items: Listed<'s, T>) -> Self {
        Self {
            items: RefCell::new(Some(items)),
            failure: RefCell::new(None),
        }
    }

    /// The first error of the list, once it has been serialized.
    fn failure(self) -> io::Result<()> {
        self.failure.into_inner().map_or(Ok(()), Err)
    }
}

impl<'s, T: ?Sized + ToOwned + Serialize + 's> Serialize for StreamedSeq<'s, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self.items.borrow_mut().take().into_iter().flatten();
        serializer.collect_seq(items.map_while(|item| {
            item.map_err(|error| *self.failure.borrow_mut() = Some(error))
                .ok()
        }))
    }
}

/// A theme's report serialized as serde serializes [`ThemeReport`] (or, as a JSON Lines
/// `theme` record, without its evidence), its lists taken as they are written.
struct StreamedTheme<'t, 's> {
    theme: &'t ThemeReport,
    documents: StreamedSeq<'s, str>,
    /// `None` in the JSON Lines record, whose evidence is in records of its own.
    evidence: Option<StreamedSeq<'s, EvidenceReport>>,
    lexicon_gaps: StreamedSeq<'s, LexiconGap>,
}

impl<'t, 's> StreamedTheme<'t, 's> {
    /// `theme` with its `lists`; with its evidence, or without for a JSON Lines record (the
    /// evidence is given back).
    fn new(
        theme: &'t ThemeReport,
        lists: ThemeLists<'s>,
        with_evidence: bool,
    ) -> (Self, Option<Listed<'s, EvidenceReport>>) {
        let (evidence, apart) = if with_evidence {
            (Some(StreamedSeq::new(lists.evidence)), None)
        } else {
            (None, Some(lists.evidence))
        };
        let streamed = Self {
            theme,
            documents: StreamedSeq::new(lists.documents),
            evidence,
            lexicon_gaps: StreamedSeq::new(lists.lexicon_gaps),
        };
        (streamed, apart)
    }

    /// The first error of its lists, once written.
    fn failure(self) -> io::Result<()> {
        self.documents.failure()?;
        if let Some(evidence) = self.evidence {
            evidence.failure()?;
        }
        self.lexicon_gaps.failure()
    }
}

impl Serialize for StreamedTheme<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let theme = self.theme;
        let mut fields = serializer.serialize_struct("ThemeReport", 8)?;
        if self.evidence.is_none() {
            // The tag serde writes first in a JSON Lines record.
            fields.serialize_field("record", "theme")?;
        }
        fields.serialize_field("id", &theme.id)?;
        fields.serialize_field("label", &theme.label)?;
        fields.serialize_field("definition", &theme.definition)?;
        fields.serialize_field("recurring", &theme.recurring)?;
        fields.serialize_field("articles", &theme.articles)?;
        fields.serialize_field("documents", &self.documents)?;
        if let Some(evidence) = &self.evidence {
            fields.serialize_field("evidence", evidence)?;
        }
        fields.serialize_field("lexicon_gaps", &self.lexicon_gaps)?;
        fields.end()
    }
}

/// A document as the writer of `layout` writes it: its [`document_fragment`] for JSON, its
/// record's line (without the newline) for JSON Lines.
pub(crate) fn rendered_document(document: &DocumentReport, layout: Layout) -> Vec<u8> {
    match layout {
        Layout::Json => document_fragment(document),
        // Writing to a vector fails only when serialization does, which these types never do.
        Layout::Jsonl => serde_json::to_vec(&JsonlRecord::Document(document)).unwrap_or_default(),
    }
}

/// A document rendered as the JSON writer writes it: pretty JSON at the depth of the report's
/// `documents` (no indentation before its first line); [`refit_fragment`] makes it the JSON Lines
/// record.
pub(crate) fn document_fragment(document: &DocumentReport) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to a vector fails only when serialization does, which these types never do.
    let _ = pretty_at(&mut bytes, document, DOCUMENT_DEPTH);
    bytes
}

/// A document's JSON fragment ([`document_fragment`]) made into its fragment
/// for `layout`: the JSON Lines record is the compact form (pretty-printing's whitespace, which
/// never stands inside a string, dropped) with the `record` tag first, as serde writes it.
pub(crate) fn refit_fragment(json: Vec<u8>, layout: Layout) -> Vec<u8> {
    match layout {
        Layout::Json => json,
        Layout::Jsonl => {
            const TAG: &[u8] = b"{\"record\":\"document\",";
            let mut line = Vec::with_capacity(json.len());
            line.extend_from_slice(TAG);
            let (mut in_string, mut escaped) = (false, false);
            // Past the opening brace, which the tag replaces.
            for &byte in json.iter().skip(1) {
                if in_string {
                    line.push(byte);
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        in_string = false;
                    }
                } else if !matches!(byte, b' ' | b'\n') {
                    in_string = byte == b'"';
                    line.push(byte);
                }
            }
            line
        }
    }
}

/// Nesting of a report's documents, groups, themes and errors: items of arrays of the root.
const DOCUMENT_DEPTH: usize = 2;

/// Writes `value` as `serde_json::to_writer_pretty` does, indented as if nested `depth` levels
/// deep in a larger document (every line but the first).
fn pretty_at(out: &mut dyn Write, value: &impl Serialize, depth: usize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(
        out,
        NestedPretty {
            depth,
            has_value: false,
        },
    );
    value.serialize(&mut serializer)?;
    Ok(())
}

/// serde_json's pretty formatter (two spaces a level) starting `depth` levels deep.
struct NestedPretty {
    depth: usize,
    has_value: bool,
}

impl NestedPretty {
    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        const SPACES: [u8; 64] = [b' '; 64];
        let mut left = self.depth * 2;
        while left > 0 {
            let now = left.min(SPACES.len());
            writer.write_all(&SPACES[..now])?;
            left -= now;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl serde_json::ser::Formatter for NestedPretty {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes a report from its parts in `layout`: the same bytes [`Report::write_json`] or
/// [`Report::write_jsonl`] writes for the report they make up.
pub(crate) fn write_report<'a, D, G, B>(
    out: &mut dyn Write,
    layout: Layout,
    parts: ReportParts<'a, D, G>,
) -> io::Result<()>
where
    D: Iterator<Item = io::Result<DocumentPart<'a>>>,
    G: Iterator<Item = io::Result<B>>,
    B: Borrow<Group>,
{
    match layout {
        Layout::Json => write_json(out, parts),
        Layout::Jsonl => write_jsonl(out, parts),
    }
}

fn write_json<'a, D, G, B>(out: &mut dyn Write, parts: ReportParts<'a, D, G>) -> io::Result<()>
where
    D: Iterator<Item = io::Result<DocumentPart<'a>>>,
    G: Iterator<Item = io::Result<B>>,
    B: Borrow<Group>,
{
    let tool = Tool::of_this_build();
    out.write_all(b"{")?;
    field(out, "schema_version", true)?;
    pretty_at(out, &SCHEMA_VERSION, 1)?;
    field(out, "tool", false)?;
    pretty_at(out, &tool, 1)?;
    field(out, "settings", false)?;
    pretty_at(out, parts.settings, 1)?;
    field(out, "corpus", false)?;
    pretty_at(out, parts.corpus, 1)?;
    field(out, "documents", false)?;
    array(out, parts.documents, |out, document| match document {
        DocumentPart::Rendered(bytes) => out.write_all(&bytes),
        DocumentPart::Streamed(document) => pretty_at(out, document, DOCUMENT_DEPTH),
    })?;
    field(out, "groups", false)?;
    array(out, parts.groups, |out, group| {
        pretty_at(out, group.borrow(), DOCUMENT_DEPTH)
    })?;
    field(out, "themes", false)?;
    let mut listings = parts.listings;
    array(
        out,
        parts.themes.iter().enumerate().map(Ok),
        |out, (index, theme)| {
            let (streamed, _) = StreamedTheme::new(theme, listings.of(index, theme), true);
            pretty_at(out, &streamed, DOCUMENT_DEPTH)?;
            streamed.failure()
        },
    )?;
    field(out, "discovered_themes", false)?;
    array(out, parts.discovered.iter().map(Ok), |out, theme| {
        pretty_at(out, theme, DOCUMENT_DEPTH)
    })?;
    field(out, "errors", false)?;
    array(out, parts.errors.iter().map(Ok), |out, error| {
        pretty_at(out, error, DOCUMENT_DEPTH)
    })?;
    out.write_all(b"\n}\n")
}

/// Starts a field of the root object: its separator, indentation and key.
fn field(out: &mut dyn Write, name: &str, first: bool) -> io::Result<()> {
    out.write_all(if first { b"\n  " } else { b",\n  " })?;
    serde_json::to_writer(&mut *out, name)?;
    out.write_all(b": ")
}

/// Writes an array of the root object, its items written by `item` at their depth.
fn array<T>(
    out: &mut dyn Write,
    items: impl Iterator<Item = io::Result<T>>,
    mut item: impl FnMut(&mut dyn Write, T) -> io::Result<()>,
) -> io::Result<()> {
    out.write_all(b"[")?;
    let mut any = false;
    for next in items {
        out.write_all(if any { b",\n    " } else { b"\n    " })?;
        any = true;
        item(out, next?)?;
    }
    out.write_all(if any { b"\n  ]" } else { b"]" })
}

fn write_jsonl<'a, D, G, B>(out: &mut dyn Write, parts: ReportParts<'a, D, G>) -> io::Result<()>
where
    D: Iterator<Item = io::Result<DocumentPart<'a>>>,
    G: Iterator<Item = io::Result<B>>,
    B: Borrow<Group>,
{
    fn line(out: &mut dyn Write, record: JsonlRecord) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")
    }
    for document in parts.documents {
        match document? {
            DocumentPart::Rendered(bytes) => {
                out.write_all(&bytes)?;
                out.write_all(b"\n")?;
            }
            DocumentPart::Streamed(document) => line(out, JsonlRecord::Document(document))?,
        }
    }
    for group in parts.groups {
        let group = group?;
        let group = group.borrow();
        line(
            out,
            JsonlRecord::Group(super::GroupRecord {
                id: &group.id,
                kind: group.kind,
                documents: &group.documents,
                score: group.score,
                evidence: &group.evidence,
            }),
        )?;
        for document in &group.documents {
            line(
                out,
                JsonlRecord::GroupMember {
                    group: &group.id,
                    document,
                },
            )?;
        }
        for pair in &group.alignments {
            line(
                out,
                JsonlRecord::Alignment(super::AlignmentRecord {
                    group: &group.id,
                    pair,
                }),
            )?;
        }
    }
    let mut listings = parts.listings;
    for (index, theme) in parts.themes.iter().enumerate() {
        // One theme's documents and lexicon gaps are one line, its evidence a line a quote.
        let (streamed, evidence) = StreamedTheme::new(theme, listings.of(index, theme), false);
        serde_json::to_writer(&mut *out, &streamed)?;
        out.write_all(b"\n")?;
        streamed.failure()?;
        for quoted in evidence.into_iter().flatten() {
            let quoted = quoted?;
            line(
                out,
                JsonlRecord::ThemeEvidence(super::ThemeEvidenceRecord {
                    theme: &theme.id,
                    evidence: &quoted,
                }),
            )?;
        }
    }
    for discovered in parts.discovered {
        line(out, JsonlRecord::DiscoveredTheme(discovered))?;
    }
    for error in parts.errors {
        line(out, JsonlRecord::Error(error))?;
    }
    Ok(())
}

/// `documents` cut into windows to render at once: [`RENDER_WINDOW`] documents, or fewer when
/// their texts reach [`RENDER_WINDOW_BYTES`].
fn render_windows(documents: &[DocumentReport]) -> impl Iterator<Item = &[DocumentReport]> {
    let mut rest = documents;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (mut end, mut bytes) = (0, 0);
        while end < rest.len().min(RENDER_WINDOW) && bytes < RENDER_WINDOW_BYTES {
            bytes += rest[end].bytes;
            end += 1;
        }
        let (window, after) = rest.split_at(end);
        rest = after;
        Some(window)
    })
}

impl Report {
    /// The report's parts for `layout`, its documents rendered as they are written, a window
    /// at a time in parallel on the current rayon pool ([`render_windows`]); a document of more
    /// than [`RENDER_WINDOW_BYTES`] of text is serialized as it is written instead.
    pub(crate) fn parts(
        &self,
        layout: Layout,
    ) -> ReportParts<
        '_,
        impl Iterator<Item = io::Result<DocumentPart<'_>>>,
        impl Iterator<Item = io::Result<&Group>>,
    > {
        ReportParts {
            settings: &self.settings,
            corpus: &self.corpus,
            documents: render_windows(&self.documents)
                .flat_map(move |window| {
                    window
                        .par_iter()
                        .map(|document| {
                            if document.bytes > RENDER_WINDOW_BYTES {
                                DocumentPart::Streamed(document)
                            } else {
                                DocumentPart::Rendered(rendered_document(document, layout))
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .map(Ok),
            groups: self.groups.iter().map(Ok),
            themes: &self.themes,
            listings: Box::new(HeldListings),
            discovered: &self.discovered_themes,
            errors: &self.errors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of the seed corpus with every part present, and its copy with every array empty.
    fn seed_reports() -> Vec<Report> {
        let pipeline = crate::Pipeline::new(&crate::Config::default()).unwrap();
        let inputs = [crate::corpus::Input::Path(
            concat!(env!("CARGO_MANIFEST_DIR"), "/corpus").into(),
        )];
        let analysis = pipeline.run(&inputs, &());
        let mut full = Report::new(&analysis);
        // Lexicon gaps, in two themes, one of them with two.
        let gap = |document: &str, found_in: &[&str]| LexiconGap {
            document: document.into(),
            language: "tr".into(),
            found_in: found_in.iter().map(|id| id.to_string()).collect(),
        };
        full.themes[0].lexicon_gaps = vec![gap("a \"b\"", &["c", "d"]), gap("e", &[])];
        full.themes[2].lexicon_gaps = vec![gap("f", &["g"])];
        let mut empty = Report::new(&analysis);
        empty.documents.clear();
        empty.groups.clear();
        empty.themes.clear();
        empty.discovered_themes.clear();
        empty.errors.push(ErrorReport {
            path: "a \"quoted\"\npath é".into(),
            kind: crate::corpus::InputErrorKind::NotFound,
            message: "line one\nline two\t✓".into(),
        });
        vec![full, empty]
    }

    #[test]
    fn parts_write_what_serde_writes_for_the_whole_report() {
        for report in seed_reports() {
            let mut expected = serde_json::to_vec_pretty(&report).unwrap();
            expected.push(b'\n');
            let mut written = Vec::new();
            write_report(&mut written, Layout::Json, report.parts(Layout::Json)).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    #[test]
    fn documents_streamed_or_rendered_write_the_same_bytes() {
        for report in seed_reports() {
            for layout in [Layout::Json, Layout::Jsonl] {
                let mut rendered = Vec::new();
                write_report(&mut rendered, layout, report.parts(layout)).unwrap();
                let streamed = report
                    .documents
                    .iter()
                    .map(|document| Ok(DocumentPart::Streamed(document)));
                let mut written = Vec::new();
                write_report(
                    &mut written,
                    layout,
                    ReportParts {
                        settings: &report.settings,
                        corpus: &report.corpus,
                        documents: streamed,
                        groups: report.groups.iter().map(Ok),
                        themes: &report.themes,
                        listings: Box::new(HeldListings),
                        discovered: &report.discovered_themes,
                        errors: &report.errors,
                    },
                )
                .unwrap();
                assert_eq!(rendered, written, "{layout:?}");
            }
        }
    }

    #[test]
    fn render_windows_close_at_their_count_or_their_bytes() {
        let document = seed_reports().remove(0).documents.remove(0);
        let json = serde_json::to_value(&document).unwrap();
        let sized = |bytes: usize| DocumentReport {
            bytes,
            ..serde_json::from_value(json.clone()).unwrap()
        };
        let mut documents: Vec<DocumentReport> = (0..300).map(|_| sized(10)).collect();
        documents.insert(10, sized(RENDER_WINDOW_BYTES + 1));
        documents.push(sized(RENDER_WINDOW_BYTES / 2));
        documents.push(sized(RENDER_WINDOW_BYTES / 2));
        documents.push(sized(1));
        let lengths: Vec<usize> = render_windows(&documents).map(<[_]>::len).collect();
        // 10 small and the huge one; 256 small; the last 34 small and two halves; the last.
        assert_eq!(lengths, vec![11, 256, 36, 1]);
        assert_eq!(lengths.iter().sum::<usize>(), documents.len());
    }

    /// A document's JSON Lines record as serde writes it.
    fn jsonl_record(document: &DocumentReport) -> Vec<u8> {
        serde_json::to_vec(&JsonlRecord::Document(document)).unwrap()
    }

    #[test]
    fn json_fragments_refit_to_json_lines_records() {
        for report in seed_reports() {
            for document in &report.documents {
                let json = document_fragment(document);
                assert_eq!(
                    refit_fragment(json.clone(), Layout::Jsonl),
                    jsonl_record(document)
                );
                assert_eq!(refit_fragment(json.clone(), Layout::Json), json);
            }
        }
        // Quotes, escapes and whitespace inside strings stay as they are.
        let mut tricky = seed_reports().remove(0).documents.remove(0);
        tricky.warnings = vec!["a \"quoted\" \\ back\\slash\n  and: [spaces], {braces}".into()];
        tricky.id = "\\\"".into();
        assert_eq!(
            refit_fragment(document_fragment(&tricky), Layout::Jsonl),
            jsonl_record(&tricky)
        );
    }

    /// Each theme's lists as a sharded run gives them: not from its report, and owned.
    struct ListedApart(Vec<(Vec<String>, Vec<EvidenceReport>, Vec<LexiconGap>)>);

    impl ThemeListings for ListedApart {
        fn of<'s>(&'s mut self, index: usize, theme: &'s ThemeReport) -> ThemeLists<'s> {
            assert!(theme.documents.is_empty() && theme.evidence.is_empty());
            assert!(theme.lexicon_gaps.is_empty());
            let (documents, evidence, gaps) = std::mem::take(&mut self.0[index]);
            ThemeLists {
                documents: Box::new(documents.into_iter().map(|id| Ok(Cow::Owned(id)))),
                evidence: Box::new(evidence.into_iter().map(|quoted| Ok(Cow::Owned(quoted)))),
                lexicon_gaps: Box::new(gaps.into_iter().map(|gap| Ok(Cow::Owned(gap)))),
            }
        }
    }

    #[test]
    fn rendered_documents_and_theme_listings_apart_write_the_bytes_of_serialized_ones() {
        for report in seed_reports() {
            for layout in [Layout::Json, Layout::Jsonl] {
                let mut direct = Vec::new();
                write_report(&mut direct, layout, report.parts(layout)).unwrap();
                let rendered = report.documents.iter().map(|document| {
                    let json = document_fragment(document);
                    Ok(DocumentPart::Rendered(refit_fragment(json, layout)))
                });
                let mut themes = report.themes.clone();
                let listed = themes
                    .iter_mut()
                    .map(|theme| {
                        let documents = std::mem::take(&mut theme.documents);
                        let evidence = std::mem::take(&mut theme.evidence);
                        (documents, evidence, std::mem::take(&mut theme.lexicon_gaps))
                    })
                    .collect();
                let mut from_fragments = Vec::new();
                write_report(
                    &mut from_fragments,
                    layout,
                    ReportParts {
                        settings: &report.settings,
                        corpus: &report.corpus,
                        documents: rendered,
                        groups: report.groups.iter().map(Ok),
                        themes: &themes,
                        listings: Box::new(ListedApart(listed)),
                        discovered: &report.discovered_themes,
                        errors: &report.errors,
                    },
                )
                .unwrap();
                assert_eq!(direct, from_fragments, "{layout:?}");
            }
        }
    }
}
