//! The per-document cache of corpus fingerprints, so a CI run on a large corpus analyses only what
//! changed.
//!
//! One JSON file per document, named by the hash of its decoded text (XXH3-128), inside a folder
//! per tool version and settings (`v<format>-<fingerprint>`): a new build or other settings start
//! a fresh folder and never read stale entries.
//!
//! The cache is an optimisation that must never change a finding, so an entry is verified in full
//! before it is used: it is opened without following a link, only as a regular file of at most
//! [`ENTRY_LIMIT`] bytes and without blocking (a named pipe is refused); it must parse with no
//! unknown field; a checksum over its whole body must match; its key and text hash must be those
//! of the text; its language must be a known code and the one its fingerprint was made for; and
//! the fingerprint must have the shape this build makes. Anything else is recomputed and replaced
//! (atomically, so readers never see half an entry). The checksum guards against corruption and
//! truncation; whoever can write the cache folder on purpose can also write the corpus itself.

use crate::align::group::{Fingerprint, GroupConfig};
use crate::files::{Links, read_regular_file};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bumped when the entry layout changes, or what a fingerprint holds (5: sounds of names; 6:
/// sketches and text hashes by xxh3; 7: length steps of the opening paragraphs; 8: one-permutation
/// sketches).
const FORMAT: u32 = 8;

/// The largest cache entry read (a fingerprint is a few kilobytes).
pub const ENTRY_LIMIT: u64 = 1 << 20;

/// An entry as stored: the body and a checksum over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredEntry {
    /// The key it was stored under: the hash of the text.
    key: String,
    /// The document's language (ISO 639-1 or `und`).
    language: String,
    /// Its fingerprint.
    fingerprint: Fingerprint,
    /// XXH3-128 of the other fields serialised as JSON.
    checksum: String,
}

/// What the checksum covers: every field but the checksum.
#[derive(Serialize)]
struct Body<'a> {
    key: &'a str,
    language: &'a str,
    fingerprint: &'a Fingerprint,
}

impl Body<'_> {
    fn checksum(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes))
    }
}

impl StoredEntry {
    fn body(&self) -> Body<'_> {
        Body {
            key: &self.key,
            language: &self.language,
            fingerprint: &self.fingerprint,
        }
    }
}

/// A verified cache entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
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
    group: GroupConfig,
}

