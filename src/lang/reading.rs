//! whatlang's reading of a text, made once.
//!
//! whatlang scores every language of a text's script independently of any allow-list: a language's
//! score comes from the text's letters and trigrams alone, and an allow-list only leaves languages
//! out of the ranking (its confidence then compares the two best languages left). So one
//! unrestricted pass answers all three questions the detector asks: the best allowed language and
//! its confidence, whether the text reads as a language outside the list, and the runners-up among
//! the allowed languages. A test checks the allowed answer against whatlang's own allow-list
//! detector on the language bench.

use whatlang::Lang;
use whatlang::dev::{RawLangInfo, raw_detect};

/// whatlang calls an answer reliable above this confidence (its `Info::is_reliable`).
const RELIABLE_CONFIDENCE: f64 = 0.9;

/// Reads texts with whatlang for a detector's allow-list.
pub(super) struct Reader {
    /// Indexed by `Lang as usize`: whether whatlang may answer the language.
    allowed: Vec<bool>,
    /// Indexed by `Lang as usize`: close neighbours of allowed languages (da/nb/sv, cs/sk, …),
    /// which whatlang confuses with them: reading one of these is no sign that the text is outside
    /// the list.
    allowed_neighbour: Vec<bool>,
    /// Whether an allow-list is set (otherwise no text is outside it).
    restricted: bool,
    /// For texts whatlang reads without scores (a script of one language, Han and kana): whatlang
    /// restricted to the allow-list, and unrestricted.
    allowed_detector: whatlang::Detector,
    everything: whatlang::Detector,
}

/// whatlang's unrestricted reading of a text in a language the allow-list leaves out.
#[derive(Debug, Clone, Copy)]
struct ForeignReading {
    confidence: f64,
    reliable: bool,
    /// A close neighbour of an allowed language, which whatlang may have confused with it.
    neighbour: bool,
}

impl ForeignReading {
    /// Sure enough to call the text undetermined rather than in an allowed language.
    fn is_sure(self) -> bool {
        self.reliable && !self.neighbour
    }
}

/// One text as whatlang read it.
pub(super) struct Reading {
    /// The best allowed language: (language, confidence, reliable).
    allowed: Option<(Lang, f64, bool)>,
    /// The unrestricted answer, when it is a language outside the allow-list.
    foreign: Option<ForeignReading>,
    /// Every scored language of the text's script, best first as whatlang sorts them; empty when
    /// whatlang reads the text without scores.
    ranking: Vec<(Lang, f64)>,
}

impl Reader {
    /// A reader for `allowed` (every language whatlang knows when `restricted` is false), with the
    /// close neighbours of the allowed languages.
    pub(super) fn new(allowed: &[Lang], restricted: bool, neighbours: &[Lang]) -> Self {
        let table = |languages: &[Lang]| {
            let mut table = vec![false; Lang::all().len()];
            for &lang in languages {
                table[lang as usize] = true;
            }
            table
        };
        Self {
            allowed: table(allowed),
            allowed_neighbour: table(neighbours),
            restricted,
            allowed_detector: whatlang::Detector::with_allowlist(allowed.to_vec()),
            everything: whatlang::Detector::new(),
        }
    }

    fn is_allowed(&self, lang: Lang) -> bool {
        self.allowed[lang as usize]
    }

