//! A language as a type: one of the languages the detector knows, or undetermined.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use whatlang::Lang;

/// A language the detector knows (whatlang's list), or undetermined ("und").
///
/// It is written as its ISO 639-1 code where one exists (`en`, `sv`, `zh`), otherwise as the
/// ISO 639-3 code, and read from either. Languages order by that code, so maps keyed by
/// language list them as the report always has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language(Option<Lang>);

impl Language {
    /// The undetermined answer, written "und".
    pub const UNDETERMINED: Self = Self(None);
    /// English, the language the normaliser restores.
    pub const ENGLISH: Self = Self(Some(Lang::Eng));

    /// The language of an ISO 639-1 or 639-3 code ("no" is Norwegian Bokmål, "und" is
    /// undetermined); `None` for a code the detector does not know.
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        match code.as_str() {
            "und" => Some(Self::UNDETERMINED),
            "no" => Some(Self(Some(Lang::Nob))),
            code => Lang::from_code(code)
                .or_else(|| Lang::all().iter().copied().find(|&l| iso639_1(l) == code))
                .map(|lang| Self(Some(lang))),
        }
    }

    /// The code the report writes: ISO 639-1 where one exists, "und" when undetermined.
    pub fn code(self) -> &'static str {
        self.0.map_or("und", iso639_1)
    }

    /// The English name ("Undetermined" when undetermined).
    pub fn name(self) -> &'static str {
        self.0.map_or("Undetermined", |lang| lang.eng_name())
    }

    /// Whether a language was determined.
    pub fn is_determined(self) -> bool {
        self.0.is_some()
    }

    /// The language as a number, for records of a fixed size: 0 when undetermined, else one
    /// more than its place in the detector's list ([`Language::from_number`] reads it back).
    pub fn number(self) -> usize {
        self.0
            .and_then(|lang| Lang::all().iter().position(|&l| l == lang))
            .map_or(0, |place| place + 1)
    }

    /// The language [`Language::number`] gave `number`; `None` for a number it never gives.
    pub fn from_number(number: usize) -> Option<Self> {
        match number {
            0 => Some(Self::UNDETERMINED),
            number => Lang::all().get(number - 1).map(|&lang| Self(Some(lang))),
        }
    }

    /// The detector's own language value, when determined.
    pub fn whatlang(self) -> Option<Lang> {
        self.0
    }
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Self {
        Self(Some(lang))
    }
}

impl Ord for Language {
    fn cmp(&self, other: &Self) -> Ordering {
        self.code().cmp(other.code())
    }
}

impl PartialOrd for Language {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown language code '{code}'")))
    }
}

/// The ISO 639-1 code of a whatlang language (whatlang speaks ISO 639-3; the table is
/// `isolang`'s). whatlang names two languages by an individual code whose macrolanguage holds the
/// two-letter code: Mandarin (`cmn`, in Chinese `zh`) and Iranian Persian (`pes`, in Persian `fa`).
fn iso639_1(lang: Lang) -> &'static str {
    match lang.code() {
        "cmn" => "zh",
        "pes" => "fa",
        code => isolang::Language::from_639_3(code)
            .and_then(|language| language.to_639_1())
            .unwrap_or(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_a_code_that_reads_back() {
        for &lang in Lang::all() {
            let language = Language::from(lang);
            assert_eq!(Language::parse(language.code()), Some(language), "{lang:?}");
            assert_eq!(Language::parse(lang.code()), Some(language), "{lang:?}");
        }
        assert_eq!(Language::parse("und"), Some(Language::UNDETERMINED));
        assert_eq!(Language::parse("no").map(Language::code), Some("nb"));
        assert_eq!(Language::parse("xx"), None);
    }

    #[test]
    fn every_language_has_a_number_that_reads_back() {
        let languages = Lang::all().iter().map(|&lang| Language::from(lang));
        for language in languages.chain([Language::UNDETERMINED]) {
            assert_eq!(Language::from_number(language.number()), Some(language));
        }
        assert_eq!(Language::from_number(Lang::all().len() + 1), None);
    }

    #[test]
    fn languages_order_by_their_code() {
        let mut languages: Vec<Language> = ["sv", "und", "en", "zh", "de"]
            .iter()
            .filter_map(|c| Language::parse(c))
            .collect();
        languages.sort();
        let codes: Vec<&str> = languages.iter().map(|l| l.code()).collect();
        assert_eq!(codes, ["de", "en", "sv", "und", "zh"]);
    }

    #[test]
    fn serialises_as_its_code() {
        let json = serde_json::to_string(&Language::ENGLISH).unwrap();
        assert_eq!(json, "\"en\"");
        let back: Language = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Language::ENGLISH);
        assert!(serde_json::from_str::<Language>("\"zz\"").is_err());
    }
}
