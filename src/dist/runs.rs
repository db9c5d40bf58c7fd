//! The candidate budgets over sorted runs on disk: the `candidates` task ranks the merged shares
//! ([`group::ranked_candidates`]), holds at most a fixed number of ranked pairs in memory, writes
//! each full buffer as sorted runs (one per budget list) into a folder of the work folder, and
//! takes each list's pairs in rank order from a k-way merge of its runs ([`group::GreedyBudget`]
//! holds a counter per document, not the pairs). The kept pairs are those
//! [`group::budget_ranked`] keeps in memory, whatever the run size.

use crate::align::group::{self, Budget, GreedyBudget, RankedPair};
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Ranked pairs the `candidates` task holds in memory before it writes them as sorted runs
/// (about 48 bytes each), unless the plan says otherwise.
pub const DEFAULT_RUN_PAIRS: usize = 1_000_000;

/// Runs merged at once: more are first merged into longer runs, this many at a time, so that a
/// merge never holds more runs open than this.
const MERGE_FAN_IN: usize = 64;

/// Bytes of one ranked pair in a run: its two indices, weight and two text hashes, each a
/// little-endian u64.
const PAIR_BYTES: usize = 40;

/// Buffer of each run's reader and writer.
const RUN_BUFFER_BYTES: usize = 64 * 1024;

/// The pairs the budgets keep out of `ranked` (as [`group::budget_ranked`] gives them), holding
/// at most `run_pairs` ranked pairs in memory: the rest waits in sorted runs in `folder`
/// (created, and removed at the end; one a task, since whatever it holds is replaced).
pub fn budget_in_runs(
    ranked: impl IntoIterator<Item = (Budget, RankedPair)>,
    candidates_per_document: usize,
    folder: &Path,
    run_pairs: usize,
) -> Result<Vec<(usize, usize)>> {
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
    let kept = if runs.written == 0 {
        // Everything fit in memory: no run was written.
        group::budget_ranked(runs.buffer, candidates_per_document)
    } else {
        runs.spill()?;
        let mut kept = Vec::new();
        for budget in Budget::ALL {
            let mut greedy = GreedyBudget::new(budget.size(candidates_per_document));
            for pair in runs.merged(budget)? {
                let pair = pair?.pair;
                if greedy.take(pair) {
                    kept.push(pair);
                }
            }
        }
        group::candidate_set(kept)
    };
    if folder.exists() {
        std::fs::remove_dir_all(folder)
            .with_context(|| format!("cannot remove {}", folder.display()))?;
    }
    Ok(kept)
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
            for path in &oldest {
                std::fs::remove_file(path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
        merge(&self.runs[budget as usize])
    }
}

/// Writes `pairs` as the run file `path`, through a temporary file in its folder and a rename
/// (not synced: runs are scratch, and a task killed half way starts again with an empty folder).
fn write_run_file(path: &Path, pairs: impl Iterator<Item = Result<RankedPair>>) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(folder)
        .with_context(|| format!("cannot write in {}", folder.display()))?;
    {
        let mut out = std::io::BufWriter::with_capacity(RUN_BUFFER_BYTES, file.as_file_mut());
        for pair in pairs {
            out.write_all(&encode(&pair?))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        out.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A run's 40 bytes for `pair`.
fn encode(pair: &RankedPair) -> [u8; PAIR_BYTES] {
    let fields = [
        pair.pair.0 as u64,
        pair.pair.1 as u64,
        pair.weight,
        pair.text_hashes.0,
        pair.text_hashes.1,
    ];
    let mut bytes = [0u8; PAIR_BYTES];
    for (chunk, field) in bytes.chunks_exact_mut(8).zip(fields) {
        chunk.copy_from_slice(&field.to_le_bytes());
    }
    bytes
}

/// The pair [`encode`] wrote.
fn decode(bytes: &[u8; PAIR_BYTES]) -> RankedPair {
    let field = |n: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[n * 8..n * 8 + 8]);
        u64::from_le_bytes(word)
    };
    RankedPair {
        pair: (field(0) as usize, field(1) as usize),
        weight: field(2),
        text_hashes: (field(3), field(4)),
    }
}

/// The pairs of one run file, in order.
struct RunReader {
    reader: BufReader<std::fs::File>,
    path: PathBuf,
}

impl RunReader {
    fn open(path: &Path) -> Result<Self> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Self {
            reader: BufReader::with_capacity(RUN_BUFFER_BYTES, file),
            path: path.to_path_buf(),
        })
    }

    /// The next pair, or none at the end of the run.
    fn next_pair(&mut self) -> Result<Option<RankedPair>> {
        let mut bytes = [0u8; PAIR_BYTES];
        let mut filled = 0;
        while filled < PAIR_BYTES {
            let read = self
                .reader
                .read(&mut bytes[filled..])
                .with_context(|| format!("cannot read {}", self.path.display()))?;
            if read == 0 {
                if filled == 0 {
                    return Ok(None);
                }
                bail!(
                    "{} ends inside a pair: run the candidates task again",
                    self.path.display()
                );
            }
            filled += read;
        }
        Ok(Some(decode(&bytes)))
    }
}

/// The pairs of `runs` (each in rank order) in rank order: a k-way merge that holds one pair of
/// each run at a time.
fn merge(runs: &[PathBuf]) -> Result<impl Iterator<Item = Result<RankedPair>> + use<>> {
    type Head = std::cmp::Reverse<((std::cmp::Reverse<u64>, u64, u64, usize, usize), usize)>;
    let mut readers = runs
        .iter()
        .map(|path| RunReader::open(path))
        .collect::<Result<Vec<_>>>()?;
    let mut heads: std::collections::BinaryHeap<Head> = Default::default();
    let mut head_pairs: Vec<Option<RankedPair>> = vec![None; readers.len()];
    let mut advance = move |run: usize,
                            heads: &mut std::collections::BinaryHeap<Head>,
                            head_pairs: &mut Vec<Option<RankedPair>>|
          -> Result<()> {
        head_pairs[run] = readers[run].next_pair()?;
        if let Some(pair) = &head_pairs[run] {
            heads.push(std::cmp::Reverse((pair.order_key(), run)));
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
            Ok(()) => Some(Ok(pair)),
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
                    assert_eq!(
                        kept, in_memory,
                        "seed {seed}, budget {budget}, runs of {run_pairs}"
                    );
                    assert!(!runs.exists(), "the runs are removed");
                }
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
        assert_eq!(decode(&encode(&pair)), pair);
    }

    #[test]
    fn a_run_cut_short_is_an_error() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("cut.run");
        std::fs::write(&path, [0u8; PAIR_BYTES + 3]).unwrap();
        let pairs: Vec<Result<RankedPair>> = merge(&[path]).unwrap().collect();
        assert_eq!(pairs.len(), 1, "the error ends the merge");
        let error = pairs[0].as_ref().unwrap_err().to_string();
        assert!(error.contains("ends inside a pair"), "{error}");
    }
}
