//! The candidate budgets over sorted runs on disk: the `candidates` task ranks the merged shares
//! ([`group::ranked_candidates`]), holds at most a fixed number of ranked pairs in memory, writes
//! each full buffer as sorted runs (one per budget list) into a folder of the work folder, and
//! takes each list's pairs in rank order from a k-way merge of its runs ([`group::GreedyBudget`]
//! holds a counter per document, not the pairs). The kept pairs are those
//! [`group::budget_ranked`] keeps in memory, whatever the run size; they are sorted on disk too
//! ([`SortedOnDisk`]), so that the task holds none of them.

use crate::align::group::{self, Budget, GreedyBudget, RankedPair};
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Ranked pairs the `candidates` task holds in memory before it writes them as sorted runs
/// (about 48 bytes each), unless the plan says otherwise.
pub const DEFAULT_RUN_PAIRS: usize = 1_000_000;

/// Runs merged at once: more are first merged into longer runs, this many at a time, so that a
/// merge never holds more runs open than this.
const MERGE_FAN_IN: usize = 64;

/// Buffer of each run's reader and writer.
const RUN_BUFFER_BYTES: usize = 64 * 1024;

/// A record of a fixed size that sorted runs on disk hold, in the order of its key.
pub trait RunRecord: Copy + Send + Sync {
    /// Bytes of one record in a run.
    const BYTES: usize;
    /// What runs are sorted by.
    type Key: Ord + Copy;
    /// Its key.
    fn key(&self) -> Self::Key;
    /// Writes its [`RunRecord::BYTES`] bytes into `bytes`.
    fn encode(&self, bytes: &mut [u8]);
    /// The record [`RunRecord::encode`] wrote.
    fn decode(bytes: &[u8]) -> Self;
}

/// The little-endian u64s of `words`, one after the other, into `bytes`.
pub(super) fn put_words(bytes: &mut [u8], words: &[u64]) {
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
}

/// The `n`th little-endian u64 of `bytes`.
pub(super) fn word(bytes: &[u8], n: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[n * 8..n * 8 + 8]);
    u64::from_le_bytes(word)
}

/// A ranked pair: its two indices, weight and two text hashes, in rank order
/// ([`RankedPair::order_key`]).
impl RunRecord for RankedPair {
    const BYTES: usize = 40;
    type Key = (std::cmp::Reverse<u64>, u64, u64, usize, usize);

    fn key(&self) -> Self::Key {
        self.order_key()
    }

    fn encode(&self, bytes: &mut [u8]) {
        let (i, j) = self.pair;
        let (a, b) = self.text_hashes;
        put_words(bytes, &[i as u64, j as u64, self.weight, a, b]);
    }

    fn decode(bytes: &[u8]) -> Self {
        RankedPair {
            pair: (word(bytes, 0) as usize, word(bytes, 1) as usize),
            weight: word(bytes, 2),
            text_hashes: (word(bytes, 3), word(bytes, 4)),
        }
    }
}

/// A number (a document's corpus index).
impl RunRecord for usize {
    const BYTES: usize = 8;
    type Key = usize;

    fn key(&self) -> Self::Key {
        *self
    }

    fn encode(&self, bytes: &mut [u8]) {
        put_words(bytes, &[*self as u64]);
    }

    fn decode(bytes: &[u8]) -> Self {
        word(bytes, 0) as usize
    }
}

/// Two numbers (a pair of documents, or a document and a partition), in their order.
impl RunRecord for (usize, usize) {
    const BYTES: usize = 16;
    type Key = (usize, usize);

    fn key(&self) -> Self::Key {
        *self
    }

    fn encode(&self, bytes: &mut [u8]) {
        put_words(bytes, &[self.0 as u64, self.1 as u64]);
    }

    fn decode(bytes: &[u8]) -> Self {
        (word(bytes, 0) as usize, word(bytes, 1) as usize)
    }
}

/// Records sorted on disk, each distinct one once: at most `run_records` are held, then written
/// as a sorted run in the folder; [`SortedOnDisk::finish`] merges the runs into one file.
pub struct SortedOnDisk<T> {
    folder: PathBuf,
    name: &'static str,
    run_records: usize,
    buffer: Vec<T>,
    runs: Vec<PathBuf>,
}

