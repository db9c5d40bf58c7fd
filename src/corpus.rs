//! Inputs: turns paths, folders, JSON Lines files and standard input into decoded [`Document`]s.
//!
//! Loading is the only stage that touches the file system. It never aborts a run: every input either
//! becomes a `Document` or an [`InputError`] that names the path, a machine-readable kind and a message
//! a person can act on. Decoding rules: a UTF-8 byte-order mark is stripped, UTF-16 and UTF-32 with a
//! byte-order mark are decoded, invalid input is decoded with U+FFFD replacement characters and a
//! warning, texts with a NUL anywhere or mostly control characters in their first 64 KiB are
//! rejected as binary (a file as soon as its first 64 KiB show it, a JSON Lines record by its
//! text), and empty or whitespace-only texts are rejected as empty.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One input as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a folder (walked recursively in sorted order; hidden entries and files without a
    /// text extension, see [`LoadConfig::extensions`], are skipped). A file is read whatever its
    /// extension.
    Path(PathBuf),
    /// Standard input, read whole as one document with id `stdin`.
    Stdin,
}

impl Input {
    /// Parses a command-line argument: `-` is standard input, anything else a path.
    pub fn from_arg(arg: &str) -> Self {
        Self::from_path(PathBuf::from(arg))
    }

    /// [`Input::from_arg`] for a path that need not be UTF-8.
    pub fn from_path(path: PathBuf) -> Self {
        if path.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(path)
        }
    }
}

/// A decoded text with its identity. `text` is never mutated after loading.
#[derive(Debug, Clone)]
pub struct Document {
    /// Unique id: the file stem (or the JSON Lines `id`), made unique with `~2`, `~3`… on collision.
    pub id: String,
    /// Where the text came from: a path, `path:line` for JSON Lines, or `-` for standard input.
    pub path: String,
    /// The decoded text; every offset in the report is a byte offset into it.
    pub text: String,
    /// Problems that did not stop the analysis (replacement characters, renamed id).
    pub warnings: Vec<String>,
    /// Byte offset in `text` of the first U+FFFD that decoding put in place of bytes that were
    /// not valid UTF-8 (or UTF-16): the input is not clean text there.
    pub first_replacement: Option<usize>,
    /// For a JSON Lines record, its 1-based line in the file (`path` is then `file:line`).
    pub record_line: Option<usize>,
}

impl Document {
    /// The file the text came from and the 1-based line where it starts in that file: the
    /// record's line for JSON Lines, else line 1 of `path`.
    pub(crate) fn file_and_line(&self) -> (&str, usize) {
        file_and_line(&self.path, self.record_line)
    }
}

/// Splits `file:line` back into the file and the line of a JSON Lines record.
fn file_and_line(path: &str, record_line: Option<usize>) -> (&str, usize) {
    match record_line {
        Some(line) => {
            let file = path.strip_suffix(&format!(":{line}")).unwrap_or(path);
            (file, line)
        }
        None => (path, 1),
    }
}

/// A path as the report shows it: as it is when it is valid UTF-8, else with each byte that is
/// not written `\xNN`, so that two different names never show as the same text.
pub(crate) fn display_path(path: &Path) -> String {
    match path.to_str() {
        Some(text) => text.to_string(),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                escape_invalid_utf8(path.as_os_str().as_bytes())
            }
            #[cfg(not(unix))]
            {
                path.to_string_lossy().into_owned()
            }
        }
    }
}

