//! Language identification per paragraph and per document.
//!
//! Each paragraph is identified by `whatlang` (trigram model) restricted to an optional allow-list.
//! Where whatlang's answer belongs to a cluster of close neighbours that it is known to confuse
//! (Danish/Norwegian Bokmål, Czech/Slovak, Russian/Ukrainian, Spanish/Portuguese), a second
//! opinion scores the cluster's languages by distinctive letters, function words and affixes
//! (`lang/markers.tsv`) and overrides the trigram answer when the margin is clear. Text too short to
//! tell gets an answer only when the detector is sure: one or two words only when it is reliable,
//! three to six words only with confidence of at least 0.5; otherwise it is "und". The document language is a vote over its non-boilerplate paragraphs, weighted by length
//! and confidence; a second language is reported only when several paragraphs reliably carry it.

use crate::segment::{Segmented, data_rows};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use unicode_segmentation::UnicodeSegmentation;
use whatlang::Lang;

const MARKERS_TSV: &str = include_str!("lang/markers.tsv");

/// The code used for "undetermined".
pub const UNDETERMINED: &str = "und";

/// Errors in the language configuration.
#[derive(Debug, thiserror::Error)]
pub enum LanguageError {
    /// A code in the allow-list is not one whatlang knows.
    #[error("unknown language code '{0}': use ISO 639-1 (en, sv, pl) or ISO 639-3 (eng, swe, pol) codes of languages whatlang supports")]
    UnknownCode(String),
}

/// Settings for language identification.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// Languages to choose from (ISO 639-1 or 639-3); empty means every language whatlang knows.
    pub languages: Vec<String>,
    /// Texts with at most this many words are answered only when the detector is reliable.
    pub short_text_words: usize,
    /// Texts with at most this many words are answered only with at least `min_confidence`.
    pub brief_text_words: usize,
    /// The confidence a brief text needs to be answered rather than "und".
    pub min_confidence: f64,
    /// Longer texts are identified from this many bytes (start, middle and end windows).
    pub sample_bytes: usize,
    /// The marker score margin with which the second opinion overrides a fully confident trigram
    /// answer; a less confident answer needs proportionally less (never under 1.0).
    pub override_margin: f64,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        Self {
            languages: Vec::new(),
            short_text_words: 2,
            brief_text_words: 3,
            min_confidence: 0.25,
            sample_bytes: 3000,
            override_margin: 2.0,
        }
    }
}

/// A language decision for one span of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageGuess {
    /// ISO 639-1 code, or "und".
    pub code: &'static str,
    /// 0..1; 0 for "und".
    pub confidence: f64,
    /// Whether the decision is safe to act on.
    pub reliable: bool,
}

impl LanguageGuess {
    /// The undetermined answer.
    pub const UNDETERMINED: Self = Self {
        code: UNDETERMINED,
        confidence: 0.0,
        reliable: false,
    };

    /// Whether a language was determined.
    pub fn is_determined(&self) -> bool {
        self.code != UNDETERMINED
    }
}

/// A language carried by several paragraphs besides the document's main language.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondaryLanguage {
    /// ISO 639-1 code.
    pub code: &'static str,
    /// Paragraphs reliably in this language.
    pub paragraphs: usize,
    /// Share of the document's identified text in this language, 0..1.
    pub share: f64,
}

/// Languages of one document: the vote, the runners-up and each paragraph's own answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentLanguages {
    /// The document's language.
    pub document: LanguageGuess,
    /// Other languages reliably carried by several paragraphs.
    pub secondary: Vec<SecondaryLanguage>,
    /// One guess per paragraph, in paragraph order.
    pub paragraphs: Vec<LanguageGuess>,
}

impl LanguageConfig {
    /// Builds the detector with its allow-list and the second-opinion markers.
    pub fn build(&self) -> Result<LanguageDetector, LanguageError> {
        let allowed: Vec<Lang> = if self.languages.is_empty() {
            Lang::all().to_vec()
        } else {
            let mut allowed = Vec::new();
            for code in &self.languages {
                let lang = parse_code(code).ok_or_else(|| LanguageError::UnknownCode(code.clone()))?;
                if !allowed.contains(&lang) {
                    allowed.push(lang);
                }
            }
            allowed
        };
        Ok(LanguageDetector {
            detector: whatlang::Detector::with_allowlist(allowed.clone()),
            clusters: Cluster::load_all(&allowed),
            config: self.clone(),
        })
    }
}

