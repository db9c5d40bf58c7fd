//! Merges in levels: many sorted files merged a bounded number at a time, so that no merge opens
//! more files (nor holds more read buffers and decoding windows) than the plan's `merge_fan_in`.
//! The `order` task merges the ids partitions' files this way, the `candidates` task the
//! blocking partitions' shares, and `assemble` the render tasks' framed files.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// `inputs` (each sorted) as at most `fan_in` inputs to merge at once. While there are more, each
/// run of `fan_in` consecutive inputs is merged by `merge` into one file of the level's folder
/// (`scratch/0`, `scratch/1`, …; named `00003{suffix}` after the run), whose input `merged`
/// makes of its path: consecutive runs keep the inputs' order, so a merge that breaks ties by
/// input order breaks them the same way. `scratch` is emptied first and each level's folder
/// removed once the next level is written; the last stays for the caller to remove
/// ([`remove_scratch`]) once it has read it.
pub(super) fn in_levels<P>(
    mut inputs: Vec<P>,
    fan_in: usize,
    scratch: &Path,
    suffix: &str,
    mut merge: impl FnMut(&[P], &Path) -> Result<()>,
    merged: impl Fn(PathBuf) -> P,
) -> Result<Vec<P>> {
    let fan_in = fan_in.max(2);
    remove_scratch(scratch)?;
    let mut level = 0;
    while inputs.len() > fan_in {
        let folder = scratch.join(level.to_string());
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        inputs = inputs
            .chunks(fan_in)
            .enumerate()
            .map(|(run, chunk)| {
                let path = folder.join(format!("{run:05}{suffix}"));
                merge(chunk, &path)?;
                Ok(merged(path))
            })
            .collect::<Result<_>>()?;
        if level > 0 {
            let done = scratch.join((level - 1).to_string());
            std::fs::remove_dir_all(&done)
                .with_context(|| format!("cannot remove {}", done.display()))?;
        }
        level += 1;
    }
    Ok(inputs)
}

/// Removes the scratch folder of [`in_levels`], if there is one.
pub(super) fn remove_scratch(scratch: &Path) -> Result<()> {
    if std::fs::symlink_metadata(scratch).is_ok_and(|meta| meta.is_dir()) {
        std::fs::remove_dir_all(scratch)
            .with_context(|| format!("cannot remove {}", scratch.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_merge_runs_of_the_fan_in_in_order_until_few_enough_are_left() {
        let scratch = tempfile::tempdir().unwrap();
        let scratch = scratch.path().join("merged");
        // 7 inputs, 2 a merge: 7 -> 4 -> 2.
        let inputs: Vec<Vec<u32>> = (0..7).map(|i| vec![i]).collect();
        let mut merges = Vec::new();
        let left = in_levels(
            inputs,
            2,
            &scratch,
            ".txt",
            |chunk, path| {
                let joined: Vec<u32> = chunk.concat();
                std::fs::write(path, format!("{joined:?}"))?;
                merges.push(joined);
                Ok(())
            },
            |path| {
                let text = std::fs::read_to_string(&path).unwrap();
                text.trim_matches(['[', ']'])
                    .split(", ")
                    .map(|n| n.parse().unwrap())
                    .collect()
            },
        )
        .unwrap();
        assert_eq!(left, vec![vec![0, 1, 2, 3], vec![4, 5, 6]]);
        assert_eq!(merges.len(), 4 + 2);
        assert!(!scratch.join("0").exists(), "a level read is removed");
        assert!(scratch.join("1").exists(), "the last level stays");
        remove_scratch(&scratch).unwrap();
        assert!(!scratch.exists());
        // Few enough inputs: nothing merged, no scratch made.
        let left = in_levels(vec![1, 2], 2, &scratch, "", |_, _| unreachable!(), |_| 0).unwrap();
        assert_eq!(left, vec![1, 2]);
        assert!(!scratch.exists());
    }
}
