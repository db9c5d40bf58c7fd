//! The gate's findings in the formats CI systems read: plain text, JSON, GitHub workflow commands,
//! SARIF 2.1.0 (code scanning) and JUnit XML (test reports).
//!
//! Findings are for people and editors, so every format places them the same way: 1-based lines
//! and 1-based columns counting characters (SARIF's `unicodeCodePoints`), and messages name
//! places by line, never by paragraph number. Data counts from 0: the report's paragraph indices
//! and its byte and character offsets.

use super::{CheckReport, Finding, Rule, Severity};
use crate::terminal::escape_for_terminal as visible;
use serde::Deserialize;
use std::io::{self, Write};
use std::str::FromStr;

/// An output format of `check`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Format {
    /// `path:line:col: error[rule]: message` lines and a summary.
    Text,
    /// The whole check report as JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// JUnit XML, one test case per new file.
    Junit,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = |format: &Format| -> &'static str { format.into() };
        let formats = <Format as strum::VariantArray>::VARIANTS;
        formats
            .iter()
            .find(|format| name(format) == text.trim())
            .copied()
            .ok_or_else(|| {
                let known: Vec<&str> = formats.iter().map(name).collect();
                format!(
                    "unknown format `{text}`; known formats: {}",
                    known.join(", ")
                )
            })
    }
}

/// Writes the report in `format`.
pub fn write_report(report: &CheckReport, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => write_text(report, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Sarif => write_sarif(report, out),
        Format::Github => write_github(report, out),
        Format::Junit => write_junit(report, out),
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn write_text(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        let at = &finding.location;
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            visible(&at.path),
            at.line,
            at.column,
            severity_word(finding.severity),
            finding.rule.id(),
            visible(&finding.message)
        )?;
        for related in &finding.related {
            writeln!(
                out,
                "  see {}:{}:{}",
                visible(&related.path),
                related.line,
                related.column
            )?;
        }
    }
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    for note in notes(report) {
        writeln!(out, "note: {}", visible(&note))?;
    }
    let settings = match &report.settings_file {
        Some(file) => format!("settings from {}", visible(file)),
        None => "no settings file".to_string(),
    };
    let unreadable = match report.corpus.unreadable {
        0 => String::new(),
        n => format!(" ({n} corpus input(s) unreadable, skipped)"),
    };
    writeln!(
        out,
        "mentorlens check: {} file(s) checked against {} corpus document(s){unreadable}, {settings}: {} error(s), {} warning(s){}",
        report.files.len(),
        report.corpus.documents,
        errors,
        report.findings.len() - errors,
        if report.failed { "" } else { "; passed" }
    )
}

/// What a person should know besides the findings: skipped corpus inputs, settings notes.
fn notes(report: &CheckReport) -> Vec<String> {
    report
        .corpus
        .skipped
        .iter()
        .map(|skipped| {
            format!(
                "corpus input {} could not be read and was skipped: {}",
                skipped.path, skipped.message
            )
        })
        .chain(report.notes.iter().cloned())
        .collect()
}

/// Escapes a workflow-command message (`%`, CR, LF; other control characters are made visible,
/// since the log shows them to a person).
fn github_data(text: &str) -> String {
    let text: String = text
        .split_inclusive(['\r', '\n'])
        .map(|piece| {
            let body = piece.trim_end_matches(['\r', '\n']);
            format!("{}{}", visible(body), &piece[body.len()..])
        })
        .collect();
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value (also `:` and `,`).
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn write_github(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    for note in notes(report) {
        writeln!(
            out,
            "::notice title={}::{}",
            github_property("mentorlens check"),
            github_data(&note)
        )?;
    }
    for finding in &report.findings {
        let at = &finding.location;
        writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            severity_word(finding.severity),
            github_property(&at.path),
            at.line,
            at.column,
            github_property(&format!("mentorlens {}", finding.rule.id())),
            github_data(&finding.message)
        )?;
    }
    Ok(())
}