/// The built language detector; shared by all threads.
pub struct LanguageDetector {
    detector: whatlang::Detector,
    clusters: Vec<Cluster>,
    config: LanguageConfig,
}

impl LanguageDetector {
    /// Identifies the language of one span of text.
    pub fn detect(&self, text: &str) -> LanguageGuess {
        let words = count_words_up_to(text, self.config.brief_text_words + 1);
        if words == 0 {
            return LanguageGuess::UNDETERMINED;
        }
        let sample = sample(text, self.config.sample_bytes);
        let Some(info) = self.detector.detect(&sample) else {
            return LanguageGuess::UNDETERMINED;
        };
        let mut lang = info.lang();
        let mut confidence = info.confidence();
        let mut reliable = info.is_reliable();
        if let Some(cluster) = self.clusters.iter().find(|c| c.languages.contains(&lang)) {
            let scores = cluster.score(&sample);
            let current = cluster.index_of(lang).map_or(0.0, |i| scores[i]);
            let (best, best_score) = scores
                .iter()
                .copied()
                .enumerate()
                .fold((0, f64::MIN), |acc, (i, s)| if s > acc.1 { (i, s) } else { acc });
            let margin = best_score - current;
            // The less sure the trigram detector is, the less marker evidence it takes to override it.
            let needed = (self.config.override_margin * confidence).max(1.0);
            if cluster.languages[best] != lang && margin >= needed {
                lang = cluster.languages[best];
                confidence = margin / (margin + self.config.override_margin);
                reliable = margin >= 2.0 * self.config.override_margin;
            } else if margin > 0.0 {
                // Some contrary evidence, not enough to override: do not call it reliable.
                reliable = false;
            }
        }
        let unsure = if words <= self.config.short_text_words {
            !reliable
        } else {
            words <= self.config.brief_text_words && confidence < self.config.min_confidence
        };
        if unsure {
            return LanguageGuess::UNDETERMINED;
        }
        LanguageGuess {
            code: iso639_1(lang),
            confidence,
            reliable,
        }
    }