/// Valid UTF-8 runs as they are, every other byte as `\xNN`.
#[cfg_attr(not(unix), allow(dead_code))]
fn escape_invalid_utf8(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// Why an input could not be analysed.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    schemars::JsonSchema,
    Deserialize,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum InputErrorKind {
    /// The path does not exist (or is a dangling link).
    NotFound,
    /// The path exists but could not be read (permissions, I/O error, not a regular file).
    Unreadable,
    /// The content is binary (NUL bytes or mostly control characters).
    Binary,
    /// The content is empty or whitespace only.
    Empty,
    /// The file is larger than the configured limit.
    TooLarge,
    /// A JSON Lines record that is not `{"id": ..., "text": ...}`.
    InvalidRecord,
    /// A symbolic link that points back into its own ancestors.
    SymlinkLoop,
    /// The same file was named twice; it is analysed once.
    DuplicateInput,
}

impl InputErrorKind {
    /// The kind's name as it appears in the report (`not_found`, `binary`, …).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An input that could not be analysed, as listed in the report's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {}: {message}", kind.as_str())]
pub struct InputError {
    /// The path (or `path:line`) of the input.
    pub path: String,
    /// What kind of failure it was.
    pub kind: InputErrorKind,
    /// What failed and what to do about it.
    pub message: String,
    /// For a JSON Lines record, its 1-based line in the file (`path` is then `file:line`).
    pub record_line: Option<usize>,
}

impl InputError {
    fn new(path: impl Into<String>, kind: InputErrorKind, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            kind,
            message: message.into(),
            record_line: None,
        }
    }

    /// The file that failed and the 1-based line where the failure is: the record's line for
    /// JSON Lines, else line 1 of `path`.
    pub fn file_and_line(&self) -> (&str, usize) {
        file_and_line(&self.path, self.record_line)
    }

    fn from_io(path: &str, error: &io::Error) -> Self {
        let kind = match error.kind() {
            io::ErrorKind::NotFound => InputErrorKind::NotFound,
            _ if error.raw_os_error() == Some(ELOOP) => InputErrorKind::SymlinkLoop,
            _ => InputErrorKind::Unreadable,
        };
        let hint = match kind {
            InputErrorKind::NotFound => "check the path (a dangling link points nowhere)",
            InputErrorKind::SymlinkLoop => "a symbolic link points back at itself; remove the loop",
            _ => "check the file's permissions and that it is a regular file",
        };
        Self::new(path, kind, format!("cannot read: {error}; {hint}"))
    }
}

/// `ELOOP` on Linux and the BSDs' value differs; only used to name the error kind.
#[cfg(target_os = "linux")]
const ELOOP: i32 = 40;
#[cfg(not(target_os = "linux"))]
const ELOOP: i32 = 62;

/// Settings for loading inputs.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LoadConfig {
    /// Files larger than this many bytes are listed as `too_large` instead of being read.
    pub max_bytes: u64,
    /// The file extensions a folder walk takes, without the dot, in any case; `*` takes every
    /// file and an empty entry files without an extension. Other files in a folder are skipped
    /// (neither read nor listed); a file named as an input is read whatever its extension.
    pub extensions: Vec<String>,
}

/// The extensions a folder walk takes unless told otherwise: plain text and JSON Lines, so that
/// notes, gold files and images kept beside a corpus are not read as documents.
pub const DEFAULT_EXTENSIONS: [&str; 3] = ["txt", "text", "jsonl"];

impl Default for LoadConfig {
    fn default() -> Self {
        Self {
            max_bytes: 1 << 30,
            extensions: DEFAULT_EXTENSIONS.map(String::from).to_vec(),
        }
    }
}

impl LoadConfig {
    /// Whether a folder walk takes the file at `path` (see [`LoadConfig::extensions`]).
    pub(crate) fn walk_takes(&self, path: &Path) -> bool {
        let extension = path
            .extension()
            .map_or(Some(""), |extension| extension.to_str());
        self.extensions.iter().any(|wanted| {
            wanted == "*"
                || extension.is_some_and(|extension| {
                    extension.eq_ignore_ascii_case(wanted.strip_prefix('.').unwrap_or(wanted))
                })
        })
    }
}

/// One thing to read, found by walking the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A regular file (plain text, or JSON Lines when it ends in `.jsonl`).
    File {
        /// Where it is.
        path: PathBuf,
        /// The id its document takes (a JSON Lines record's: `id:line` when it names none): the
        /// path relative to the folder it was found in, without the extension (`de/video` for
        /// `corpus/de/video.txt`), or the stem of a file named directly. Adding a file never
        /// renames another.
        id: String,
    },
    /// Standard input.
    Stdin,
}

/// Walks the inputs into the list of sources to read, in a stable order, plus the inputs that
/// could not even be listed (missing paths, link loops, the same file named twice). Folders give
/// the files of the default extensions ([`DEFAULT_EXTENSIONS`]).
pub fn discover(inputs: &[Input]) -> (Vec<Source>, Vec<InputError>) {
    discover_with(inputs, &LoadConfig::default())
}

/// [`discover`], with folders giving the files of `config.extensions`.
pub(crate) fn discover_with(
    inputs: &[Input],
    config: &LoadConfig,
) -> (Vec<Source>, Vec<InputError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<PathBuf, String> = HashMap::new();
    let mut stdin_seen = false;
    let mut push_file =
        |path: PathBuf, id: String, sources: &mut Vec<Source>, errors: &mut Vec<InputError>| {
            let display = display_path(&path);
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if let Some(first) = seen.get(&key) {
                errors.push(InputError::new(
                    display,
                    InputErrorKind::DuplicateInput,
                    format!("the same file was already given as {first}; it is analysed once"),
                ));
            } else {
                seen.insert(key, display);
                sources.push(Source::File { path, id });
            }
        };
    for input in inputs {
        let path = match input {
            Input::Stdin => {
                if stdin_seen {
                    errors.push(InputError::new(
                        "-",
                        InputErrorKind::DuplicateInput,
                        "standard input was named twice; it is read once",
                    ));
                } else {
                    stdin_seen = true;
                    sources.push(Source::Stdin);
                }
                continue;
            }
            Input::Path(path) => path,
        };
        let display = display_path(path);
        match std::fs::metadata(path) {
            Err(error) => errors.push(InputError::from_io(&display, &error)),
            Ok(meta) if meta.is_dir() => {
                let walker = walkdir::WalkDir::new(path)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
                for entry in walker {
                    match entry {
                        Ok(entry) if entry.file_type().is_dir() => {}
                        Ok(entry) if !config.walk_takes(entry.path()) => {}
                        Ok(entry) if !entry.file_type().is_file() => {
                            errors.push(not_a_file(&display_path(entry.path())));
                        }
                        Ok(entry) => {
                            let id = relative_id(path, entry.path());
                            push_file(entry.into_path(), id, &mut sources, &mut errors);
                        }
                        Err(error) => errors.push(walk_error(path, &error)),
                    }
                }
            }
            Ok(meta) if !meta.is_file() => errors.push(not_a_file(&display)),
            Ok(_) => push_file(path.clone(), stem(path), &mut sources, &mut errors),
        }
    }
    (sources, errors)
}

