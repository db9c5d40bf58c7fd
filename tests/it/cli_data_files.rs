//! Users' data files (`--lexicon`, `--cues`, `--taxonomy`) end to end: a file that would be read
//! wrongly stops the run with exit code 2 and a message naming the file and line.

use crate::common::mentorlens;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A seed article that states themes.
const SEED: &str = "corpus/001_c8f67bc4325f3f9a.txt";

const LEXICON_HEADER: &str = "spun\toriginal\tmode\tsource\n";
const CUES_HEADER: &str = "language\ttheme\tcue\tweight\treason\n";
const TAXONOMY_HEADER: &str = "id\tlabel\tdefinition\tkram\n";

fn write(folder: &Path, name: &str, contents: &str) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// `themes` on the seed article with `flag FILE`.
fn themes_with(flag: &str, file: &Path) -> Output {
    mentorlens()
        .args(["themes", "--quiet", flag])
        .arg(file)
        .arg(SEED)
        .output()
        .unwrap()
}

/// `normalize` of `input` with `file` as the extra lexicon.
fn normalize_with(file: &Path, input: &str) -> Output {
    mentorlens()
        .args(["normalize", "--lexicon"])
        .arg(file)
        .arg("-")
        .write_stdin(input.to_string())
        .output()
        .unwrap()
}

/// Checks that the run stopped with exit code 2 and that stderr holds every one of `parts`.
fn assert_refused(output: &Output, parts: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for part in parts {
        assert!(stderr.contains(part), "no `{part}` in: {stderr}");
    }
}

#[test]
fn a_file_without_its_header_row_is_refused_instead_of_losing_its_first_row() {
    let folder = tempfile::tempdir().unwrap();
    let lexicon = write(
        folder.path(),
        "lexicon.tsv",
        "frightfully costly\tvery expensive\talways\tteam\n",
    );
    assert_refused(
        &normalize_with(&lexicon, "It was frightfully costly.\n"),
        &["lexicon.tsv, line 1", "spun\\toriginal\\tmode\\tsource"],
    );
    let cues = write(
        folder.path(),
        "cues.tsv",
        "en\tnew_ideas\tfresh thinking\t1.0\tnames the theme\n",
    );
    assert_refused(
        &themes_with("--cues", &cues),
        &[
            "cues.tsv, line 1",
            "language\\ttheme\\tcue\\tweight\\treason",
        ],
    );
    let taxonomy = write(
        folder.path(),
        "taxonomy.tsv",
        "# our themes\nwork_life_balance\tWork-life balance\tMentors help keep balance.\tpsychosocial\n",
    );
    assert_refused(
        &themes_with("--taxonomy", &taxonomy),
        &["taxonomy.tsv, line 2", "id\\tlabel\\tdefinition\\tkram"],
    );
}

#[test]
fn a_header_after_a_byte_order_mark_and_comments_is_read() {
    let folder = tempfile::tempdir().unwrap();
    let lexicon = write(
        folder.path(),
        "lexicon.tsv",
        &format!(
            "\u{feff}# saved by a spreadsheet\r\n{}frightfully costly\tvery expensive\talways\tteam\r\n",
            LEXICON_HEADER.replace('\n', "\r\n")
        ),
    );
    let output = normalize_with(&lexicon, "It was frightfully costly.\n");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "It was very expensive.\n"
    );
}

#[test]
fn lexicon_rows_that_would_undo_their_own_output_are_refused() {
    let folder = tempfile::tempdir().unwrap();
    // Two rows that swap words back and forth on every pass.
    let cycle = write(
        folder.path(),
        "cycle.tsv",
        &format!(
            "{LEXICON_HEADER}apprentice\tprotege\talways\tteam\nprotege\tapprentice\talways\tteam\n"
        ),
    );
    assert_refused(
        &normalize_with(&cycle, "An apprentice learns.\n"),
        &["cycle.tsv, line 2", "line 3", "`protege` → `apprentice`"],
    );
    // A row whose original holds its own spun form grows the text on every pass.
    let growing = write(
        folder.path(),
        "growing.tsv",
        &format!("{LEXICON_HEADER}# ours\nmentor\tgood Mentor\talways\tteam\n"),
    );
    assert_refused(
        &normalize_with(&growing, "A mentor helps.\n"),
        &["growing.tsv, line 3", "`mentor` of this row"],
    );
    // A user's spun form inside a built-in row's original ("imaginative and prescient" → "vision")
    // would change that row's output on the next pass.
    let against_built_in = write(
        folder.path(),
        "vision.tsv",
        &format!("{LEXICON_HEADER}vision\tsight\talways\tteam\n"),
    );
    assert_refused(
        &normalize_with(&against_built_in, "Our vision.\n"),
        &["vision.tsv, line 2", "built-in lexicon, line", "→ `vision`"],
    );
}