    /// Identifies every paragraph, then votes for the document's language.
    pub fn detect_document(&self, text: &str, segmented: &Segmented) -> DocumentLanguages {
        let paragraphs: Vec<LanguageGuess> = segmented
            .paragraphs
            .iter()
            .map(|p| self.detect(&text[p.span.start..p.span.end]))
            .collect();
        // Votes: (code, weight, reliable paragraphs, weighted confidence).
        let mut votes: Vec<(&'static str, f64, usize, f64)> = Vec::new();
        for (paragraph, guess) in segmented.paragraphs.iter().zip(&paragraphs) {
            if paragraph.boilerplate || !guess.is_determined() {
                continue;
            }
            let length = (paragraph.span.end - paragraph.span.start) as f64;
            let weight = length * if guess.reliable { 1.0 } else { 0.5 };
            let index = match votes.iter().position(|v| v.0 == guess.code) {
                Some(index) => index,
                None => {
                    votes.push((guess.code, 0.0, 0, 0.0));
                    votes.len() - 1
                }
            };
            votes[index].1 += weight;
            votes[index].2 += usize::from(guess.reliable);
            votes[index].3 += weight * guess.confidence;
        }
        let total: f64 = votes.iter().map(|v| v.1).sum();
        // Stable winner: highest weight, then code order.
        votes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let document = match votes.first() {
            Some(&(code, weight, reliable_paragraphs, confidence_sum)) => {
                let share = weight / total;
                let mean_confidence = confidence_sum / weight;
                LanguageGuess {
                    code,
                    confidence: share * mean_confidence,
                    reliable: share >= 0.6 && reliable_paragraphs > 0,
                }
            }
            // No paragraph could be told on its own (e.g. a list of short lines): read them together.
            None => {
                let body: String = segmented
                    .paragraphs
                    .iter()
                    .filter(|p| !p.boilerplate)
                    .map(|p| &text[p.span.start..p.span.end])
                    .collect::<Vec<_>>()
                    .join("\n");
                self.detect(&body)
            }
        };
        let secondary = votes
            .iter()
            .skip(1)
            .filter(|v| v.2 >= 2 && v.1 / total >= 0.1)
            .map(|v| SecondaryLanguage {
                code: v.0,
                paragraphs: v.2,
                share: v.1 / total,
            })
            .collect();
        DocumentLanguages {
            document,
            secondary,
            paragraphs,
        }
    }
}

/// A group of close languages with the markers that tell them apart.
struct Cluster {
    languages: Vec<Lang>,
    /// Whole-word markers: word -> (marker id, entries).
    words: HashMap<String, (usize, Vec<(usize, f64)>)>,
    chars: HashMap<char, Vec<(usize, f64)>>,
    /// (kind, marker, language index, weight) for suffix, prefix and infix markers.
    affixes: Vec<(AffixKind, String, usize, f64)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AffixKind {
    Suffix,
    Prefix,
    Infix,
}

impl Cluster {
    /// The clusters of the marker file with at least two allowed languages.
    fn load_all(allowed: &[Lang]) -> Vec<Cluster> {
        let mut named: Vec<(String, Cluster)> = Vec::new();
        for fields in data_rows(MARKERS_TSV) {
            let [cluster_name, code, kind, marker, weight, ..] = fields[..] else {
                continue;
            };
            let (Some(lang), Ok(weight)) = (parse_code(code), weight.parse::<f64>()) else {
                continue;
            };
            if !allowed.contains(&lang) {
                continue;
            }
            let position = match named.iter().position(|(name, _)| name == cluster_name) {
                Some(position) => position,
                None => {
                    named.push((
                        cluster_name.to_string(),
                        Cluster {
                            languages: Vec::new(),
                            words: HashMap::new(),
                            chars: HashMap::new(),
                            affixes: Vec::new(),
                        },
                    ));
                    named.len() - 1
                }
            };
            let cluster = &mut named[position].1;
            let index = match cluster.index_of(lang) {
                Some(index) => index,
                None => {
                    cluster.languages.push(lang);
                    cluster.languages.len() - 1
                }
            };
            let marker = marker.to_lowercase();
            match kind {
                "word" => {
                    let id = cluster.words.len();
                    let entry = cluster.words.entry(marker).or_insert_with(|| (id, Vec::new()));
                    entry.1.push((index, weight));
                }
                "char" => {
                    if let Some(c) = marker.chars().next() {
                        cluster.chars.entry(c).or_default().push((index, weight));
                    }
                }
                "suffix" => cluster.affixes.push((AffixKind::Suffix, marker, index, weight)),
                "prefix" => cluster.affixes.push((AffixKind::Prefix, marker, index, weight)),
                "infix" => cluster.affixes.push((AffixKind::Infix, marker, index, weight)),
                _ => {}
            }
        }
        named
            .into_iter()
            .map(|(_, cluster)| cluster)
            .filter(|cluster| cluster.languages.len() >= 2)
            .collect()
    }

    fn index_of(&self, lang: Lang) -> Option<usize> {
        self.languages.iter().position(|&l| l == lang)
    }