/// The id of a file found under `root`: its path relative to `root`, `/`-separated, without the
/// extension.
fn relative_id(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut parts: Vec<String> = relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .map(|part| display_path(Path::new(part.as_os_str())))
        .collect();
    parts.push(stem(relative));
    parts.join("/")
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|name| name.starts_with('.'))
}

fn walk_error(root: &Path, error: &walkdir::Error) -> InputError {
    let path = display_path(error.path().unwrap_or(root));
    if let Some(ancestor) = error.loop_ancestor() {
        return InputError::new(
            path,
            InputErrorKind::SymlinkLoop,
            format!(
                "symbolic link loops back to {}; it is skipped",
                ancestor.display()
            ),
        );
    }
    match error.io_error() {
        Some(io_error) => InputError::from_io(&path, io_error),
        None => InputError::new(path, InputErrorKind::Unreadable, error.to_string()),
    }
}

/// Reads one source into its documents (one, or one per JSON Lines record) and errors.
/// Ids are provisional (stems); [`assign_unique_ids`] makes them unique across the corpus.
pub fn load(source: &Source, config: &LoadConfig) -> Vec<Result<Document, InputError>> {
    match source {
        Source::Stdin => match read_limited(io::stdin().lock(), 0, config.max_bytes, "-") {
            Ok(bytes) => vec![document_from_bytes("stdin".into(), "-".into(), bytes)],
            Err(error) => vec![Err(error)],
        },
        Source::File { path, id } => {
            let display = display_path(path);
            match read_file(path, &display, config) {
                Err(error) => vec![Err(error)],
                Ok(bytes) if is_jsonl(path) => load_jsonl(id, &display, bytes),
                Ok(bytes) => vec![document_from_bytes(id.clone(), display, bytes)],
            }
        }
    }
}

/// A device, pipe or socket: opening it could block or never end, so it is not read.
fn not_a_file(display: &str) -> InputError {
    InputError::new(
        display,
        InputErrorKind::Unreadable,
        "not a regular file (device, pipe or socket); give a regular file or use - for standard input",
    )
}

fn read_file(path: &Path, display: &str, config: &LoadConfig) -> Result<Vec<u8>, InputError> {
    // Checked before opening: opening a named pipe blocks until someone writes to it.
    let meta = std::fs::metadata(path).map_err(|error| InputError::from_io(display, &error))?;
    if !meta.is_file() {
        return Err(not_a_file(display));
    }
    let file = std::fs::File::open(path).map_err(|error| InputError::from_io(display, &error))?;
    if meta.len() > config.max_bytes {
        return Err(too_large(display, config.max_bytes, Some(meta.len())));
    }
    read_limited(file, meta.len(), config.max_bytes, display)
}

/// How many leading bytes decide whether an input is binary before the rest is read, and on how
/// many the share of control characters is measured.
const SNIFF_BYTES: usize = 64 * 1024;

/// Reads at most `limit` bytes (`expected` is the size when known): the first 64 KiB, which end
/// the read when they show binary content, then the rest.
fn read_limited(
    reader: impl Read,
    expected: u64,
    limit: u64,
    display: &str,
) -> Result<Vec<u8>, InputError> {
    let io_error = |error: io::Error| InputError::from_io(display, &error);
    let mut reader = reader.take(limit.saturating_add(1));
    let mut bytes = Vec::with_capacity(expected.min(SNIFF_BYTES as u64) as usize);
    (&mut reader)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    // UTF-16 and UTF-32 hold NUL bytes; they are judged once decoded.
    if wide_encoding(&bytes).is_none() && looks_binary(&bytes) {
        let (kind, message) = binary_content();
        return Err(InputError::new(display, kind, message));
    }
    bytes.reserve(expected.min(limit).saturating_sub(bytes.len() as u64) as usize);
    reader.read_to_end(&mut bytes).map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(display, limit, None));
    }
    Ok(bytes)
}

/// An input over the size limit (`size` when it is known before reading).
fn too_large(display: &str, limit: u64, size: Option<u64>) -> InputError {
    let what = size.map_or_else(|| "the input".to_string(), |size| format!("{size} bytes"));
    InputError::new(
        display,
        InputErrorKind::TooLarge,
        format!("{what} is over the limit of {limit} bytes; split the file or raise the limit"),
    )
}

fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("jsonl"))
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .filter(|stem| !stem.is_empty())
        .unwrap_or_else(|| display_path(path))
}

/// One line of a JSON Lines input. The id is kept as written: a number such as
/// `12345678901234567890123` would lose digits as a float.
#[derive(Deserialize)]
struct Record {
    id: Option<Box<serde_json::value::RawValue>>,
    text: String,
}

impl Record {
    /// The id as the file writes it: a string's content, or a number's digits; `None` for a
    /// missing, null, blank or other id.
    fn id(&self) -> Option<String> {
        let raw = self.id.as_deref()?.get();
        let id = if raw.starts_with('"') {
            serde_json::from_str::<String>(raw).ok()?
        } else if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            raw.to_string()
        } else {
            return None;
        };
        (!id.trim().is_empty()).then_some(id)
    }
}

fn load_jsonl(file_id: &str, display: &str, bytes: Vec<u8>) -> Vec<Result<Document, InputError>> {
    let decoded = match decode(bytes) {
        Ok(decoded) => decoded,
        Err((kind, message)) => return vec![Err(InputError::new(display, kind, message))],
    };
    // The lines with their numbers and where they stand in the file, then each record read on
    // whichever thread is free (a large file's records are parsed in parallel, in file order).
    let mut lines = Vec::new();
    let mut line_start = 0;
    for (number, raw_line) in decoded.text.split_inclusive('\n').enumerate() {
        let line_span = line_start..line_start + raw_line.len();
        line_start = line_span.end;
        let line = raw_line.strip_suffix('\n').unwrap_or(raw_line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.trim().is_empty() {
            lines.push((number + 1, line_span, line));
        }
    }
    let mut out: Vec<Result<Document, InputError>> = lines
        .into_par_iter()
        .map(|(number, line_span, line)| {
            jsonl_record(file_id, display, &decoded, number, line_span, line)
        })
        .collect();
    if out.is_empty() {
        out.push(Err(InputError::new(
            display,
            InputErrorKind::Empty,
            "the JSON Lines file holds no records",
        )));
    }
    out
}

/// One record of a JSON Lines file: line `number` (counted from 1), `line` without its line end,
/// at `line_span` of the decoded file.
fn jsonl_record(
    file_id: &str,
    display: &str,
    decoded: &Decoded,
    number: usize,
    line_span: std::ops::Range<usize>,
    line: &str,
) -> Result<Document, InputError> {
    let location = format!("{display}:{number}");
    let at_line = |mut error: InputError| {
        error.record_line = Some(number);
        error
    };
    let record = match serde_json::from_str::<Record>(line) {
        Ok(record) => record,
        Err(error) => {
            return Err(at_line(InputError::new(
                location,
                InputErrorKind::InvalidRecord,
                format!("not a {{\"id\": ..., \"text\": ...}} record: {error}"),
            )));
        }
    };
    if looks_binary(record.text.as_bytes()) {
        return Err(at_line(InputError::new(
            location,
            InputErrorKind::Binary,
            "the record's text is binary (a NUL character or mostly control characters), not text; give plain text",
        )));
    }
    let id = record.id().unwrap_or_else(|| format!("{file_id}:{number}"));
    // The file's notes hold for every record; replacements only for the records on whose
    // line decoding made them.
    let mut warnings = decoded.warnings.clone();
    let replaced = decoded.replacements_in(line_span);
    let first_replacement = if replaced > 0 {
        warnings.push(format!(
            "invalid {} on line {number} of the file: {replaced} sequence(s) replaced by U+FFFD",
            decoded.encoding
        ));
        record.text.find('\u{FFFD}')
    } else {
        None
    };
    let record_text = Decoded {
        text: record.text,
        warnings,
        replacements: Vec::new(),
        encoding: decoded.encoding,
    };
    document_from_text(id, location, record_text)
        .map(|mut document| {
            document.record_line = Some(number);
            document.first_replacement = first_replacement;
            document
        })
        .map_err(at_line)
}

/// Decodes raw bytes into a document, or says why they are not text.
pub fn document_from_bytes(
    id: String,
    path: String,
    bytes: Vec<u8>,
) -> Result<Document, InputError> {
    match decode(bytes) {
        Ok(decoded) => document_from_text(id, path, decoded),
        Err((kind, message)) => Err(InputError::new(path, kind, message)),
    }
}

fn document_from_text(id: String, path: String, decoded: Decoded) -> Result<Document, InputError> {
    let warnings = decoded.all_warnings();
    let first_replacement = decoded.replacements.first().copied();
    let text = decoded.text;
    if text.chars().all(is_blank) {
        let message = if text.is_empty() {
            "the text is empty; nothing to analyse"
        } else {
            "the text holds only white space; nothing to analyse"
        };
        return Err(InputError::new(path, InputErrorKind::Empty, message));
    }
    Ok(Document {
        id,
        path,
        text,
        warnings,
        first_replacement,
        record_line: None,
    })
}

/// White space, including the invisible characters that web scrapes leave on "empty" lines.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

type DecodeError = (InputErrorKind, String);

/// Decoded text, what decoding had to say about it, and where it replaced invalid input.
struct Decoded {
    text: String,
    /// Notes that hold for all of the text (the encoding it was decoded from).
    warnings: Vec<String>,
    /// Byte offsets in `text` of every U+FFFD that decoding put in place of invalid input.
    replacements: Vec<usize>,
    /// The encoding the input was decoded from, as the replacement warning names it.
    encoding: &'static str,
}

impl Decoded {
    /// Text decoded from `encoding` with no notes.
    fn new(text: String, replacements: Vec<usize>, encoding: &'static str) -> Self {
        Self {
            text,
            warnings: Vec::new(),
            replacements,
            encoding,
        }
    }

    /// The notes, then how many sequences were replaced, when any were.
    fn all_warnings(&self) -> Vec<String> {
        let mut warnings = self.warnings.clone();
        if let Some(first) = self.replacements.first() {
            warnings.push(format!(
                "invalid {} from byte {first}: {} sequence(s) replaced by U+FFFD; offsets refer to the decoded text",
                self.encoding,
                self.replacements.len()
            ));
        }
        warnings
    }

    /// How many replacements decoding made in the byte range `span` of the text.
    fn replacements_in(&self, span: std::ops::Range<usize>) -> usize {
        let start = self.replacements.partition_point(|&at| at < span.start);
        let end = self.replacements.partition_point(|&at| at < span.end);
        end - start
    }
}

/// The encodings recognised by their byte-order mark (UTF-8's is only stripped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WideEncoding {
    Utf32Le,
    Utf32Be,
    Utf16Le,
    Utf16Be,
}

