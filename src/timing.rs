//! Where a run's time goes: wall and CPU time of each phase, and the time the worker threads
//! spent in each per-document stage (those stages run interleaved on every thread, so only
//! their summed time says what each costs).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Wall-clock and CPU time (all threads of the process) of one phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhaseTime {
    /// Elapsed time.
    pub wall: Duration,
    /// CPU time of the whole process over the phase (user and system, every thread); zero where
    /// the platform does not tell it.
    pub cpu: Duration,
}

/// Measures one phase: started by [`Phase::start`], read by [`Phase::stop`].
pub struct Phase {
    wall: Instant,
    cpu: Duration,
}

impl Phase {
    /// Starts measuring now.
    pub fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: process_cpu_time(),
        }
    }

    /// The time since [`Phase::start`].
    pub fn stop(self) -> PhaseTime {
        PhaseTime {
            wall: self.wall.elapsed(),
            cpu: process_cpu_time().saturating_sub(self.cpu),
        }
    }
}

/// CPU time the process has used so far (user and system, every thread).
#[cfg(unix)]
fn process_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes the struct it is given, which is large enough.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return Duration::ZERO;
    }
    // SAFETY: getrusage succeeded, so the struct is filled (and zeroed before in any case).
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

#[cfg(not(unix))]
fn process_cpu_time() -> Duration {
    Duration::ZERO
}

/// The per-document stages, as [`StageClock`] counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStage {
    /// Paragraphs, sentences, words.
    Segment,
    /// Languages.
    Detect,
    /// Spun English (with the languages read again after restoring).
    Normalize,
    /// Statements and their theme scores.
    Themes,
}

/// Thread time summed per per-document stage, shared by the worker threads.
#[derive(Debug, Default)]
pub struct StageClock {
    nanos: [AtomicU64; 4],
}

impl StageClock {
    /// Runs `work` and adds its elapsed time to `stage`.
    pub fn time<T>(&self, stage: DocumentStage, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos[stage as usize].fetch_add(nanos, Ordering::Relaxed);
        result
    }

    /// The summed time of `stage` so far.
    pub fn total(&self, stage: DocumentStage) -> Duration {
        Duration::from_nanos(self.nanos[stage as usize].load(Ordering::Relaxed))
    }
}

/// Where the time of one run went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Discovering, reading and decoding the inputs.
    pub load: PhaseTime,
    /// The per-document stages over every document (all threads).
    pub documents: PhaseTime,
    /// Thread time in segmentation, summed over the worker threads.
    pub segment: Duration,
    /// Thread time in language identification.
    pub detect: Duration,
    /// Thread time in spun-English normalisation.
    pub normalize: Duration,
    /// Thread time in finding statements and scoring their themes.
    pub document_themes: Duration,
    /// Grouping versions of one article (fingerprints, candidates, pair scores, alignments).
    pub group: PhaseTime,
    /// Theme decisions, recurrence across distinct articles and discovery.
    pub recurrence: PhaseTime,
}

impl Timings {
    /// The figures as `name wall/cpu` pairs, per-document stages as thread time, for a summary
    /// line.
    pub fn summary(&self) -> String {
        let seconds = |d: Duration| format!("{:.2}", d.as_secs_f64());
        let phase = |name: &str, t: PhaseTime| {
            format!(
                "{name} {} s wall / {} s cpu",
                seconds(t.wall),
                seconds(t.cpu)
            )
        };
        [
            phase("load", self.load),
            phase("documents", self.documents),
            format!(
                "(thread time: segment {} s, detect {} s, normalize {} s, themes {} s)",
                seconds(self.segment),
                seconds(self.detect),
                seconds(self.normalize),
                seconds(self.document_themes)
            ),
            phase("group", self.group),
            phase("recurrence", self.recurrence),
        ]
        .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_work_shows_as_cpu_time_and_stage_time_adds_up() {
        let clock = StageClock::default();
        let phase = Phase::start();
        let sum = clock.time(DocumentStage::Detect, || {
            let mut sum = 0u64;
            let started = Instant::now();
            while started.elapsed() < Duration::from_millis(30) {
                sum = std::hint::black_box(sum.wrapping_add(1));
            }
            sum
        });
        let time = phase.stop();
        assert!(sum > 0);
        assert!(time.wall >= Duration::from_millis(30));
        #[cfg(unix)]
        assert!(time.cpu >= Duration::from_millis(15), "{time:?}");
        assert!(clock.total(DocumentStage::Detect) >= Duration::from_millis(30));
        assert_eq!(clock.total(DocumentStage::Segment), Duration::ZERO);
    }
}