    /// Reads `text` once.
    pub(super) fn read(&self, text: &str) -> Reading {
        let scored = match raw_detect(text).lang_info {
            Some(RawLangInfo::MultiScript(outcome)) => {
                Some((outcome.scores, outcome.trigram_raw_outcome.trigrams_count))
            }
            Some(RawLangInfo::OneScript(_) | RawLangInfo::Mandarin(_)) => None,
            None => {
                return Reading {
                    allowed: None,
                    foreign: None,
                    ranking: Vec::new(),
                };
            }
        };
        let Some((ranking, trigrams)) = scored else {
            // No scores to share: both readings are cheap (no trigram pass).
            let answer =
                |info: whatlang::Info| (info.lang(), info.confidence(), info.is_reliable());
            return Reading {
                allowed: self.allowed_detector.detect(text).map(answer),
                foreign: self.foreign(self.everything.detect(text).map(answer)),
                ranking: Vec::new(),
            };
        };
        // whatlang's list is sorted by score; equal scores are taken in language order.
        let best_two = |keep: &dyn Fn(Lang) -> bool| {
            let mut kept = ranking.iter().filter(|(lang, _)| keep(*lang));
            let (mut lang, best) = *kept.next()?;
            let mut second = None;
            for &(other, score) in kept {
                second = second.or(Some(score));
                if score < best {
                    break;
                }
                // Tied with the best: the earlier language leads.
                if (other as usize) < (lang as usize) {
                    lang = other;
                }
            }
            let confidence = second.map_or(1.0, |second| confidence(best, second, trigrams));
            Some((lang, confidence, confidence > RELIABLE_CONFIDENCE))
        };
        let allowed = best_two(&|lang| self.is_allowed(lang));
        let foreign = self.foreign(best_two(&|_| true));
        Reading {
            allowed,
            foreign,
            ranking,
        }
    }

    /// The unrestricted answer, when an allow-list is set and leaves it out.
    fn foreign(&self, answer: Option<(Lang, f64, bool)>) -> Option<ForeignReading> {
        let (lang, confidence, reliable) = answer.filter(|_| self.restricted)?;
        (!self.is_allowed(lang)).then(|| ForeignReading {
            confidence,
            reliable,
            neighbour: self.allowed_neighbour[lang as usize],
        })
    }

    /// The `count` allowed languages whatlang ranks best after leaving out `open`, best first
    /// (equal scores in language order).
    pub(super) fn runners_up(&self, reading: &Reading, open: &[Lang], count: usize) -> Vec<Lang> {
        let mut rest: Vec<(Lang, f64)> = reading
            .ranking
            .iter()
            .copied()
            .filter(|&(lang, _)| self.is_allowed(lang) && !open.contains(&lang))
            .collect();
        rest.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| (a.0 as usize).cmp(&(b.0 as usize)))
        });
        rest.into_iter().take(count).map(|(lang, _)| lang).collect()
    }
}

impl Reading {
    /// whatlang's reading among the allowed languages: (language, confidence, reliable).
    /// Restricted to an allow-list, whatlang names the nearest allowed language, with full
    /// confidence when only one is allowed, however foreign the text: so a text that reliably reads
    /// as a language outside the list is `None` (undetermined), and one that reads so unreliably,
    /// or as a close neighbour of an allowed language (Swedish beside Danish), keeps the allowed
    /// answer, unreliable and with the foreign reading's confidence taken off.
    pub(super) fn allowed_answer(&self) -> Option<(Lang, f64, bool)> {
        let allowed = self.allowed?;
        match self.foreign {
            Some(foreign) if foreign.is_sure() => None,
            Some(foreign) => Some((allowed.0, allowed.1 * (1.0 - foreign.confidence), false)),
            None => Some(allowed),
        }
    }

    /// Whether the text reliably reads as a language outside the allow-list (not a close
    /// neighbour of an allowed one).
    pub(super) fn is_foreign(&self) -> bool {
        self.foreign.is_some_and(ForeignReading::is_sure)
    }
}