/// The wide encoding whose byte-order mark starts `bytes`. UTF-32's are looked for first: the
/// little-endian one starts with UTF-16's.
fn wide_encoding(bytes: &[u8]) -> Option<WideEncoding> {
    if bytes.starts_with(b"\xFF\xFE\0\0") {
        Some(WideEncoding::Utf32Le)
    } else if bytes.starts_with(b"\0\0\xFE\xFF") {
        Some(WideEncoding::Utf32Be)
    } else if bytes.starts_with(b"\xFF\xFE") {
        Some(WideEncoding::Utf16Le)
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some(WideEncoding::Utf16Be)
    } else {
        None
    }
}

/// Decodes bytes to text: BOM handling, UTF-16 and UTF-32, binary detection, lossy UTF-8 with a
/// warning.
fn decode(mut bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    let decoded = match wide_encoding(&bytes) {
        Some(WideEncoding::Utf32Le) => decode_utf32(&bytes[4..], u32::from_le_bytes),
        Some(WideEncoding::Utf32Be) => decode_utf32(&bytes[4..], u32::from_be_bytes),
        Some(WideEncoding::Utf16Le) => decode_utf16(&bytes[2..], u16::from_le_bytes),
        Some(WideEncoding::Utf16Be) => decode_utf16(&bytes[2..], u16::from_be_bytes),
        None => {
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            if looks_binary(&bytes) {
                return Err(binary_content());
            }
            return Ok(decode_utf8(bytes));
        }
    };
    if looks_binary(decoded.text.as_bytes()) {
        return Err(binary_content());
    }
    Ok(decoded)
}

/// Why binary content is not analysed.
fn binary_content() -> DecodeError {
    (
        InputErrorKind::Binary,
        "binary content (NUL bytes or control characters), not text; give plain-text files".into(),
    )
}

/// UTF-8, with each invalid sequence replaced by U+FFFD.
fn decode_utf8(bytes: Vec<u8>) -> Decoded {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Decoded::new(text, Vec::new(), "UTF-8"),
        Err(error) => error.into_bytes(),
    };
    let mut text = String::with_capacity(bytes.len());
    let mut replacements = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            replacements.push(text.len());
            text.push('\u{FFFD}');
        }
    }
    Decoded::new(text, replacements, "UTF-8")
}

fn decode_utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> Decoded {
    let (pairs, odd_byte) = bytes.as_chunks::<2>();
    let units = pairs.iter().map(|pair| to_unit(*pair));
    let characters = char::decode_utf16(units).map(Result::ok);
    // An odd last byte is half a unit: it is replaced too.
    let trailing = (!odd_byte.is_empty()).then_some(None);
    let (text, replacements) = collect_replacing(characters.chain(trailing), bytes.len());
    decoded_wide(text, replacements, "UTF-16")
}

