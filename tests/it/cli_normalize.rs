//! `mentorlens normalize` end to end: restored text, inline diff, JSON, idempotence, bad input.

use crate::common::mentorlens;
use serde_json::Value;

const SPUN: &str = "Our imaginative and prescient is easy: develop the following technology of leaders by way of mentorship.\n";

#[test]
fn prints_the_restored_text() {
    let output = mentorlens()
        .args(["normalize", "-"])
        .write_stdin(SPUN)
        .output()
        .unwrap();
    assert!(output.status.success());
    let restored = String::from_utf8(output.stdout).unwrap();
    assert!(
        restored.starts_with("Our vision is easy: develop the next generation of leaders"),
        "{restored}"
    );
    // Normalising the restored text changes nothing.
    let again = mentorlens()
        .args(["normalize", "-"])
        .write_stdin(restored.clone())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), restored);
}

#[test]
fn diff_marks_every_edit_inline() {
    let output = mentorlens()
        .args(["normalize", "--diff", "-"])
        .write_stdin(SPUN)
        .output()
        .unwrap();
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(
        diff.contains("[-imaginative and prescient-]{+vision+}"),
        "{diff}"
    );
    assert!(
        diff.contains("[-the following technology of-]{+the next generation of+}"),
        "{diff}"
    );
    assert!(
        !diff.contains("\x1b["),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn json_gives_the_mangling_with_offsets_into_the_original() {
    let output = mentorlens()
        .args([
            "normalize",
            "--format",
            "json",
            "corpus/003_c1d548cdc3955c20.txt",
        ])
        .output()
        .unwrap();
    let mangling: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(mangling["mangled"], true);
    assert!(mangling["score"].as_f64().unwrap() > 0.5);
    let text =
        std::fs::read_to_string(crate::common::root().join("corpus/003_c1d548cdc3955c20.txt"))
            .unwrap();
    for edit in mangling["edits"].as_array().unwrap() {
        let (start, end) = (
            edit["start"].as_u64().unwrap() as usize,
            edit["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[start..end], edit["from"].as_str().unwrap());
    }
}

#[test]
fn clean_text_comes_through_untouched() {
    let text =
        std::fs::read_to_string(crate::common::root().join("corpus/002_b93d072c615ee9a5.txt"))
            .unwrap();
    let output = mentorlens()
        .args(["normalize", "-"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), text);
}

#[test]
fn missing_file_is_a_clear_error() {
    let output = mentorlens()
        .args(["normalize", "no-such-file.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-file.txt: not_found"));
}

#[test]
fn an_extra_lexicon_adds_entries_and_a_bad_row_is_named() {
    let folder = tempfile::tempdir().unwrap();
    let lexicon = folder.path().join("extra.tsv");
    // Normalises `input` with `rows` as the extra lexicon.
    let normalize_with = |rows: &str, input: &str| {
        std::fs::write(&lexicon, rows).unwrap();
        mentorlens()
            .args(["normalize", "--lexicon", lexicon.to_str().unwrap(), "-"])
            .write_stdin(input.to_string())
            .output()
            .unwrap()
    };
    let output = normalize_with(
        "# our own finds\nspun\toriginal\tmode\tsource\nfrightfully costly\tvery expensive\talways\tteam\n",
        "The course was frightfully costly for most of us.\n",
    );
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "The course was very expensive for most of us.\n"
    );

    let output = normalize_with(
        "spun\toriginal\tmode\tsource\nfoo\tbar\tsometimes\tteam\n",
        "Anything.\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("extra.tsv, line 2: mode `sometimes`"),
        "{stderr}"
    );
}

#[test]
fn the_diff_shows_control_characters_in_the_text_as_escapes() {
    let text =
        format!("{SPUN}A line with a title change \u{1b}]0;pwned\u{7} and a bell.\r\nLast line.\n");
    let output = mentorlens()
        .args(["normalize", "-", "--diff"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(output.status.success());
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(
        diff.contains("[-imaginative and prescient-]{+vision+}"),
        "{diff}"
    );
    assert!(diff.contains("\\u{1b}]0;pwned\\u{7}"), "{diff}");
    assert!(!diff.contains(['\u{1b}', '\u{7}']), "{diff:?}");
    assert!(diff.contains("bell.\r\nLast line.\n"), "{diff:?}");
}