/// whatlang's confidence in the best of two scores (its `calculate_confidence`): full when the best
/// leads the second by more than a share that shrinks with the number of trigrams, proportionally
/// less below that.
fn confidence(best: f64, second: f64, trigrams: usize) -> f64 {
    if best == 0.0 {
        return 0.0;
    }
    if second == 0.0 {
        return best;
    }
    let sure_lead = 3.0 / trigrams as f64 + 0.015;
    let lead = (best - second) / second;
    if lead > sure_lead {
        1.0
    } else {
        lead / sure_lead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 16 languages of the bench, and smaller lists, some of one language.
    const ALLOW_LISTS: [&[&str]; 5] = [
        &[
            "en", "sv", "pl", "da", "nb", "de", "nl", "fr", "es", "it", "pt", "cs", "sk", "ru",
            "uk", "fi",
        ],
        &["en"],
        &["en", "sv"],
        &["de", "fr", "ru"],
        &["cs", "sk", "pl", "ja"],
    ];

    fn bench_texts() -> Vec<String> {
        let mut texts = Vec::new();
        for file in ["sentences.tsv", "paragraphs.tsv", "words.tsv"] {
            let path = format!("{}/tests/data/langid/{file}", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read_to_string(&path).expect("bench data is bundled");
            texts.extend(
                data.lines()
                    .skip(1)
                    .filter_map(|line| line.split_once('\t'))
                    .map(|(_, text)| text.to_string()),
            );
        }
        texts.extend(
            [
                "Ελληνικά κείμενα",
                "日本語のテキストです",
                "中文文本",
                "",
                "1234",
            ]
            .map(String::from),
        );
        texts
    }

    /// The one pass gives whatlang's own answers: with the allow-list, and without it. Where the
    /// two best scores tie (confidence 0), whatlang's order of the tied languages is its sort's,
    /// ours is language order: only the confidence is compared then.
    #[test]
    fn one_pass_reads_as_whatlangs_detectors() {
        let texts = bench_texts();
        assert!(texts.len() > 5000, "only {} texts", texts.len());
        for list in ALLOW_LISTS {
            let allowed: Vec<Lang> = list
                .iter()
                .map(|code| crate::lang::parse_code(code).expect("known code"))
                .collect();
            let reader = Reader::new(&allowed, true, &[]);
            let restricted = whatlang::Detector::with_allowlist(allowed.clone());
            for text in &texts {
                let reading = reader.read(text);
                let expected = restricted
                    .detect(text)
                    .map(|info| (info.lang(), info.confidence(), info.is_reliable()));
                match (reading.allowed, expected) {
                    (Some(ours), Some(theirs)) if ours.1 == 0.0 => {
                        assert_eq!(ours.1, theirs.1, "{list:?}: {text}")
                    }
                    (ours, theirs) => assert_eq!(ours, theirs, "{list:?}: {text}"),
                }
                let unrestricted = whatlang::detect(text);
                let ours = reading.foreign.map(|f| (f.confidence, f.reliable));
                if unrestricted
                    .as_ref()
                    .is_some_and(|info| info.confidence() == 0.0)
                {
                    // Tied at the top: either tied language may come first.
                    assert!(ours.is_none_or(|f| f == (0.0, false)), "{list:?}: {text}");
                    continue;
                }
                let theirs = unrestricted
                    .filter(|info| !allowed.contains(&info.lang()))
                    .map(|info| (info.confidence(), info.is_reliable()));
                assert_eq!(ours, theirs, "{list:?}: {text}");
            }
        }
    }

    #[test]
    fn runners_up_follow_whatlangs_ranking_among_the_allowed() {
        let allowed: Vec<Lang> = ["da", "nb", "sv", "en", "de"]
            .iter()
            .map(|code| crate::lang::parse_code(code).unwrap())
            .collect();
        let reader = Reader::new(&allowed, true, &[]);
        let text = "Vi har været igennem en lang udvikling, og nu bliver det sidste skridt taget.";
        let reading = reader.read(text);
        let (best, _, _) = reading.allowed.unwrap();
        let open = [best];
        let next = reader.runners_up(&reading, &open, 2);
        let rest: Vec<Lang> = allowed.iter().copied().filter(|l| *l != best).collect();
        let expected = whatlang::Detector::with_allowlist(rest).detect_lang(text);
        assert_eq!(next.first().copied(), expected);
        assert_eq!(next.len(), 2);
        assert!(!next.contains(&best));
    }
}