fn decode_utf32(bytes: &[u8], to_scalar: fn([u8; 4]) -> u32) -> Decoded {
    let (quads, partial) = bytes.as_chunks::<4>();
    let characters = quads.iter().map(|quad| char::from_u32(to_scalar(*quad)));
    // A partial last unit is replaced too.
    let trailing = (!partial.is_empty()).then_some(None);
    let (text, replacements) = collect_replacing(characters.chain(trailing), bytes.len() / 2);
    decoded_wide(text, replacements, "UTF-32")
}

/// Text from `encoding` with the note that offsets refer to its UTF-8 form.
fn decoded_wide(text: String, replacements: Vec<usize>, encoding: &'static str) -> Decoded {
    Decoded {
        warnings: vec![format!(
            "decoded from {encoding}; offsets refer to the UTF-8 text"
        )],
        ..Decoded::new(text, replacements, encoding)
    }
}

/// The characters as text, with U+FFFD for each `None`, and the offsets of those.
fn collect_replacing(
    characters: impl Iterator<Item = Option<char>>,
    capacity: usize,
) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(capacity);
    let mut replacements = Vec::new();
    for character in characters {
        if character.is_none() {
            replacements.push(text.len());
        }
        text.push(character.unwrap_or('\u{FFFD}'));
    }
    (text, replacements)
}

/// The binary rule: a NUL byte anywhere, or more than 10% control characters in the first 64 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    controls * 10 > head.len()
}

/// An id without its trailing `~<digits>` groups (`a~2~3` and `a` have the stem `a`).
/// [`assign_unique_ids`] makes a repeated id `{id}~{n}`, of the same stem, and checks it only
/// against ids equal to it: documents cut into parts by stem, each part in load order, get from
/// it part by part the ids they get from it all at once.
pub fn id_stem(id: &str) -> &str {
    let mut stem = id;
    while let Some((head, digits)) = stem.rsplit_once('~') {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        stem = head;
    }
    stem
}

