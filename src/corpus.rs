//! Inputs: turns paths, folders, JSON Lines files and standard input into decoded [`Document`]s.
//!
//! Loading is the only stage that touches the file system. It never aborts a run: every input either
//! becomes a `Document` or an [`InputError`] that names the path, a machine-readable kind and a message
//! a person can act on. Decoding rules: a UTF-8 byte-order mark is stripped, UTF-16 with a byte-order
//! mark is decoded, invalid UTF-8 is decoded with U+FFFD replacement characters and a warning, files
//! with NUL bytes or mostly control characters are rejected as binary, and empty or whitespace-only
//! texts are rejected as empty.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One input as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a folder (walked recursively in sorted order; hidden entries are skipped).
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
    pub fn file_and_line(&self) -> (&str, usize) {
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
pub fn display_path(path: &Path) -> String {
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
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
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
        match self {
            Self::NotFound => "not_found",
            Self::Unreadable => "unreadable",
            Self::Binary => "binary",
            Self::Empty => "empty",
            Self::TooLarge => "too_large",
            Self::InvalidRecord => "invalid_record",
            Self::SymlinkLoop => "symlink_loop",
            Self::DuplicateInput => "duplicate_input",
        }
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
}

impl Default for LoadConfig {
    fn default() -> Self {
        Self { max_bytes: 1 << 30 }
    }
}

/// One thing to read, found by walking the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A regular file (plain text, or JSON Lines when it ends in `.jsonl`).
    File(PathBuf),
    /// Standard input.
    Stdin,
}

