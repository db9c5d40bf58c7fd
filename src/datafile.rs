//! The project's data files (tab-separated, `#` comments, one header row) as the stages read them:
//! built-in tables and the extra files users pass on the command line, with errors that name the
//! file and line.

use std::path::{Path, PathBuf};

/// What can go wrong while reading a data file.
#[derive(Debug, thiserror::Error)]
pub enum DataFileError {
    /// A user file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A row is malformed.
    #[error("{path}, line {line}: {message}")]
    Row {
        /// The file (`built-in …` for the shipped data).
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// The data rows of a TSV text (comments, blank lines and the header skipped), split into
/// columns, with their 1-based line numbers.
pub(crate) fn numbered_rows<'a>(tsv: &'a str) -> impl Iterator<Item = (usize, Vec<&'a str>)> + 'a {
    let mut header_seen = false;
    tsv.lines().enumerate().filter_map(move |(i, line)| {
        if line.starts_with('#') || line.trim().is_empty() {
            return None;
        }
        if !header_seen {
            header_seen = true;
            return None;
        }
        Some((i + 1, line.split('\t').collect()))
    })
}

/// The data rows of a bundled TSV text, split into columns (line numbers are only needed for
/// users' files).
pub(crate) fn data_rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    numbered_rows(tsv).map(|(_, row)| row)
}

/// Reads a user's data file.
pub(crate) fn read_user_file(path: &Path) -> Result<String, DataFileError> {
    crate::files::read_text_file(path, crate::files::DATA_FILE_LIMIT).map_err(|source| {
        DataFileError::Read {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_skip_comments_blank_lines_and_the_header_and_keep_line_numbers() {
        let tsv = "# note\nspun\toriginal\n\nfoo\tbar\n# more\nbaz\tqux\n";
        let rows: Vec<(usize, Vec<&str>)> = numbered_rows(tsv).collect();
        assert_eq!(rows, vec![(4, vec!["foo", "bar"]), (6, vec!["baz", "qux"])]);
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let error = read_user_file(Path::new("/no/such/file.tsv")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot read /no/such/file.tsv")
        );
    }
}