fn key_of(text: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// Whether `code` is a language code as this build writes it: `und` or a known ISO 639-1 code.
fn is_language_code(code: &str) -> bool {
    code == "und" || crate::lang::Language::parse(code).map(|l| l.code()) == Some(code)
}

impl Cache {
    /// The cache under `root` for a pipeline whose settings fingerprint is `config`, grouping
    /// under `group`.
    pub fn new(root: &Path, config: &str, group: &GroupConfig) -> Self {
        Self {
            folder: root.join(format!("v{FORMAT}-{config}")),
            group: group.clone(),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.folder.join(format!("{key}.json"))
    }

    /// The valid entry for a text, if there is one.
    pub fn get(&self, text: &str) -> (Option<Entry>, Lookup) {
        let key = key_of(text);
        let bytes = match read_regular_file(&self.path(&key), ENTRY_LIMIT, Links::Refuse) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return (None, Lookup::Miss);
            }
            Err(_) => return (None, Lookup::Rejected),
        };
        match serde_json::from_slice::<StoredEntry>(&bytes) {
            Ok(stored)
                if stored.checksum == stored.body().checksum()
                    && stored.key == key
                    && is_language_code(&stored.language)
                    && stored.fingerprint.language().code() == stored.language
                    && stored.fingerprint.is_well_formed(&self.group)
                    && stored.fingerprint.text_hash() == crate::align::group::text_hash(text) =>
            {
                let entry = Entry {
                    language: stored.language,
                    fingerprint: stored.fingerprint,
                };
                (Some(entry), Lookup::Hit)
            }
            _ => (None, Lookup::Rejected),
        }
    }

    /// Stores an entry; a cache that cannot be written only costs time, so failures are ignored.
    /// Whatever was at the entry's path (a corrupt file, a link, a pipe) is replaced, never
    /// written through.
    pub fn put(&self, text: &str, language: &str, fingerprint: &Fingerprint) {
        let mut entry = StoredEntry {
            key: key_of(text),
            language: language.to_string(),
            fingerprint: fingerprint.clone(),
            checksum: String::new(),
        };
        entry.checksum = entry.body().checksum();
        let path = self.path(&entry.key);
        if std::fs::create_dir_all(&self.folder).is_ok() {
            let _ = crate::report::write_atomically(&path, |out| {
                serde_json::to_writer(&mut *out, &entry).map_err(std::io::Error::other)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// A cache holding one real entry, and the entry's text and path.
    fn cache_with_one_entry() -> (tempfile::TempDir, Cache, String, PathBuf) {
        let folder = tempfile::tempdir().unwrap();
        let pipeline = crate::Pipeline::new(&crate::Config::default()).unwrap();
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/002_b93d072c615ee9a5.txt"),
        )
        .unwrap();
        let analysed = pipeline.analyse_document(crate::corpus::Document {
            id: "002".into(),
            path: "002.txt".into(),
            text: text.clone(),
            warnings: Vec::new(),
            first_replacement: None,
            record_line: None,
        });
        let fingerprint =
            crate::align::group::fingerprint(&analysed.grouped(), pipeline.group_config());
        let cache = Cache::new(folder.path(), "test", pipeline.group_config());
        cache.put(&text, fingerprint.language().code(), &fingerprint);
        let path = cache.path(&key_of(&text));
        (folder, cache, text, path)
    }

    #[test]
    fn an_entry_is_used_only_while_every_field_is_intact() {
        let (_folder, cache, text, path) = cache_with_one_entry();
        assert_eq!(cache.get(&text).1, Lookup::Hit);
        let original: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        type Corruption = Box<dyn Fn(&mut Value)>;
        let corruptions: Vec<(&str, Corruption)> = vec![
            ("key", Box::new(|v| v["key"] = "0".repeat(32).into())),
            ("language", Box::new(|v| v["language"] = "de".into())),
            ("language code", Box::new(|v| v["language"] = "zz".into())),
            (
                "anchors",
                Box::new(|v| v["fingerprint"]["anchors"] = Value::Array(vec![])),
            ),
            (
                "sketch",
                Box::new(|v| {
                    let zeros: Vec<Value> =
                        (0..v["fingerprint"]["sketch"].as_array().unwrap().len())
                            .map(|_| 0.into())
                            .collect();
                    v["fingerprint"]["sketch"] = Value::Array(zeros);
                }),
            ),
            (
                "text hash",
                Box::new(|v| v["fingerprint"]["text_hash"] = 1.into()),
            ),
            (
                "fingerprint language",
                Box::new(|v| v["fingerprint"]["language"] = "de".into()),
            ),
            (
                "checksum",
                Box::new(|v| v["checksum"] = "0".repeat(32).into()),
            ),
            ("extra field", Box::new(|v| v["trusted"] = true.into())),
        ];
        for (field, corrupt) in corruptions {
            let mut entry = original.clone();
            corrupt(&mut entry);
            std::fs::write(&path, serde_json::to_vec(&entry).unwrap()).unwrap();
            assert_eq!(
                cache.get(&text).1,
                Lookup::Rejected,
                "corrupt {field} was trusted"
            );
        }
        // A consistent entry whose checksum was recomputed after a change is still refused when
        // the language is not the fingerprint's.
        let mut forged = original.clone();
        forged["language"] = "de".into();
        let stored: StoredEntry = serde_json::from_value(forged).unwrap();
        let mut forged = serde_json::to_value(&stored).unwrap();
        forged["checksum"] = stored.body().checksum().into();
        std::fs::write(&path, serde_json::to_vec(&forged).unwrap()).unwrap();
        assert_eq!(cache.get(&text).1, Lookup::Rejected);
        // Truncated, empty, not JSON.
        let bytes = serde_json::to_vec(&original).unwrap();
        for broken in [&bytes[..bytes.len() / 2], &b""[..], &b"\xff\xfe"[..]] {
            std::fs::write(&path, broken).unwrap();
            assert_eq!(cache.get(&text).1, Lookup::Rejected);
        }
        // Rewritten, it is trusted again.
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.get(&text).1, Lookup::Hit);
    }

    #[cfg(unix)]
    #[test]
    fn links_pipes_devices_and_huge_entries_are_refused_without_blocking_and_replaced() {
        let (folder, cache, text, path) = cache_with_one_entry();
        let good = std::fs::read(&path).unwrap();
        let elsewhere = folder.path().join("elsewhere.json");
        std::fs::write(&elsewhere, &good).unwrap();
        let replace_with = |make: &dyn Fn(&Path)| {
            std::fs::remove_file(&path).unwrap();
            make(&path);
            assert_eq!(cache.get(&text).1, Lookup::Rejected);
        };
        replace_with(&|p| std::os::unix::fs::symlink(&elsewhere, p).unwrap());
        replace_with(&|p| std::os::unix::fs::symlink("/dev/zero", p).unwrap());
        replace_with(&|p| crate::files::make_fifo(p));
        replace_with(&|p| {
            let file = std::fs::File::create(p).unwrap();
            file.set_len(ENTRY_LIMIT + 1).unwrap();
        });
        // put() replaces whatever is there with a regular file, leaving a link's target alone.
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        std::fs::write(&elsewhere, b"not mine").unwrap();
        let stored: StoredEntry = serde_json::from_slice(&good).unwrap();
        cache.put(&text, &stored.language, &stored.fingerprint);
        assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"not mine");
        assert_eq!(cache.get(&text).1, Lookup::Hit);
    }
}
