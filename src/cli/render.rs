//! What the commands print for people: tables, the inline diff, the progress bar, and standard
//! output that tolerates a reader leaving early.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use mentorlens::align::Bead;
use mentorlens::escape_for_terminal;
use mentorlens::report::{Report, write_output};
use mentorlens::segment::Span;
use mentorlens::{Analysis, Progress};
use std::io::{self, IsTerminal, Write};
use std::path::Path;

/// Writes `what` to `output` (see [`write_output`]), or to standard output without `-o`.
pub(super) fn write_to(
    output: Option<&Path>,
    what: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match output {
        Some(path) if path != Path::new("-") => write_output(path, write)
            .with_context(|| format!("cannot write the {what} to {}", path.display())),
        _ => {
            let mut out = stdout_writer();
            write(&mut out)?;
            Ok(out.flush()?)
        }
    }
}

/// The widest a table's first column grows: a longer id is printed whole and pushes the rest of
/// its own row right, instead of widening every row.
pub(super) const MAX_COLUMN_WIDTH: usize = 48;

/// (<https://no-color.org>).
pub(super) fn colour_allowed(no_color: Option<std::ffi::OsString>) -> bool {
    no_color.is_none_or(|value| value.is_empty())
}

/// One version in an alignment table: its id, text and the spans of the units its beads count.
pub(super) struct AlignedSide<'a> {
    pub(super) id: &'a str,
    pub(super) text: &'a str,
    pub(super) units: Vec<Span>,
}

/// The alignment as a table: the score, then each side cut to `--width` characters.
pub(super) fn write_alignment_table(
    out: &mut dyn Write,
    width: usize,
    a: &AlignedSide,
    b: &AlignedSide,
    beads: &[Bead],
) -> io::Result<()> {
    let cell = |side: &AlignedSide, indices: &[usize]| -> String {
        let joined: Vec<&str> = indices
            .iter()
            .map(|&i| &side.text[side.units[i].start..side.units[i].end])
            .collect();
        let label = indices
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("+");
        let joined = joined.join(" ¶ ").replace(['\n', '\r'], " ");
        let body = format!("{label:>5} {}", escape_for_terminal(&joined));
        let mut shown: String = body.chars().take(width).collect();
        if body.chars().count() > width {
            shown.pop();
            shown.push('…');
        }
        format!("{shown:<width$}")
    };
    writeln!(
        out,
        "{:>5}  {:<width$} │ {}",
        "score",
        escape_for_terminal(a.id),
        escape_for_terminal(b.id)
    )?;
    for bead in beads {
        writeln!(
            out,
            "{:>5.2}  {} │ {}",
            bead.score,
            cell(a, &bead.a),
            cell(b, &bead.b)
        )?;
    }
    Ok(())
}

/// Themes as rows, distinct articles as columns: `✓n` where the article states the theme (n pieces
/// of evidence), `·` where it does not; a legend maps article columns to documents.
pub(super) fn write_theme_table(
    out: &mut dyn Write,
    analysis: &Analysis,
    report: &Report,
) -> io::Result<()> {
    let article_of = mentorlens::themes::article_of(
        analysis.documents.iter().map(|d| d.document.id.as_str()),
        &analysis.groups,
    );
    let mut articles: Vec<(String, Vec<String>)> = Vec::new();
    for (document, article) in analysis.documents.iter().zip(&article_of) {
        match articles.iter_mut().find(|(a, _)| a == article) {
            Some((_, members)) => members.push(document.document.id.clone()),
            None => articles.push((article.clone(), vec![document.document.id.clone()])),
        }
    }
    let labels: Vec<_> = report
        .themes
        .iter()
        .map(|t| escape_for_terminal(&t.id))
        .collect();
    let label_width = labels
        .iter()
        .map(|label| label.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5)
        .min(MAX_COLUMN_WIDTH);
    write!(out, "{:<label_width$}  {:>8}", "theme", "articles")?;
    for number in 1..=articles.len() {
        write!(out, " {:>5}", format!("A{number}"))?;
    }
    writeln!(out)?;
    for (theme, label) in report.themes.iter().zip(&labels) {
        let recurring = if theme.recurring { "*" } else { " " };
        write!(
            out,
            "{label:<label_width$}  {:>7}{recurring}",
            theme.articles
        )?;
        for (_, members) in &articles {
            let evidence = theme
                .evidence
                .iter()
                .filter(|e| members.contains(&e.document))
                .count();
            let stated = theme.documents.iter().any(|d| members.contains(d));
            let cell = if stated {
                format!("✓{evidence}")
            } else {
                "·".to_string()
            };
            write!(out, " {cell:>5}")?;
        }
        writeln!(out)?;
    }
    for theme in &report.discovered_themes {
        let line = format!(
            "discovered {}: {} ({} articles: {})",
            theme.id,
            theme.key_phrases.join(", "),
            theme.articles,
            theme.documents.join(", ")
        );
        writeln!(out, "{}", escape_for_terminal(&line))?;
    }
    writeln!(out, "* recurs in at least two distinct articles")?;
    for (number, (_, members)) in articles.iter().enumerate() {
        let members = members.join(", ");
        writeln!(out, "A{}: {}", number + 1, escape_for_terminal(&members))?;
    }
    Ok(())
}