#[test]
fn a_hundred_thousand_cues_load() {
    let folder = tempfile::tempdir().unwrap();
    let mut rows = String::from(CUES_HEADER);
    for n in 0..100_000u32 {
        // Words of letters only ("zqaaaa", "zqaaab", …), every second one a two-word phrase.
        let word: String = (0..4)
            .rev()
            .map(|place| char::from(b'a' + (n / 26u32.pow(place) % 26) as u8))
            .collect();
        let phrase = if n % 2 == 0 { "" } else { " growth" };
        rows.push_str(&format!(
            "en\tnew_ideas\tzq{word}{phrase}\t0.5\tgenerated\n"
        ));
    }
    let cues = write(folder.path(), "cues.tsv", &rows);
    let output = themes_with("--cues", &cues);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_empty_theme_id_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let taxonomy = write(
        folder.path(),
        "taxonomy.tsv",
        &format!("{TAXONOMY_HEADER}\tNameless\tA theme without an id.\tpsychosocial\n"),
    );
    assert_refused(
        &themes_with("--taxonomy", &taxonomy),
        &["taxonomy.tsv, line 2", "theme id is empty"],
    );
    let cues = write(
        folder.path(),
        "cues.tsv",
        &format!(
            "{CUES_HEADER}en\tnew_ideas\tfresh thinking\t1.0\tnames it\nen\t \tnew angle\t1.0\tno theme\n"
        ),
    );
    assert_refused(
        &themes_with("--cues", &cues),
        &["cues.tsv, line 3", "theme id is empty"],
    );
}

#[test]
fn a_taxonomy_id_that_cues_cannot_name_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let taxonomy = write(
        folder.path(),
        "taxonomy.tsv",
        &format!("{TAXONOMY_HEADER}@benefit\tBenefits\tAny benefit.\tcareer\n"),
    );
    assert_refused(
        &themes_with("--taxonomy", &taxonomy),
        &["taxonomy.tsv, line 2", "`@benefit`", "reserved"],
    );
}

#[test]
fn malformed_rows_name_file_and_line() {
    let folder = tempfile::tempdir().unwrap();
    let bad_cues = [
        (
            "en\tnew_ideas\tfresh thinking\t1.0\n",
            "5 tab-separated columns",
        ),
        ("en\tnew_ideas\tfresh thinking\tmany\tr\n", "`many`"),
        ("en\tnew_ideas\tfresh thinking\tNaN\tr\n", "`NaN`"),
        ("en\tnew_ideas\tfresh thinking\tinf\tr\n", "`inf`"),
        ("en\tnew_ideas\tfresh thinking\t1e40\tr\n", "`1e40`"),
        (
            "en\tnew_ideas\tfresh thinking\t0\tr\n",
            "not a positive number",
        ),
        (
            "xx\tnew_ideas\tfresh thinking\t1.0\tr\n",
            "language code `xx`",
        ),
        (
            "en\tno_such_theme\tfresh thinking\t1.0\tr\n",
            "`no_such_theme`",
        ),
        ("en\tnew_ideas\t \t1.0\tr\n", "empty cue"),
    ];
    for (row, problem) in bad_cues {
        let cues = write(folder.path(), "cues.tsv", &format!("{CUES_HEADER}{row}"));
        assert_refused(
            &themes_with("--cues", &cues),
            &["cues.tsv, line 2", problem],
        );
    }
    let taxonomy = write(
        folder.path(),
        "taxonomy.tsv",
        &format!("{TAXONOMY_HEADER}work_life_balance\tWork-life balance\n"),
    );
    assert_refused(
        &themes_with("--taxonomy", &taxonomy),
        &["taxonomy.tsv, line 2", "4 tab-separated columns"],
    );
    let bad_lexicon = [
        (
            "frightfully costly\tvery expensive\talways\n",
            "4 tab-separated columns",
        ),
        ("frightfully costly\t \talways\tteam\n", "need words"),
        (
            "frightfully costly\tvery expensive\toften\tteam\n",
            "mode `often`",
        ),
    ];
    for (row, problem) in bad_lexicon {
        let lexicon = write(
            folder.path(),
            "lexicon.tsv",
            &format!("{LEXICON_HEADER}{row}"),
        );
        assert_refused(
            &normalize_with(&lexicon, "Anything.\n"),
            &["lexicon.tsv, line 2", problem],
        );
    }
}
