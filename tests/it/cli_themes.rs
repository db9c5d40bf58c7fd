//! The `themes` subcommand and the themes of the report, end to end through the CLI.

use crate::common::{mentorlens, root};
use serde_json::Value;
use std::path::Path;

fn themes_json(args: &[&str]) -> Value {
    let output = mentorlens()
        .args(["themes", "--format", "json", "--quiet"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn theme<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no theme {id}"))
}

#[test]
fn the_table_shows_themes_by_article_with_translations_counted_once() {
    let output = mentorlens().args(["themes", "corpus"]).output().unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("theme") && header.contains("A4") && !header.contains("A5"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.starts_with("outside_perspective"))
        .unwrap();
    assert!(row.contains("3*") && row.contains('✓'), "{row}");
    assert!(
        table.contains("A1: 000_6d249e2a96ff57b8, 001_c8f67bc4325f3f9a"),
        "{table}"
    );
}

#[test]
fn evidence_quotes_the_original_bytes_and_documents_list_their_themes() {
    let json = themes_json(&["corpus"]);
    for theme in json["themes"].as_array().unwrap() {
        for evidence in theme["evidence"].as_array().unwrap() {
            let id = evidence["document"].as_str().unwrap();
            let text = std::fs::read_to_string(root().join(format!("corpus/{id}.txt"))).unwrap();
            let (start, end) = (
                evidence["start"].as_u64().unwrap() as usize,
                evidence["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[start..end], evidence["text"].as_str().unwrap());
            assert!(
                ["heading", "list_item", "sentence"].contains(&evidence["kind"].as_str().unwrap())
            );
        }
    }
    let documents = json["documents"].as_array().unwrap();
    let sv = documents
        .iter()
        .find(|d| d["id"] == "000_6d249e2a96ff57b8")
        .unwrap();
    let pl = documents
        .iter()
        .find(|d| d["id"] == "001_c8f67bc4325f3f9a")
        .unwrap();
    assert_eq!(sv["themes"], pl["themes"]);
    // A language is the same object here as in the report: {code, name, confidence, reliable}.
    assert_eq!(sv["language"]["code"], "sv");
    assert_eq!(pl["language"]["reliable"], true);
    assert_eq!(theme(&json, "accountability")["recurring"], false);
    assert_eq!(theme(&json, "new_ideas")["articles"], 3);
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn spun_english_is_matched_on_its_restored_text_and_quoted_as_spun() {
    let dir = tempfile::tempdir().unwrap();
    // Three headings: a spun document needs more evidence (`spun_document`) than a clean one.
    let heading = "\n\nNew concepts\n\nThe outcome is a steady stream of concepts for the whole business.\n\nNew concepts for the team\n\nNew concepts for the leaders\n";
    let spun = std::fs::read_to_string(root().join("corpus/003_c1d548cdc3955c20.txt")).unwrap();
    write(dir.path(), "spun.txt", &format!("{spun}{heading}"));
    let json = themes_json(&[dir.path().to_str().unwrap()]);
    let quoted: Vec<&str> = theme(&json, "new_ideas")["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    // The spinner wrote "concepts" for "ideas": matched as "New ideas", quoted as written.
    assert_eq!(
        quoted,
        vec![
            "New concepts",
            "New concepts for the team",
            "New concepts for the leaders"
        ]
    );

    let clean_dir = tempfile::tempdir().unwrap();
    let clean = std::fs::read_to_string(root().join("corpus/002_b93d072c615ee9a5.txt")).unwrap();
    write(clean_dir.path(), "clean.txt", &format!("{clean}{heading}"));
    let json = themes_json(&[clean_dir.path().to_str().unwrap()]);
    let cites_concepts = theme(&json, "new_ideas")["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["text"].as_str().unwrap().contains("concepts"));
    assert!(!cites_concepts, "clean English is read as written");
}

#[test]
fn users_extend_the_taxonomy_and_bad_rows_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "taxonomy.tsv",
        "id\tlabel\tdefinition\tkram\nwork_life_balance\tWork-life balance\tMentors help keep work and life in balance.\tpsychosocial\n",
    );
    write(
        dir.path(),
        "cues.tsv",
        "language\ttheme\tcue\tweight\treason\nen\twork_life_balance\twork-life balance\t1.0\tnames the theme\nen\twork_life_balance\tburnout\t1.0\tnames the theme\n",
    );
    let corpus = tempfile::tempdir().unwrap();
    write(
        corpus.path(),
        "a.txt",
        "Why mentoring matters\n\nA good mentor helps you protect your work-life balance and spot burnout early.\n",
    );
    let json = themes_json(&[
        "--taxonomy",
        dir.path().join("taxonomy.tsv").to_str().unwrap(),
        "--cues",
        dir.path().join("cues.tsv").to_str().unwrap(),
        corpus.path().to_str().unwrap(),
    ]);
    assert_eq!(theme(&json, "work_life_balance")["documents"][0], "a");

    write(
        dir.path(),
        "bad.tsv",
        "language\ttheme\tcue\tweight\treason\nen\tnew_ideas\tideas\tmany\tbad weight\n",
    );
    let output = mentorlens()
        .args(["themes", "--cues"])
        .arg(dir.path().join("bad.tsv"))
        .arg("corpus")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.tsv, line 2") && stderr.contains("many"),
        "{stderr}"
    );
}

#[test]
fn benefits_outside_the_taxonomy_are_discovered_across_articles() {
    let corpus = tempfile::tempdir().unwrap();
    let articles = [
        (
            "a.txt",
            "Mentoring at the plant\n\nHere are the benefits I saw this year:\n\nHealthier sleep\n\nOur night shift crew rested more once someone checked in on them.\n",
        ),
        (
            "b.txt",
            "What my mentor gave me\n\nThree benefits stood out for me:\n\nCalmer sleep habits\n\nI stopped answering e-mail at midnight after we talked it through.\n",
        ),
        (
            "c.txt",
            "Notes from a nursing mentor\n\nThe benefits for new nurses:\n\nSleep improves quickly\n\nRookies on rotating rosters learn to guard their rest days.\n",
        ),
    ];
    for (name, text) in articles {
        write(corpus.path(), name, text);
    }
    let json = themes_json(&[corpus.path().to_str().unwrap()]);
    let discovered = json["discovered_themes"].as_array().unwrap();
    let sleep = discovered
        .iter()
        .find(|d| d["stem"] == "sleep")
        .unwrap_or_else(|| panic!("{discovered:?}"));
    assert_eq!(sleep["articles"], 3);
    assert_eq!(sleep["evidence"].as_array().unwrap().len(), 3);
    assert!(
        sleep["key_phrases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().contains("sleep"))
    );
}

#[test]
fn german_french_and_spanish_articles_get_their_themes() {
    let json = themes_json(&["tests/fixtures/themes"]);
    let themes_of = |id: &str| -> Vec<String> {
        json["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["themes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    let expected = |ids: &[&str]| -> Vec<String> { ids.iter().map(|s| s.to_string()).collect() };
    assert_eq!(
        themes_of("de"),
        expected(&[
            "outside_perspective",
            "learning_from_experience",
            "networks_opportunities",
            "confidence_worth",
            "mutual_benefit"
        ])
    );
    assert_eq!(
        themes_of("es"),
        expected(&[
            "outside_perspective",
            "learning_from_experience",
            "networks_opportunities",
            "confidence_worth",
            "mutual_benefit"
        ])
    );
    assert_eq!(
        themes_of("fr"),
        expected(&[
            "outside_perspective",
            "new_ideas",
            "networks_opportunities",
            "career_direction",
            "counsel_support"
        ])
    );
}

/// Themes are benefits of mentorship: an article about something else (a network library that
/// speaks of networks and a fresh perspective) states none, until it mentions a mentor.
#[test]
fn only_articles_about_the_topic_state_themes() {
    let folder = tempfile::tempdir().unwrap();
    let body = "Why we rewrote the router\n\nThe rewrite gave the team a fresh perspective on the old code and a new way to see the problem.\n\nIt also widened our professional network: three companies now send patches, and the project opened doors to new contributors.\n\nBenefits of the rewrite:\n\n- A fresh perspective on routing\n- A stronger network of contributors\n";
    // Writes the article and checks how many documents state each of the two themes.
    let assert_stated_by = |text: &str, documents: usize| {
        std::fs::write(folder.path().join("router.txt"), text).unwrap();
        let json = themes_json(&[folder.path().to_str().unwrap()]);
        for id in ["outside_perspective", "networks_opportunities"] {
            assert_eq!(
                theme(&json, id)["documents"].as_array().unwrap().len(),
                documents,
                "{id}: {json:#}"
            );
        }
    };
    assert_stated_by(body, 0);
    assert_stated_by(
        &body.replace(
            "The rewrite gave",
            "Working with a mentor on the rewrite gave",
        ),
        1,
    );
}

#[test]
fn page_furniture_never_becomes_a_discovered_theme() {
    let corpus = tempfile::tempdir().unwrap();
    for (name, topic) in [("a.txt", "sleep"), ("b.txt", "rest"), ("c.txt", "calm")] {
        let text = format!(
            "Why a mentor helps\n\n1 minute read\n\nAdvertisement\n\nHere are the benefits of a mentor:\n\n1 minute read\n\nAdvertisement\n\nShare this article\n\nRelated articles\n\nBetter {topic} after long shifts\n"
        );
        write(corpus.path(), name, &text);
    }
    let json = themes_json(&[corpus.path().to_str().unwrap()]);
    for discovered in json["discovered_themes"].as_array().unwrap() {
        let text = discovered.to_string().to_lowercase();
        for furniture in ["minute", "read", "advertisement", "share", "related"] {
            assert!(
                !text.contains(furniture),
                "furniture surfaced: {discovered}"
            );
        }
    }
}

#[test]
fn no_default_taxonomy_runs_with_the_users_taxonomy_alone() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "taxonomy.tsv",
        "id\tlabel\tdefinition\tkram\nautonomy\tAutonomy\tThe mentee learns to work on their own.\tcareer: coaching\n",
    );
    let corpus = tempfile::tempdir().unwrap();
    write(
        corpus.path(),
        "a.txt",
        "Why a mentor matters\n\nA mentor builds your independence and self-reliance.\n\nA mentor opens doors to a wider network of contacts.\n",
    );
    let taxonomy = dir.path().join("taxonomy.tsv");
    let alone = themes_json(&[
        "--taxonomy",
        taxonomy.to_str().unwrap(),
        "--no-default-taxonomy",
        corpus.path().to_str().unwrap(),
    ]);
    let ids: Vec<&str> = alone["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["autonomy"]);
    assert_eq!(
        alone["documents"][0]["themes"],
        serde_json::json!(["autonomy"])
    );

    // Without the flag the file extends the built-in taxonomy, whose cues find the network.
    let extended = themes_json(&[
        "--taxonomy",
        taxonomy.to_str().unwrap(),
        corpus.path().to_str().unwrap(),
    ]);
    let stated = extended["documents"][0]["themes"].as_array().unwrap();
    assert!(
        stated.iter().any(|t| t == "networks_opportunities"),
        "{stated:?}"
    );

    // The flag needs a taxonomy.
    let output = mentorlens()
        .args(["themes", "--no-default-taxonomy"])
        .arg(corpus.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