/// Walks the inputs into the list of sources to read, in a stable order, plus the inputs that
/// could not even be listed (missing paths, link loops, the same file named twice).
pub fn discover(inputs: &[Input]) -> (Vec<Source>, Vec<InputError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<PathBuf, String> = HashMap::new();
    let mut stdin_seen = false;
    let mut push_file = |path: PathBuf, sources: &mut Vec<Source>, errors: &mut Vec<InputError>| {
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
            sources.push(Source::File(path));
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
                        Ok(entry) if !entry.file_type().is_file() => {
                            errors.push(not_a_file(&display_path(entry.path())));
                        }
                        Ok(entry) => push_file(entry.into_path(), &mut sources, &mut errors),
                        Err(error) => errors.push(walk_error(path, &error)),
                    }
                }
            }
            Ok(meta) if !meta.is_file() => errors.push(not_a_file(&display)),
            Ok(_) => push_file(path.clone(), &mut sources, &mut errors),
        }
    }
    (sources, errors)
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
        Source::Stdin => {
            // Read through a `max_bytes + 1` window: standard input has no size to check first.
            let mut bytes = Vec::new();
            match io::stdin()
                .lock()
                .take(config.max_bytes + 1)
                .read_to_end(&mut bytes)
            {
                Ok(read) if read as u64 > config.max_bytes => {
                    vec![Err(too_large("-", config.max_bytes, None))]
                }
                Ok(_) => vec![document_from_bytes("stdin".into(), "-".into(), bytes)],
                Err(error) => vec![Err(InputError::from_io("-", &error))],
            }
        }
        Source::File(path) => {
            let display = display_path(path);
            match read_file(path, &display, config) {
                Err(error) => vec![Err(error)],
                Ok(bytes) if is_jsonl(path) => load_jsonl(path, &display, bytes),
                Ok(bytes) => vec![document_from_bytes(stem(path), display, bytes)],
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
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    let mut reader = file.take(config.max_bytes + 1);
    reader
        .read_to_end(&mut bytes)
        .map_err(|error| InputError::from_io(display, &error))?;
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

/// One line of a JSON Lines input.
#[derive(Deserialize)]
struct Record {
    id: Option<serde_json::Value>,
    text: String,
}

fn load_jsonl(path: &Path, display: &str, bytes: Vec<u8>) -> Vec<Result<Document, InputError>> {
    let decoded = match decode(bytes) {
        Ok(decoded) => decoded,
        Err((kind, message)) => return vec![Err(InputError::new(display, kind, message))],
    };
    let text = decoded.text;
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, line)| (i + 1, line)) {
        if line.trim().is_empty() {
            continue;
        }
        let location = format!("{display}:{number}");
        let record = match serde_json::from_str::<Record>(line) {
            Ok(record) => record,
            Err(error) => {
                let mut error = InputError::new(
                    location,
                    InputErrorKind::InvalidRecord,
                    format!("not a {{\"id\": ..., \"text\": ...}} record: {error}"),
                );
                error.record_line = Some(number);
                out.push(Err(error));
                continue;
            }
        };
        let id = match record.id {
            Some(serde_json::Value::String(id)) if !id.trim().is_empty() => id,
            Some(serde_json::Value::Number(id)) => id.to_string(),
            _ => format!("{}:{number}", stem(path)),
        };
        // Replacement characters in a record come from the file's decoding only when it had any.
        let first_replacement = decoded
            .first_replacement
            .and_then(|_| record.text.find('\u{FFFD}'));
        let mut warnings = Vec::new();
        if first_replacement.is_some() {
            warnings.extend(decoded.warnings.iter().cloned());
        }
        let document = Decoded {
            text: record.text,
            warnings,
            first_replacement,
        };
        out.push(
            document_from_text(id, location, document)
                .map(|mut document| {
                    document.record_line = Some(number);
                    document
                })
                .map_err(|mut error| {
                    error.record_line = Some(number);
                    error
                }),
        );
    }
    if out.is_empty() {
        out.push(Err(InputError::new(
            display,
            InputErrorKind::Empty,
            "the JSON Lines file holds no records",
        )));
    }
    out
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
    let Decoded {
        text,
        warnings,
        first_replacement,
    } = decoded;
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

/// Decoded text, what decoding had to say about it, and where it first replaced invalid input.
struct Decoded {
    text: String,
    warnings: Vec<String>,
    first_replacement: Option<usize>,
}

/// Decodes bytes to text: BOM handling, UTF-16, binary detection, lossy UTF-8 with a warning.
fn decode(mut bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if looks_binary(&bytes) {
        return Err((
            InputErrorKind::Binary,
            "binary content (NUL bytes or control characters), not text; give plain-text files"
                .into(),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            warnings: Vec::new(),
            first_replacement: None,
        }),
        Err(error) => {
            let first_bad = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let replaced = text[first_bad..].matches('\u{FFFD}').count();
            Ok(Decoded {
                text,
                warnings: vec![format!(
                    "invalid UTF-8 from byte {first_bad}: {replaced} sequence(s) replaced by U+FFFD; offsets refer to the decoded text"
                )],
                // The text before the first bad byte is the input's own.
                first_replacement: Some(first_bad),
            })
        }
    }
}

fn decode_utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> Result<Decoded, DecodeError> {
    let mut warnings = vec!["decoded from UTF-16; offsets refer to the UTF-8 text".to_string()];
    let units = bytes
        .chunks_exact(2)
        .map(|pair| to_unit([pair[0], pair[1]]));
    let mut replaced = 0usize;
    let mut first_replacement = None;
    let mut text = String::with_capacity(bytes.len());
    for unit in char::decode_utf16(units) {
        let c = unit.unwrap_or_else(|_| {
            replaced += 1;
            first_replacement.get_or_insert(text.len());
            '\u{FFFD}'
        });
        text.push(c);
    }
    if bytes.len() % 2 == 1 {
        replaced += 1;
    }
    if replaced > 0 {
        warnings.push(format!(
            "invalid UTF-16: {replaced} unit(s) replaced by U+FFFD"
        ));
    }
    if text.contains('\0') {
        return Err((
            InputErrorKind::Binary,
            "binary content (NUL characters) in UTF-16 text".into(),
        ));
    }
    Ok(Decoded {
        text,
        warnings,
        first_replacement,
    })
}

/// A NUL byte, or more than 10% control characters, in the first 64 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    controls * 10 > head.len()
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
        decode(bytes.to_vec()).map(|decoded| (decoded.text, decoded.warnings))
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

    #[test]
    fn jsonl_records_and_bad_lines() {
        let bytes =
            b"{\"id\": \"one\", \"text\": \"Hello there\"}\nnot json\n\n{\"text\": \"no id\"}\n";
        let results = load_jsonl(Path::new("x.jsonl"), "x.jsonl", bytes.to_vec());
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
        assert_eq!(decoded.first_replacement, Some(3));
        assert_eq!(decode(b"clean".to_vec()).unwrap().first_replacement, None);
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
