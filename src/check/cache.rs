//! The per-document cache of corpus fingerprints, so a CI run on a large corpus analyses only what
//! changed.
//!
//! One JSON file per document, named by the hash of its decoded text (XXH3-128), inside a folder
//! per tool version and settings (`v<format>-<fingerprint>`): a new build or other settings start
//! a fresh folder and never read stale entries. An entry also carries its own key and the text
//! hash, and is trusted only if both match and its fingerprint is well formed; a corrupt or foreign
//! entry is recomputed and rewritten (atomically, so readers never see half an entry).

use crate::align::group::Fingerprint;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bumped when the entry layout changes.
const FORMAT: u32 = 2;

/// A cached corpus document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The key it was stored under: the hash of the text.
    pub key: String,
    /// The document's language (ISO 639-1 or `und`).
    pub language: String,
    /// Its fingerprint.
    pub fingerprint: Fingerprint,
}

/// What a lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// A valid entry.
    Hit,
    /// No entry.
    Miss,
    /// An entry that was corrupt or did not match; it will be rewritten.
    Rejected,
    /// No cache in use.
    Disabled,
}

/// A cache folder for one tool version and one set of settings.
#[derive(Debug, Clone)]
pub struct Cache {
    folder: PathBuf,
}

fn key_of(text: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

impl Cache {
    /// The cache under `root` for a pipeline whose settings fingerprint is `config`.
    pub fn new(root: &Path, config: &str) -> Self {
        Self {
            folder: root.join(format!("v{FORMAT}-{config}")),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.folder.join(format!("{key}.json"))
    }

    /// The valid entry for a text, if there is one.
    pub fn get(&self, text: &str) -> (Option<Entry>, Lookup) {
        let key = key_of(text);
        let Ok(bytes) = std::fs::read(self.path(&key)) else {
            return (None, Lookup::Miss);
        };
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry)
                if entry.key == key
                    && entry.fingerprint.is_well_formed()
                    && entry.fingerprint.text_hash() == crate::align::group::text_hash(text) =>
            {
                (Some(entry), Lookup::Hit)
            }
            _ => (None, Lookup::Rejected),
        }
    }

    /// Stores an entry; a cache that cannot be written only costs time, so failures are ignored.
    pub fn put(&self, text: &str, language: &str, fingerprint: &Fingerprint) {
        let key = key_of(text);
        let entry = Entry {
            key: key.clone(),
            language: language.to_string(),
            fingerprint: fingerprint.clone(),
        };
        if std::fs::create_dir_all(&self.folder).is_ok() {
            let _ = crate::report::write_atomically(&self.path(&key), |out| {
                serde_json::to_writer(&mut *out, &entry).map_err(std::io::Error::other)
            });
        }
    }
}