/// The original with each edit shown as `[-from-]{+to+}` (red and green on a terminal).
pub(super) fn inline_diff(
    text: &str,
    edits: &[mentorlens::normalize::Edit],
    colour: bool,
) -> String {
    let (removed, added, reset) = if colour {
        ("\x1b[31m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut out = String::with_capacity(text.len() + edits.len() * 16);
    let mut position = 0;
    for edit in edits {
        if edit.start < position {
            continue;
        }
        out.push_str(&visible_lines(&text[position..edit.start]));
        out.push_str(&format!(
            "{removed}[-{}-]{reset}",
            escape_for_terminal(&edit.from)
        ));
        if !edit.to.is_empty() {
            out.push_str(&format!(
                "{added}{{+{}+}}{reset}",
                escape_for_terminal(&edit.to)
            ));
        }
        position = edit.end;
    }
    out.push_str(&visible_lines(&text[position..]));
    out
}

/// Text shown on a terminal line by line: control characters made visible, line ends (`\n`,
/// `\r\n`) kept.
pub(super) fn visible_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line
                .strip_suffix("\r\n")
                .or_else(|| line.strip_suffix('\n'))
                .unwrap_or(line);
            format!("{}{}", escape_for_terminal(body), &line[body.len()..])
        })
        .collect()
}

/// Standard output for a command's results, buffered. A reader that goes away early
/// (`mentorlens … | head`) is not an error: the rest of the output is dropped and the command's
/// own exit code stands (a failing gate still exits 1 under `set -o pipefail`).
pub(super) fn stdout_writer() -> io::BufWriter<ReaderMayLeave<io::StdoutLock<'static>>> {
    io::BufWriter::new(ReaderMayLeave {
        inner: io::stdout().lock(),
        gone: false,
    })
}

/// A writer whose reader may close the pipe: after a broken pipe, writes are dropped.
pub(super) struct ReaderMayLeave<W> {
    inner: W,
    gone: bool,
}

impl<W: Write> ReaderMayLeave<W> {
    fn unless_gone(&mut self, result: io::Result<usize>, len: usize) -> io::Result<usize> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.gone = true;
                Ok(len)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for ReaderMayLeave<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.gone {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.unless_gone(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.gone {
            return Ok(());
        }
        let result = self.inner.flush().map(|()| 0);
        self.unless_gone(result, 0).map(|_| ())
    }
}

/// A progress bar on standard error, drawn only on a terminal and without `--quiet`.
pub(super) struct ProgressBarSink {
    pub(super) bar: ProgressBar,
}

impl ProgressBarSink {
    pub(super) fn new(quiet: bool) -> Self {
        let bar = if quiet || !io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} documents {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            )
        };
        Self { bar }
    }
}

impl Progress for ProgressBarSink {
    fn start(&self, total: usize) {
        self.bar.set_length(total as u64);
    }

    fn advance(&self) {
        self.bar.inc(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn no_color_set_and_not_empty_turns_colour_off() {
        assert!(colour_allowed(None));
        assert!(colour_allowed(Some("".into())));
        assert!(!colour_allowed(Some("1".into())));
        assert!(!colour_allowed(Some("false".into())));
    }
}