    /// Marker score per language of the cluster. Each distinct marker counts at most three times,
    /// so one repeated name cannot outweigh the rest of the text.
    fn score(&self, text: &str) -> Vec<f64> {
        let mut scores = vec![0.0; self.languages.len()];
        let mut hits: HashMap<(u8, usize), u32> = HashMap::new();
        let mut add = |key: (u8, usize), entries: &[(usize, f64)], scores: &mut Vec<f64>| {
            let count = hits.entry(key).or_insert(0);
            *count += 1;
            if *count <= 3 {
                for &(index, weight) in entries {
                    scores[index] += weight;
                }
            }
        };
        for c in text.chars().flat_map(char::to_lowercase) {
            if let Some(entries) = self.chars.get(&c) {
                add((0, c as usize), entries, &mut scores);
            }
        }
        for word in text.unicode_words() {
            let word = word.to_lowercase();
            if let Some((id, entries)) = self.words.get(word.as_str()) {
                add((1, *id), entries, &mut scores);
            }
            for (i, (kind, marker, index, weight)) in self.affixes.iter().enumerate() {
                let found = word.chars().count() > marker.chars().count() + 1
                    && match kind {
                        AffixKind::Suffix => word.ends_with(marker.as_str()),
                        AffixKind::Prefix => word.starts_with(marker.as_str()),
                        AffixKind::Infix => word.contains(marker.as_str()),
                    };
                if found {
                    add((2, i), &[(*index, *weight)], &mut scores);
                }
            }
        }
        scores
    }
}

/// Counts words that contain a letter, stopping at `limit`.
fn count_words_up_to(text: &str, limit: usize) -> usize {
    text.unicode_words()
        .filter(|word| word.chars().any(char::is_alphabetic))
        .take(limit)
        .count()
}

/// The text itself when short; otherwise windows from its start, middle and end.
fn sample(text: &str, budget: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= budget {
        return text.into();
    }
    let window = budget / 3;
    let starts = [0, text.len() / 2 - window / 2, text.len() - window];
    let pieces: Vec<&str> = starts
        .iter()
        .map(|&start| {
            let start = floor_char_boundary(text, start);
            let end = floor_char_boundary(text, start + window);
            &text[start..end]
        })
        .collect();
    pieces.join(" ").into()
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Parses an ISO 639-1 or 639-3 code into a whatlang language.
pub fn parse_code(code: &str) -> Option<Lang> {
    let code = code.trim().to_ascii_lowercase();
    if code == "no" {
        return Some(Lang::Nob);
    }
    Lang::from_code(code.as_str())
        .or_else(|| Lang::all().iter().copied().find(|&lang| iso639_1(lang) == code))
}

/// The English name of an ISO 639-1 code ("Undetermined" for "und").
pub fn language_name(code: &str) -> &'static str {
    Lang::all()
        .iter()
        .find(|&&lang| iso639_1(lang) == code)
        .map_or("Undetermined", |lang| lang.eng_name())
}

/// The ISO 639-1 code of a whatlang language (whatlang speaks ISO 639-3).
pub fn iso639_1(lang: Lang) -> &'static str {
    match lang.code() {
        "epo" => "eo",
        "eng" => "en",
        "rus" => "ru",
        "cmn" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" => "fr",
        "deu" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" => "nl",
        "hun" => "hu",
        "ces" => "cs",
        "ell" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" => "hy",
        "cym" => "cy",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detector(languages: &[&str]) -> LanguageDetector {
        LanguageConfig {
            languages: languages.iter().map(|s| s.to_string()).collect(),
            ..LanguageConfig::default()
        }
        .build()
        .unwrap()
    }

    #[test]
    fn every_whatlang_language_has_a_two_letter_code() {
        for &lang in Lang::all() {
            assert_eq!(iso639_1(lang).len(), 2, "{lang:?}");
            assert_eq!(parse_code(iso639_1(lang)), Some(lang));
        }
    }

    #[test]
    fn unknown_codes_are_rejected() {
        let config = LanguageConfig {
            languages: vec!["en".into(), "xx".into()],
            ..LanguageConfig::default()
        };
        assert!(matches!(config.build(), Err(LanguageError::UnknownCode(code)) if code == "xx"));
    }

    #[test]
    fn short_text_is_undetermined_unless_reliable() {
        let detector = detector(&[]);
        assert_eq!(detector.detect("Share This").code, UNDETERMINED);
        assert_eq!(detector.detect("  ").code, UNDETERMINED);
        assert_eq!(detector.detect("1234 5678").code, UNDETERMINED);
    }

    #[test]
    fn second_opinion_separates_danish_and_bokmal() {
        let detector = detector(&["da", "nb", "sv", "en"]);
        let danish = "Vi har været igennem en lang udvikling, og nu bliver det sidste skridt taget af vores regering.";
        let bokmal = "Vi har vært gjennom en lang utvikling, og nå blir det siste steget tatt av regjeringen vår.";
        assert_eq!(detector.detect(danish).code, "da");
        assert_eq!(detector.detect(bokmal).code, "nb");
    }

    #[test]
    fn second_opinion_separates_czech_and_slovak() {
        let detector = detector(&["cs", "sk", "pl"]);
        assert_eq!(
            detector.detect("Ktorý z nich je podľa vás lepší pre naše mesto?").code,
            "sk"
        );
        assert_eq!(
            detector.detect("Který z nich je podle vás lepší pro naše město?").code,
            "cs"
        );
    }

    #[test]
    fn allow_list_restricts_answers() {
        let detector = detector(&["de", "fr"]);
        let guess = detector.detect("This is clearly an English sentence about mentors and leaders.");
        assert!(matches!(guess.code, "de" | "fr" | UNDETERMINED));
    }

    #[test]
    fn long_text_is_sampled() {
        let text = "Mentorship helps leaders grow and learn from each other. ".repeat(10_000);
        let sampled = sample(&text, 3000);
        assert!(sampled.len() <= 3002);
        assert_eq!(detector(&[]).detect(&text).code, "en");
    }
}