/// Makes ids unique in load order: the first keeps its id, later ones get `~2`, `~3`… and a warning.
pub fn assign_unique_ids<'a>(documents: impl IntoIterator<Item = &'a mut Document>) {
    let mut documents: Vec<&mut Document> = documents.into_iter().collect();
    let mut used: HashSet<String> = documents.iter().map(|d| d.id.clone()).collect();
    let mut first_path: HashMap<String, String> = HashMap::new();
    for document in documents.iter_mut() {
        match first_path.get(&document.id) {
            None => {
                first_path.insert(document.id.clone(), document.path.clone());
            }
            Some(first) => {
                let base = document.id.clone();
                let mut n = 2;
                while used.contains(&format!("{base}~{n}")) {
                    n += 1;
                }
                document.id = format!("{base}~{n}");
                used.insert(document.id.clone());
                document.warnings.push(format!(
                    "id '{base}' is already used by {first}; this document is '{}'",
                    document.id
                ));
                first_path.insert(document.id.clone(), document.path.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Result<(String, Vec<String>), DecodeError> {
        decode(bytes.to_vec()).map(|decoded| {
            let warnings = decoded.all_warnings();
            (decoded.text, warnings)
        })
    }

    #[test]
    fn error_kind_names_match_the_report() {
        for kind in [
            InputErrorKind::NotFound,
            InputErrorKind::TooLarge,
            InputErrorKind::SymlinkLoop,
            InputErrorKind::DuplicateInput,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(InputErrorKind::InvalidRecord.as_str(), "invalid_record");
    }

    #[test]
    fn strips_utf8_bom() {
        let (text, warnings) = decoded(b"\xEF\xBB\xBFHello").unwrap();
        assert_eq!(text, "Hello");
        assert!(warnings.is_empty());
    }

    #[test]
    fn decodes_utf16_both_orders() {
        let le: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain("Hej då".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let be: Vec<u8> = b"\xFE\xFF"
            .iter()
            .copied()
            .chain("Hej då".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decoded(&le).unwrap().0, "Hej då");
        assert_eq!(decoded(&be).unwrap().0, "Hej då");
    }

    #[test]
    fn invalid_utf8_is_replaced_with_a_warning() {
        let (text, warnings) = decoded(b"caf\xE9 au lait").unwrap();
        assert_eq!(text, "caf\u{FFFD} au lait");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("byte 3"), "{warnings:?}");
    }

    #[test]
    fn binary_is_rejected() {
        let error = decoded(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert_eq!(error.0, InputErrorKind::Binary);
        let controls: Vec<u8> = (0..100u8).map(|i| i % 8).collect();
        assert_eq!(decoded(&controls).unwrap_err().0, InputErrorKind::Binary);
    }

    #[test]
    fn blank_text_is_empty() {
        let error =
            document_from_bytes("x".into(), "x".into(), b" \n\t\xC2\xA0\n".to_vec()).unwrap_err();
        assert_eq!(error.kind, InputErrorKind::Empty);
    }

    #[test]
    fn duplicate_ids_get_suffixes() {
        let doc = |id: &str, path: &str| Document {
            id: id.into(),
            path: path.into(),
            text: "x".into(),
            warnings: vec![],
            first_replacement: None,
            record_line: None,
        };
        let mut docs = [
            doc("a", "1/a.txt"),
            doc("a", "2/a.txt"),
            doc("a~2", "a~2.txt"),
        ];
        assign_unique_ids(docs.iter_mut());
        let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "a~3", "a~2"]);
        assert!(docs[1].warnings[0].contains("1/a.txt"));
    }

    /// `ids` made unique all at once, and part by part after a cut by [`id_stem`] into `parts`
    /// (each part in load order): the same ids and warnings.
    fn unique_ids_all_at_once_and_by_stem(ids: &[String], parts: usize) {
        let doc = |(number, id): (usize, &String)| Document {
            id: id.clone(),
            path: format!("{number}.txt"),
            text: String::new(),
            warnings: vec![],
            first_replacement: None,
            record_line: None,
        };
        let mut whole: Vec<Document> = ids.iter().enumerate().map(doc).collect();
        assign_unique_ids(whole.iter_mut());
        let mut cut: Vec<Document> = ids.iter().enumerate().map(doc).collect();
        let part = |d: &Document| id_stem(&d.id).len() % parts;
        for k in 0..parts {
            assign_unique_ids(cut.iter_mut().filter(|d| part(d) == k));
        }
        let made = |docs: &[Document]| -> Vec<(String, Vec<String>)> {
            docs.iter()
                .map(|d| (d.id.clone(), d.warnings.clone()))
                .collect()
        };
        assert_eq!(made(&whole), made(&cut), "{ids:?} in {parts} part(s)");
    }

    #[test]
    fn ids_cut_by_stem_are_made_unique_as_all_at_once() {
        assert_eq!(id_stem("a~2~3"), "a");
        assert_eq!(id_stem("a~"), "a~");
        assert_eq!(id_stem("a~x~2"), "a~x");
        assert_eq!(id_stem("~2"), "");
        let ids: Vec<String> = [
            "a", "a", "a~2", "a~2", "b~3", "b", "b", "b~3", "a~2~2", "x~", "x~",
        ]
        .map(String::from)
        .to_vec();
        for parts in [1, 2, 3] {
            unique_ids_all_at_once_and_by_stem(&ids, parts);
        }
    }

    proptest::proptest! {
        #[test]
        fn ids_cut_by_stem_match_in_any_corpus(
            ids in proptest::collection::vec("[ab]{1,2}(~[23]){0,2}~?", 0..24),
            parts in 1usize..4,
        ) {
            unique_ids_all_at_once_and_by_stem(&ids, parts);
        }
    }

    #[test]
    fn jsonl_records_and_bad_lines() {
        let bytes =
            b"{\"id\": \"one\", \"text\": \"Hello there\"}\nnot json\n\n{\"text\": \"no id\"}\n";
        let results = load_jsonl("x", "x.jsonl", bytes.to_vec());
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].as_ref().unwrap().id, "one");
        let error = results[1].as_ref().unwrap_err();
        assert_eq!(error.kind, InputErrorKind::InvalidRecord);
        assert_eq!(error.path, "x.jsonl:2");
        assert_eq!(results[2].as_ref().unwrap().id, "x:4");
        assert_eq!(results[2].as_ref().unwrap().file_and_line(), ("x.jsonl", 4));
    }

    #[test]
    fn invalid_utf8_marks_where_the_replacement_starts() {
        let decoded = decode(b"caf\xE9 au lait".to_vec()).unwrap();
        assert_eq!(decoded.replacements, [3]);
        assert!(decode(b"clean".to_vec()).unwrap().replacements.is_empty());
    }

    /// A reader that fails if read: stands for the part of a file that must not be read.
    struct MustNotBeRead;

    impl Read for MustNotBeRead {
        fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("read past the first 64 KiB"))
        }
    }

    #[test]
    fn a_binary_head_ends_the_read_before_the_rest() {
        let head = io::Cursor::new(vec![0u8; SNIFF_BYTES]);
        let error =
            read_limited(head.chain(MustNotBeRead), 1 << 30, 1 << 30, "big.bin").unwrap_err();
        assert_eq!(error.kind, InputErrorKind::Binary, "{error}");
        let text = io::Cursor::new(b"Plain text ".repeat(10_000));
        let bytes = read_limited(text, 0, 1 << 30, "text.txt").unwrap();
        assert_eq!(bytes.len(), 110_000);
        let error = read_limited(io::Cursor::new(vec![b'a'; 11]), 0, 10, "-").unwrap_err();
        assert_eq!(error.kind, InputErrorKind::TooLarge);
    }

    #[test]
    fn a_nul_after_the_first_64_kib_is_binary() {
        let mut bytes = b"Mentors listen. ".repeat(SNIFF_BYTES / 16 + 100);
        bytes.extend_from_slice(b"\0 and more text");
        assert_eq!(decoded(&bytes).unwrap_err().0, InputErrorKind::Binary);
    }

    #[test]
    fn jsonl_text_with_nul_or_mostly_controls_is_binary() {
        let bytes = b"{\"id\": \"a\", \"text\": \"Hello\\u0000there\"}\n\
                      {\"id\": \"b\", \"text\": \"\\u0001\\u0002\\u0003\\u0004abc\"}\n\
                      {\"id\": \"c\", \"text\": \"Plain text\"}\n";
        let results = load_jsonl("x", "x.jsonl", bytes.to_vec());
        for (line, result) in results[..2].iter().enumerate() {
            let error = result.as_ref().unwrap_err();
            assert_eq!(error.kind, InputErrorKind::Binary, "{error}");
            assert_eq!(error.file_and_line(), ("x.jsonl", line + 1));
        }
        assert_eq!(results[2].as_ref().unwrap().id, "c");
    }

    #[test]
    fn jsonl_records_keep_the_decoding_warnings_of_their_line() {
        let bytes = b"{\"id\": \"a\", \"text\": \"caf\xE9 au lait\"}\n\
                      {\"id\": \"b\", \"text\": \"clean text\"}\n\
                      {\"id\": \"c\xE9\", \"text\": \"clean text\"}\n";
        let results = load_jsonl("x", "x.jsonl", bytes.to_vec());
        let documents: Vec<&Document> = results.iter().map(|r| r.as_ref().unwrap()).collect();
        assert_eq!(documents[0].first_replacement, Some(3));
        assert!(
            documents[0].warnings[0].contains("line 1"),
            "{:?}",
            documents[0].warnings
        );
        assert!(
            documents[1].warnings.is_empty(),
            "{:?}",
            documents[1].warnings
        );
        // The bad byte is in the id: the text is clean, the warning stays.
        assert_eq!(documents[2].first_replacement, None);
        assert!(documents[2].warnings[0].contains("invalid UTF-8 on line 3"));

        let utf16: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain(
                "{\"text\": \"Hej då\"}\n"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        let results = load_jsonl("x", "x.jsonl", utf16);
        let document = results[0].as_ref().unwrap();
        assert_eq!(document.text, "Hej då");
        assert!(document.warnings[0].contains("decoded from UTF-16"));
    }

    #[test]
    fn an_odd_last_utf16_byte_is_replaced_in_the_text() {
        let mut bytes: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain("Hej".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        bytes.push(b'!');
        let decoded = decode(bytes).unwrap();
        assert_eq!(decoded.text, "Hej\u{FFFD}");
        assert_eq!(decoded.replacements, [3]);
        assert!(decoded.all_warnings()[1].contains("1 sequence(s)"));
    }

    #[test]
    fn decodes_utf32_both_orders() {
        let text = "Hej då ✓ 🌱";
        let le: Vec<u8> = b"\xFF\xFE\0\0"
            .iter()
            .copied()
            .chain(text.chars().flat_map(|c| u32::from(c).to_le_bytes()))
            .collect();
        let be: Vec<u8> = b"\0\0\xFE\xFF"
            .iter()
            .copied()
            .chain(text.chars().flat_map(|c| u32::from(c).to_be_bytes()))
            .collect();
        for bytes in [le, be] {
            let (decoded, warnings) = decoded(&bytes).unwrap();
            assert_eq!(decoded, text);
            assert_eq!(
                warnings,
                ["decoded from UTF-32; offsets refer to the UTF-8 text"]
            );
        }
        // A surrogate is not a character.
        let invalid = b"\xFF\xFE\0\0A\0\0\0\x00\xD8\0\0";
        assert_eq!(decoded(invalid).unwrap().0, "A\u{FFFD}");
    }

    #[test]
    fn jsonl_ids_are_kept_as_written() {
        let bytes = b"{\"id\": 12345678901234567890123, \"text\": \"one\"}\n\
                      {\"id\": 1.50, \"text\": \"two\"}\n\
                      {\"id\": \"x\\u00e9\", \"text\": \"three\"}\n\
                      {\"id\": true, \"text\": \"four\"}\n\
                      {\"id\": \" \", \"text\": \"five\"}\n\
                      {\"id\": null, \"text\": \"six\"}\n";
        let results = load_jsonl("x", "x.jsonl", bytes.to_vec());
        let ids: Vec<&str> = results
            .iter()
            .map(|r| r.as_ref().unwrap().id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["12345678901234567890123", "1.50", "xé", "x:4", "x:5", "x:6"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_show_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let latin1 = Path::new(std::ffi::OsStr::from_bytes(b"caf\xE9.txt"));
        let other = Path::new(std::ffi::OsStr::from_bytes(b"caf\xE8.txt"));
        assert_eq!(display_path(latin1), "caf\\xE9.txt");
        assert_ne!(display_path(latin1), display_path(other));
        assert_eq!(display_path(Path::new("ok.txt")), "ok.txt");
    }
}
