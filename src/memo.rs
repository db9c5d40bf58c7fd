//! A bounded memo shared by threads: a value made once per key, kept in two generations so that
//! the keys asked for last stay held whatever the number of keys.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Values by key, made once: two generations of at most `generation` entries each. When the newer
/// is full it becomes the older and the older is dropped; a value found in the older is moved to
/// the newer. A key is found by its hash, then compared whole (never by its hash alone).
///
/// The lock is not held while a value is made, so two threads may make one value at the same
/// time and either is kept: a value must be a function of its key alone.
pub(crate) struct Memo<K, V> {
    generation: usize,
    held: Mutex<[HashMap<K, V>; 2]>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// An empty memo whose generations hold at most `generation` entries each.
    pub(crate) fn new(generation: usize) -> Self {
        Self {
            generation,
            held: Mutex::default(),
        }
    }

    /// The value of `key`: the one held, else `make()`, kept.
    pub(crate) fn get_or_make<Q>(&self, key: &Q, make: impl FnOnce() -> V) -> V
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        {
            let mut held = self.lock();
            let [newer, older] = &mut *held;
            if let Some(found) = newer.get(key) {
                return found.clone();
            }
            if let Some((key, found)) = older.remove_entry(key) {
                self.keep(newer, older, key, found.clone());
                return found;
            }
        }
        let made = make();
        let mut held = self.lock();
        let [newer, older] = &mut *held;
        self.keep(newer, older, key.to_owned(), made.clone());
        made
    }

    /// Puts a value in the newer generation, which, full, becomes the older first.
    fn keep(&self, newer: &mut HashMap<K, V>, older: &mut HashMap<K, V>, key: K, value: V) {
        if newer.len() >= self.generation {
            *older = std::mem::take(newer);
        }
        newer.insert(key, value);
    }

    fn lock(&self) -> MutexGuard<'_, [HashMap<K, V>; 2]> {
        // A panic elsewhere cannot leave a half-made entry: insertions are whole.
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many entries each generation holds, newer first.
    #[cfg(test)]
    pub(crate) fn held(&self) -> [usize; 2] {
        let held = self.lock();
        [held[0].len(), held[1].len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn values_are_made_once_while_held_and_generations_stay_bounded() {
        let memo: Memo<String, usize> = Memo::new(4);
        let made = Cell::new(0);
        let length = |key: &str| {
            memo.get_or_make(key, || {
                made.set(made.get() + 1);
                key.len()
            })
        };
        assert_eq!(length("mentor"), 6);
        assert_eq!(length("mentor"), 6);
        assert_eq!(made.get(), 1);
        for key in [
            "a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg", "hhhhhhhh",
        ] {
            assert_eq!(length(key), key.len());
            let [newer, older] = memo.held();
            assert!(newer <= 4 && older <= 4, "{newer} {older}");
        }
        assert_eq!(made.get(), 9);
        // The older generation's keys are still held, and move to the newer when asked for…
        assert_eq!(length("dddd"), 4);
        assert_eq!(made.get(), 9);
        // …while a key of a dropped generation is made again.
        assert_eq!(length("mentor"), 6);
        assert_eq!(made.get(), 10);
    }
}
