//! The corpus fingerprint index: one JSON Lines file holding the fingerprint of every document of
//! an analysed corpus, written by `analyze --index FILE` or a cluster run (`dist assemble
//! --index FILE`), that `check --against-index FILE` reads so that CI does not fingerprint a large
//! corpus again.
//!
//! The first line names the tool version and settings the fingerprints were made with
//! ([`crate::Pipeline::config_fingerprint`]); an index of other settings is refused as a whole.
//! Each further line holds one document: its path (for a person reading the file), the XXH3-128
//! of its text (the key a corpus document is looked up by, as the cache keys its entries) and its
//! fingerprint. A document whose text is not in the index is fingerprinted as usual.

use super::CheckError;
use crate::AnalysedDocument;
use crate::align::group::{Fingerprint, GroupConfig, fingerprint};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

/// What the first line says a file is.
const KIND: &str = "mentorlens corpus fingerprints";
/// Bumped when the layout changes, or what a fingerprint holds (2: one-permutation sketches).
const LAYOUT: u32 = 2;

/// The first line of an index.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    index: String,
    layout: u32,
    /// Tool version and settings the fingerprints were made with.
    settings: String,
    documents: usize,
}

/// One document of an index.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    key: String,
    fingerprint: Fingerprint,
}

/// The key of a text: its XXH3-128, in hex.
fn key_of(text: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// Writes the index of `documents` (analysed under `settings`) to `out`, one line per document in
/// their order.
pub fn write_index(
    out: &mut dyn Write,
    settings: &crate::Settings,
    documents: &[AnalysedDocument],
) -> std::io::Result<()> {
    write_index_header(out, settings, documents.len())?;
    let lines: Vec<Vec<u8>> = documents
        .par_iter()
        .map(|document| {
            let fingerprint = fingerprint(&document.grouped(), &settings.stages.group);
            index_line(
                &document.document.path,
                &document.document.text,
                &fingerprint,
            )
        })
        .collect();
    for line in lines {
        out.write_all(&line)?;
    }
    Ok(())
}

/// The first line of the index of `documents` documents analysed under `settings`.
pub(crate) fn write_index_header(
    out: &mut dyn Write,
    settings: &crate::Settings,
    documents: usize,
) -> std::io::Result<()> {
    let header = Header {
        index: KIND.to_string(),
        layout: LAYOUT,
        settings: settings.fingerprint.clone(),
        documents,
    };
    serde_json::to_writer(&mut *out, &header)?;
    out.write_all(b"\n")
}

/// The line in the index of the document at `path` with `text` and `fingerprint`, with its
/// newline.
pub(crate) fn index_line(path: &str, text: &str, fingerprint: &Fingerprint) -> Vec<u8> {
    let entry = Entry {
        path: path.to_string(),
        key: key_of(text),
        fingerprint: fingerprint.clone(),
    };
    // Writing to a vector fails only when serialization does, which these types never do.
    let mut line = serde_json::to_vec(&entry).unwrap_or_default();
    line.push(b'\n');
    line
}

/// An index read back: fingerprints by the key of their text.
#[derive(Debug, Default)]
pub struct StoredIndex {
    by_key: HashMap<String, Fingerprint>,
}

impl StoredIndex {
    /// Reads the index at `path`; refuses a file that is not an index, or one made with other
    /// settings or another tool version than `settings`, or holding fingerprints of another shape
    /// than `group` makes.
    pub fn read(path: &Path, settings: &str, group: &GroupConfig) -> Result<Self, CheckError> {
        let failure = |message: String| CheckError::Index(format!("{}: {message}", path.display()));
        let file = std::fs::File::open(path).map_err(|error| failure(error.to_string()))?;
        let mut lines = std::io::BufReader::new(file).lines();
        let header: Header = lines
            .next()
            .ok_or_else(|| failure("empty".into()))?
            .map_err(|error| failure(error.to_string()))
            .and_then(|line| {
                serde_json::from_str(&line).map_err(|_| {
                    failure(format!(
                        "not a corpus fingerprint index (write one with `analyze --index {}`)",
                        path.display()
                    ))
                })
            })?;
        if header.index != KIND || header.layout != LAYOUT {
            return Err(failure(format!(
                "an index of layout {} ({}); this build reads layout {LAYOUT}: write it again",
                header.layout, header.index
            )));
        }
        if header.settings != settings {
            return Err(failure(format!(
                "made with other settings or another tool version ({}; these are {settings}): \
                 write it again with the settings of this check",
                header.settings
            )));
        }
        let mut by_key = HashMap::with_capacity(header.documents);
        let mut entries = 0;
        for (number, line) in lines.enumerate() {
            let line = line.map_err(|error| failure(error.to_string()))?;
            let entry: Entry = serde_json::from_str(&line)
                .map_err(|error| failure(format!("line {}: {error}", number + 2)))?;
            if !entry.fingerprint.is_well_formed(group) {
                return Err(failure(format!(
                    "line {}: a fingerprint of another shape than this build makes",
                    number + 2
                )));
            }
            by_key.insert(entry.key, entry.fingerprint);
            entries += 1;
        }
        if entries != header.documents {
            return Err(failure(format!(
                "holds {entries} documents, its first line says {} (cut short?): write it again",
                header.documents
            )));
        }
        Ok(Self { by_key })
    }

    /// The fingerprint of `text` when the index holds it (the same text under any path).
    pub fn get(&self, text: &str) -> Option<&Fingerprint> {
        self.by_key.get(&key_of(text))
    }
}
