//! Settings of every stage, read from a settings file's stage tables or built in code, and the
//! record of them a report keeps.

use crate::align::group::{GroupConfig, GroupConfigError};
use crate::corpus::LoadConfig;
use crate::datafile;
use crate::lang::{self, LanguageConfig};
use crate::normalize::NormalizeConfig;
use crate::segment::SegmentConfig;
use crate::themes::ThemeConfig;
use serde::{Deserialize, Serialize};

/// The crate's error: what can go wrong before any input is read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The language settings are invalid.
    #[error(transparent)]
    Language(#[from] lang::LanguageError),
    /// A data file (theme taxonomy or cues, normaliser lexicon) is invalid.
    #[error(transparent)]
    DataFile(#[from] datafile::DataFileError),
    /// The grouping settings do not make sense.
    #[error(transparent)]
    Group(#[from] GroupConfigError),
}

/// Settings of every stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Loading inputs.
    pub load: LoadConfig,
    /// Segmentation.
    pub segment: SegmentConfig,
    /// Language identification.
    pub language: LanguageConfig,
    /// Spun-English normalisation.
    pub normalize: NormalizeConfig,
    /// Benefit themes.
    pub themes: ThemeConfig,
    /// Grouping versions of one article.
    pub group: GroupConfig,
}

impl Config {
    /// The names of the stage tables, as a settings file writes them.
    pub const TABLES: [&str; 6] = [
        "load",
        "segment",
        "language",
        "normalize",
        "themes",
        "group",
    ];
}

/// The settings a run used, as the report records them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Settings {
    /// Tool version and a hash of the settings and of the lexicon's content: two reports with the
    /// same fingerprint were made the same way.
    pub fingerprint: String,
    /// Every stage's settings (allow-list, user data files, thresholds).
    pub stages: Config,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_tables_are_the_fields_of_config() {
        let schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap();
        let mut fields: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut tables = Config::TABLES.to_vec();
        fields.sort_unstable();
        tables.sort_unstable();
        assert_eq!(fields, tables);
    }
}