impl<T: RunRecord> SortedOnDisk<T> {
    /// None yet; its runs and file go in `folder` (created when the first run is written),
    /// named after `name`.
    pub fn new(folder: &Path, name: &'static str, run_records: usize) -> Self {
        Self {
            folder: folder.to_path_buf(),
            name,
            run_records: run_records.max(1),
            buffer: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Adds one record; writes what is held as a run when it is full.
    pub fn push(&mut self, record: T) -> Result<()> {
        self.buffer.push(record);
        if self.buffer.len() >= self.run_records {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes what is held, sorted and each record once, as the next run.
    fn spill(&mut self) -> Result<()> {
        std::fs::create_dir_all(&self.folder)
            .with_context(|| format!("cannot create {}", self.folder.display()))?;
        self.buffer.par_sort_unstable_by_key(T::key);
        self.buffer.dedup_by_key(|record| record.key());
        let path = self
            .folder
            .join(format!("{}-{:06}.run", self.name, self.runs.len()));
        write_run_file(&path, self.buffer.iter().map(|record| Ok(*record)))?;
        self.runs.push(path);
        self.buffer.clear();
        Ok(())
    }

    /// Every record pushed, sorted, each distinct one once, in the file `folder/name.sorted`
    /// (the runs merged, [`MERGE_FAN_IN`] at a time, and removed).
    pub fn finish(mut self) -> Result<SortedFile<T>> {
        self.spill()?;
        let mut runs = std::mem::take(&mut self.runs);
        let mut level = 0;
        while runs.len() > 1 {
            let mut merged = Vec::new();
            for (number, chunk) in runs.chunks(MERGE_FAN_IN).enumerate() {
                let path = self
                    .folder
                    .join(format!("{}-{level}-{number:06}.run", self.name));
                let mut records = merge::<T>(chunk)?.peekable();
                let distinct = std::iter::from_fn(|| {
                    let record = records.next()?;
                    while matches!(
                        (&record, records.peek()),
                        (Ok(this), Some(Ok(next))) if this.key() == next.key()
                    ) {
                        records.next();
                    }
                    Some(record)
                });
                write_run_file(&path, distinct)?;
                remove_runs(chunk)?;
                merged.push(path);
            }
            runs = merged;
            level += 1;
        }
        let path = self.folder.join(format!("{}.sorted", self.name));
        std::fs::rename(&runs[0], &path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(SortedFile {
            path,
            record: std::marker::PhantomData,
        })
    }
}

/// A file of sorted records, each once ([`SortedOnDisk::finish`]), read as often as needed.
pub struct SortedFile<T> {
    path: PathBuf,
    record: std::marker::PhantomData<T>,
}

impl<T: RunRecord> SortedFile<T> {
    /// Its records, in order.
    pub fn read(&self) -> Result<impl Iterator<Item = Result<T>> + use<T>> {
        read_run_file(&self.path)
    }

    /// Its records that `order` puts equal (an order its keys' order agrees with, such as one
    /// on a key's first part), found by a binary search over the file and read from there.
    pub fn equal_range(&self, order: impl Fn(&T) -> std::cmp::Ordering) -> Result<Vec<T>> {
        let context = || format!("cannot read {}", self.path.display());
        let mut file = std::fs::File::open(&self.path).with_context(context)?;
        let size = T::BYTES as u64;
        let records = file.metadata().with_context(context)?.len() / size;
        let mut bytes = vec![0u8; T::BYTES];
        let (mut low, mut high) = (0, records);
        while low < high {
            let middle = low + (high - low) / 2;
            file.seek(SeekFrom::Start(middle * size))
                .and_then(|_| file.read_exact(&mut bytes))
                .with_context(context)?;
            if order(&T::decode(&bytes)).is_lt() {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        file.seek(SeekFrom::Start(low * size))
            .with_context(context)?;
        let mut reader = RunReader {
            reader: BufReader::with_capacity(RUN_BUFFER_BYTES, file),
            path: self.path.clone(),
            record: std::marker::PhantomData,
        };
        let mut equal = Vec::new();
        while let Some(record) = reader.next_record()? {
            if order(&record).is_gt() {
                break;
            }
            equal.push(record);
        }
        Ok(equal)
    }
}

/// Removes the run files `runs`.
fn remove_runs(runs: &[PathBuf]) -> Result<()> {
    for path in runs {
        std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

/// The pairs the budgets keep out of `ranked` (as [`group::budget_ranked`] gives them, sorted,
/// each once), holding at most `run_pairs` ranked pairs in memory: the rest waits in sorted runs
/// in `folder` (emptied first: one a task, since whatever it holds is replaced). The kept pairs
/// are left in a file of that folder, sorted on disk too; the caller removes the folder.
pub fn budget_in_runs(
    ranked: impl IntoIterator<Item = (Budget, RankedPair)>,
    candidates_per_document: usize,
    folder: &Path,
    run_pairs: usize,
) -> Result<SortedFile<(usize, usize)>> {
    if folder.exists() {
        // Runs of an attempt killed half way.
        std::fs::remove_dir_all(folder)
            .with_context(|| format!("cannot remove {}", folder.display()))?;
    }
    let mut runs = SortedRuns {
        folder: folder.to_path_buf(),
        run_pairs: run_pairs.max(1),
        buffer: Vec::new(),
        runs: Default::default(),
        written: 0,
    };
    for (budget, pair) in ranked {
        runs.push(budget, pair)?;
    }
    let mut kept = SortedOnDisk::new(folder, "kept", run_pairs);
    if runs.written == 0 {
        // Everything fit in memory: no run was written.
        for pair in group::budget_ranked(runs.buffer, candidates_per_document) {
            kept.push(pair)?;
        }
    } else {
        runs.spill()?;
        for budget in Budget::ALL {
            let mut greedy = GreedyBudget::new(budget.size(candidates_per_document));
            for pair in runs.merged(budget)? {
                let pair = pair?.pair;
                if greedy.take(pair) {
                    kept.push(pair)?;
                }
            }
            remove_runs(&runs.runs[budget as usize])?;
        }
    }
    kept.finish()
}

/// Ranked pairs being sorted: the ones in memory, and the runs of each budget list on disk.
struct SortedRuns {
    folder: PathBuf,
    run_pairs: usize,
    buffer: Vec<(Budget, RankedPair)>,
    /// Each list's runs, oldest first.
    runs: [Vec<PathBuf>; 3],
    /// Runs written so far (they are numbered by it).
    written: usize,
}

impl SortedRuns {
    /// Adds one ranked pair; writes the buffer as runs when it is full.
    fn push(&mut self, budget: Budget, pair: RankedPair) -> Result<()> {
        self.buffer.push((budget, pair));
        if self.buffer.len() >= self.run_pairs {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the buffer, sorted, as one run per list it holds pairs of, and empties it.
    fn spill(&mut self) -> Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        if self.written == 0 {
            std::fs::create_dir_all(&self.folder)
                .with_context(|| format!("cannot create {}", self.folder.display()))?;
        }
        self.buffer
            .par_sort_unstable_by_key(|(budget, pair)| (*budget, pair.order_key()));
        let buffer = std::mem::take(&mut self.buffer);
        for budget in Budget::ALL {
            let start = buffer.partition_point(|(b, _)| *b < budget);
            let end = buffer.partition_point(|(b, _)| *b <= budget);
            if start < end {
                let pairs = buffer[start..end].iter().map(|(_, pair)| Ok(*pair));
                self.write_run(budget, pairs)?;
            }
        }
        self.buffer = buffer;
        self.buffer.clear();
        Ok(())
    }

    /// Writes `pairs` (in rank order) as the next run of `budget`'s list.
    fn write_run(
        &mut self,
        budget: Budget,
        pairs: impl Iterator<Item = Result<RankedPair>>,
    ) -> Result<()> {
        let path = self
            .folder
            .join(format!("{budget:?}-{:06}.run", self.written));
        write_run_file(&path, pairs)?;
        self.written += 1;
        self.runs[budget as usize].push(path);
        Ok(())
    }

    /// The pairs of `budget`'s list in rank order: a k-way merge of its runs, after merging the
    /// oldest ones into longer runs while there are more than [`MERGE_FAN_IN`].
    fn merged(&mut self, budget: Budget) -> Result<impl Iterator<Item = Result<RankedPair>>> {
        while self.runs[budget as usize].len() > MERGE_FAN_IN {
            let oldest: Vec<PathBuf> = self.runs[budget as usize].drain(..MERGE_FAN_IN).collect();
            let merged = merge(&oldest)?;
            self.write_run(budget, merged)?;
            remove_runs(&oldest)?;
        }
        merge(&self.runs[budget as usize])
    }
}

/// Writes `pairs` as the run file `path`, through a temporary file in its folder and a rename
/// (not synced: runs are scratch, and a task killed half way starts again with an empty folder).
fn write_run_file<T: RunRecord>(
    path: &Path,
    records: impl Iterator<Item = Result<T>>,
) -> Result<()> {
    let mut file = RunFileWriter::create(path)?;
    for record in records {
        file.push(&record?)?;
    }
    file.persist()
}

/// A file of records in the order they are pushed ([`RunRecord`]'s bytes, one after the other),
/// written through a temporary file in its folder and a rename (not synced: scratch).
pub struct RunFileWriter<T> {
    out: std::io::BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
    bytes: Vec<u8>,
    record: std::marker::PhantomData<T>,
}

impl<T: RunRecord> RunFileWriter<T> {
    /// An empty file that will be `path`.
    pub fn create(path: &Path) -> Result<Self> {
        let folder = path.parent().unwrap_or(Path::new("."));
        let file = tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(folder)
            .with_context(|| format!("cannot write in {}", folder.display()))?;
        Ok(Self {
            out: std::io::BufWriter::with_capacity(RUN_BUFFER_BYTES, file),
            path: path.to_path_buf(),
            bytes: vec![0u8; T::BYTES],
            record: std::marker::PhantomData,
        })
    }

    /// Writes the next record.
    pub fn push(&mut self, record: &T) -> Result<()> {
        record.encode(&mut self.bytes);
        self.out
            .write_all(&self.bytes)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// The file, under its name.
    pub fn persist(self) -> Result<()> {
        let file = self
            .out
            .into_inner()
            .map_err(|error| error.into_error())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        file.persist(&self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

/// The records of the file `path` ([`RunFileWriter`]), in the order they were written.
pub fn read_run_file<T: RunRecord>(
    path: &Path,
) -> Result<impl Iterator<Item = Result<T>> + use<T>> {
    let mut reader = RunReader::open(path)?;
    Ok(std::iter::from_fn(move || reader.next_record().transpose()))
}

/// The records of one run file, in order.
struct RunReader<T> {
    reader: BufReader<std::fs::File>,
    path: PathBuf,
    record: std::marker::PhantomData<T>,
}

impl<T: RunRecord> RunReader<T> {
    fn open(path: &Path) -> Result<Self> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Self {
            reader: BufReader::with_capacity(RUN_BUFFER_BYTES, file),
            path: path.to_path_buf(),
            record: std::marker::PhantomData,
        })
    }

    /// The next record, or none at the end of the run.
    fn next_record(&mut self) -> Result<Option<T>> {
        let mut bytes = vec![0u8; T::BYTES];
        let mut filled = 0;
        while filled < T::BYTES {
            let read = self
                .reader
                .read(&mut bytes[filled..])
                .with_context(|| format!("cannot read {}", self.path.display()))?;
            if read == 0 {
                if filled == 0 {
                    return Ok(None);
                }
                bail!(
                    "{} ends inside a record: run the candidates task again",
                    self.path.display()
                );
            }
            filled += read;
        }
        Ok(Some(T::decode(&bytes)))
    }
}

/// The records of `runs` (each sorted by key) in the order of their keys: a k-way merge that
/// holds one record of each run at a time.
fn merge<T: RunRecord>(runs: &[PathBuf]) -> Result<impl Iterator<Item = Result<T>> + use<T>> {
    Ok(merged_sorted(runs)?.map(|record| record.map(|(_, record)| record)))
}

/// The records of the files `runs` (each sorted by key) in the order of their keys, each with
/// the place of its file among `runs` (ties taken from the first file first): a k-way merge that
/// holds one record of each file at a time.
pub fn merged_sorted<T: RunRecord>(
    runs: &[PathBuf],
) -> Result<impl Iterator<Item = Result<(usize, T)>> + use<T>> {
    type Heads<K> = std::collections::BinaryHeap<std::cmp::Reverse<(K, usize)>>;
    let mut readers = runs
        .iter()
        .map(|path| RunReader::open(path))
        .collect::<Result<Vec<_>>>()?;
    let mut heads: Heads<T::Key> = Default::default();
    let mut head_pairs: Vec<Option<T>> = vec![None; readers.len()];
    let mut advance = move |run: usize,
                            heads: &mut Heads<T::Key>,
                            head_pairs: &mut Vec<Option<T>>|
          -> Result<()> {
        head_pairs[run] = readers[run].next_record()?;
        if let Some(record) = &head_pairs[run] {
            heads.push(std::cmp::Reverse((record.key(), run)));
        }
        Ok(())
    };
    for run in 0..head_pairs.len() {
        advance(run, &mut heads, &mut head_pairs)?;
    }
    let mut failed = false;
    Ok(std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let std::cmp::Reverse((_, run)) = heads.pop()?;
        let pair = head_pairs[run].take()?;
        match advance(run, &mut heads, &mut head_pairs) {
            Ok(()) => Some(Ok((run, pair))),
            Err(error) => {
                failed = true;
                Some(Err(error))
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranked pairs of a few documents in the three lists, with weights and text hashes that tie
    /// often (a fixed pseudo-random sequence).
    fn ranked_pairs(documents: usize, seed: u64) -> Vec<(Budget, RankedPair)> {
        let mut state = seed;
        let mut next = move |below: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % below
        };
        let hashes: Vec<u64> = (0..documents).map(|_| next(4)).collect();
        let mut ranked = Vec::new();
        for i in 0..documents {
            for j in i + 1..documents {
                for budget in Budget::ALL {
                    if next(3) == 0 {
                        ranked.push((
                            budget,
                            RankedPair {
                                pair: (i, j),
                                weight: next(5),
                                text_hashes: (hashes[i], hashes[j]),
                            },
                        ));
                    }
                }
            }
        }
        ranked
    }

    #[test]
    fn budgets_over_tiny_runs_keep_what_they_keep_in_memory() {
        let folder = tempfile::tempdir().unwrap();
        let runs = folder.path().join("runs");
        for seed in 0..3 {
            let ranked = ranked_pairs(40, seed);
            // Enough pairs for more than MERGE_FAN_IN runs of each list at the smallest size.
            assert!(ranked.len() > 3 * MERGE_FAN_IN * 2);
            for budget in [1, 4] {
                let in_memory = group::budget_ranked(ranked.clone(), budget);
                for run_pairs in [1, 2, 7, 100, ranked.len() + 1] {
                    let mut shuffled = ranked.clone();
                    shuffled.rotate_left(run_pairs % ranked.len());
                    let kept = budget_in_runs(shuffled, budget, &runs, run_pairs).unwrap();
                    let kept: Vec<(usize, usize)> =
                        kept.read().unwrap().collect::<Result<_>>().unwrap();
                    assert_eq!(
                        kept, in_memory,
                        "seed {seed}, budget {budget}, runs of {run_pairs}"
                    );
                    let left: Vec<_> = std::fs::read_dir(&runs).unwrap().collect();
                    assert_eq!(left.len(), 1, "only the kept pairs' file is left");
                    std::fs::remove_dir_all(&runs).unwrap();
                }
            }
        }
    }

    #[test]
    fn records_sorted_on_disk_come_back_sorted_each_once() {
        let folder = tempfile::tempdir().unwrap();
        let mut state = 7u64;
        let records: Vec<(usize, usize)> = (0..500)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                // Few values, so that records repeat within runs and across them.
                (((state >> 33) % 40) as usize, ((state >> 20) % 3) as usize)
            })
            .collect();
        let mut expected = records.clone();
        expected.sort_unstable();
        expected.dedup();
        // Runs of one record make more runs than a merge takes at once (merges in levels).
        assert!(records.len() > MERGE_FAN_IN * 2);
        for (count, run_records) in [(0, 3), (records.len(), 1), (records.len(), 3)] {
            let sorting = folder.path().join(format!("sorting-{count}-{run_records}"));
            let mut sorter = SortedOnDisk::new(&sorting, "named", run_records);
            for &record in &records[..count] {
                sorter.push(record).unwrap();
            }
            let sorted = sorter.finish().unwrap();
            let read: Vec<(usize, usize)> = sorted.read().unwrap().collect::<Result<_>>().unwrap();
            let wanted = if count == 0 { &[][..] } else { &expected[..] };
            assert_eq!(read, wanted, "{count} records in runs of {run_records}");
            // Read again, as a second pass does; and only the sorted file is left.
            let again: Vec<(usize, usize)> = sorted.read().unwrap().collect::<Result<_>>().unwrap();
            assert_eq!(again, wanted);
            assert_eq!(std::fs::read_dir(&sorting).unwrap().count(), 1);
            // The records of one first part, found by a binary search, for every first part
            // (and one past the last).
            for first in 0..=40 {
                let equal = sorted.equal_range(|record| record.0.cmp(&first)).unwrap();
                let expected: Vec<(usize, usize)> =
                    wanted.iter().copied().filter(|r| r.0 == first).collect();
                assert_eq!(equal, expected, "first part {first}");
            }
        }
    }

    #[test]
    fn a_pair_reads_back_as_written() {
        let pair = RankedPair {
            pair: (7, 1 << 40),
            weight: u64::MAX,
            text_hashes: (3, u64::MAX - 1),
        };
        let mut bytes = [0u8; RankedPair::BYTES];
        pair.encode(&mut bytes);
        assert_eq!(RankedPair::decode(&bytes), pair);
    }

    #[test]
    fn a_run_cut_short_is_an_error() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("cut.run");
        std::fs::write(&path, [0u8; RankedPair::BYTES + 3]).unwrap();
        let pairs: Vec<Result<RankedPair>> = merge(&[path]).unwrap().collect();
        assert_eq!(pairs.len(), 1, "the error ends the merge");
        let error = pairs[0].as_ref().unwrap_err().to_string();
        assert!(error.contains("ends inside a record"), "{error}");
    }
}