fn sarif_location(location: &super::Location) -> serde_sarif::sarif::Location {
    use serde_sarif::sarif::{ArtifactLocation, Location, PhysicalLocation, Region};
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(location.path.clone())
                        .build(),
                )
                .region(
                    Region::builder()
                        .start_line(location.line as i64)
                        .start_column(location.column as i64)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn write_sarif(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    use serde_sarif::sarif::{
        Message, MultiformatMessageString, ReportingDescriptor, Result as SarifResult, ResultLevel,
        Run, Sarif, Tool, ToolComponent,
    };
    let rules: Vec<ReportingDescriptor> = Rule::ALL
        .iter()
        .map(|rule| {
            ReportingDescriptor::builder()
                .id(rule.id())
                .name(rule.id())
                .short_description(
                    MultiformatMessageString::builder()
                        .text(rule.description())
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|finding: &Finding| {
            let rule_index = Rule::ALL
                .iter()
                .position(|r| *r == finding.rule)
                .unwrap_or(0);
            let builder = SarifResult::builder()
                .rule_id(finding.rule.id())
                .rule_index(rule_index as i64)
                .level(match finding.severity {
                    Severity::Error => ResultLevel::Error,
                    Severity::Warning => ResultLevel::Warning,
                })
                .message(Message::builder().text(finding.message.clone()).build())
                .locations(vec![sarif_location(&finding.location)]);
            if finding.related.is_empty() {
                builder.build()
            } else {
                builder
                    .related_locations(
                        finding
                            .related
                            .iter()
                            .map(sarif_location)
                            .collect::<Vec<_>>(),
                    )
                    .build()
            }
        })
        .collect();
    let run = Run::builder()
        .tool(
            Tool::builder()
                .driver(
                    ToolComponent::builder()
                        .name("mentorlens")
                        .version(env!("CARGO_PKG_VERSION"))
                        .rules(rules)
                        .build(),
                )
                .build(),
        )
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .results(results)
        .build();
    let sarif = Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

fn write_junit(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    use quick_xml::Writer;
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    let failures: Vec<&String> = report
        .files
        .iter()
        .filter(|file| {
            report
                .findings
                .iter()
                .any(|f| &f.location.path == *file && f.severity == Severity::Error)
        })
        .collect();
    let mut writer = Writer::new_with_indent(&mut *out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let tests = report.files.len().to_string();
    let failed = failures.len().to_string();
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "mentorlens check"));
    suites.push_attribute(("tests", tests.as_str()));
    suites.push_attribute(("failures", failed.as_str()));
    writer.write_event(Event::Start(suites))?;
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", "mentorlens check"));
    suite.push_attribute(("tests", tests.as_str()));
    suite.push_attribute(("failures", failed.as_str()));
    suite.push_attribute(("errors", "0"));
    writer.write_event(Event::Start(suite))?;
    for file in &report.files {
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("classname", "mentorlens.check"));
        case.push_attribute(("name", visible(file).as_ref()));
        writer.write_event(Event::Start(case))?;
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| &f.location.path == file)
            .collect();
        let errors: Vec<&&Finding> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        if let Some(first) = errors.first() {
            let rules: Vec<&str> = errors.iter().map(|f| f.rule.id()).collect();
            let mut failure = BytesStart::new("failure");
            failure.push_attribute(("type", rules.join(",").as_str()));
            failure.push_attribute(("message", visible(&first.message).as_ref()));
            writer.write_event(Event::Start(failure))?;
            let details: Vec<String> = errors
                .iter()
                .map(|f| {
                    format!(
                        "{}:{}:{}: error[{}]: {}",
                        visible(&f.location.path),
                        f.location.line,
                        f.location.column,
                        f.rule.id(),
                        visible(&f.message)
                    )
                })
                .collect();
            writer.write_event(Event::Text(BytesText::new(&details.join("\n"))))?;
            writer.write_event(Event::End(BytesEnd::new("failure")))?;
        }
        let warnings: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(|f| format!("warning[{}]: {}", f.rule.id(), visible(&f.message)))
            .collect();
        if !warnings.is_empty() {
            writer.write_event(Event::Start(BytesStart::new("system-out")))?;
            writer.write_event(Event::Text(BytesText::new(&warnings.join("\n"))))?;
            writer.write_event(Event::End(BytesEnd::new("system-out")))?;
        }
        writer.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    writer.write_event(Event::End(BytesEnd::new("testsuites")))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_follow_the_workflow_command_rules() {
        assert_eq!(github_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(github_data("red\u{1b}[31m"), "red\\u{1b}[31m");
        assert_eq!(github_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn formats_parse_and_unknown_ones_are_named() {
        assert_eq!("sarif".parse::<Format>(), Ok(Format::Sarif));
        assert!("xml".parse::<Format>().unwrap_err().contains("junit"));
    }
}
