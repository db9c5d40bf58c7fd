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

/// The rows of a TSV text that are not comments or blank lines, split into columns, with their
/// 1-based line numbers. A byte-order mark (spreadsheets write one) is skipped.
fn rows(tsv: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    let tsv = tsv.strip_prefix('\u{feff}').unwrap_or(tsv);
    tsv.lines().enumerate().filter_map(|(i, line)| {
        if line.starts_with('#') || line.trim().is_empty() {
            return None;
        }
        Some((i + 1, line.split('\t').collect()))
    })
}

/// The data rows of a data file with their 1-based line numbers, after checking that its first row
/// is `header` (column names compared trimmed and ignoring ASCII case). A file without the header
/// is refused rather than read with its first data row taken for one.
pub(crate) fn numbered_rows<'a>(
    tsv: &'a str,
    origin: &str,
    header: &[&str],
) -> Result<impl Iterator<Item = (usize, Vec<&'a str>)> + 'a, DataFileError> {
    let mut rows = rows(tsv);
    if let Some((line, first)) = rows.next() {
        let is_header = first.len() == header.len()
            && first
                .iter()
                .zip(header)
                .all(|(found, expected)| found.trim().eq_ignore_ascii_case(expected));
        if !is_header {
            return Err(DataFileError::Row {
                path: origin.to_string(),
                line,
                message: format!(
                    "the first row must be the header `{}` (tab-separated), found `{}`",
                    header.join("\\t"),
                    first.join("\\t")
                ),
            });
        }
    }
    Ok(rows)
}

/// The data rows of a bundled TSV text, split into columns (its header row skipped unchecked).
pub(crate) fn data_rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    rows(tsv).skip(1).map(|(_, row)| row)
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
        let rows: Vec<(usize, Vec<&str>)> = numbered_rows(tsv, "test.tsv", &["spun", "original"])
            .unwrap()
            .collect();
        assert_eq!(rows, vec![(4, vec!["foo", "bar"]), (6, vec!["baz", "qux"])]);
        assert_eq!(data_rows(tsv).count(), 2);
        let with_mark = "\u{feff}spun\toriginal\r\nfoo\tbar\r\n";
        let rows: Vec<(usize, Vec<&str>)> =
            numbered_rows(with_mark, "test.tsv", &["spun", "original"])
                .unwrap()
                .collect();
        assert_eq!(rows, vec![(2, vec!["foo", "bar"])]);
    }

    #[test]
    fn a_file_without_its_header_names_the_line_and_the_header() {
        let Err(error) = numbered_rows("# note\nfoo\tbar\n", "test.tsv", &["spun", "original"])
        else {
            panic!("a first row that is not the header is refused");
        };
        assert_eq!(
            error.to_string(),
            "test.tsv, line 2: the first row must be the header `spun\\toriginal` (tab-separated), found `foo\\tbar`"
        );
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
