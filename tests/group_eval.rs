//! Translation and duplicate groups on the seed corpus and on copies made from it.

mod common;

use common::{mentorlens, root};
use serde_json::Value;

fn groups_of(paths: &[&std::path::Path]) -> Vec<Value> {
    let output = mentorlens()
        .args(["analyze", "--quiet"])
        .args(paths)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["groups"].as_array().unwrap().clone()
}

fn ids(group: &Value) -> Vec<String> {
    group["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_seed_corpus_has_exactly_the_gold_translation_group() {
    let groups = groups_of(&[&root().join("corpus")]);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(groups[0]["kind"], "translation");
    assert_eq!(
        ids(&groups[0]),
        ["000_6d249e2a96ff57b8", "001_c8f67bc4325f3f9a"]
    );
    let paragraphs = groups[0]["alignments"][0]["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), 20);
}

/// Seed 002 with spinner-style substitutions (the lexicon read backwards) in many of its words.
fn spin(text: &str) -> String {
    let lexicon = std::fs::read_to_string(root().join("src/normalize/lexicon.tsv")).unwrap();
    let mut spun = text.to_string();
    for line in lexicon.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(spun_form), Some(original)) = (fields.first(), fields.get(1)) else {
            continue;
        };
        if original.contains(' ') || spun_form.contains(['{', '[']) {
            continue;
        }
        spun = spun
            .split(' ')
            .map(|word| {
                if word == *original {
                    spun_form.to_string()
                } else {
                    word.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    spun
}

#[test]
fn copies_and_spun_copies_form_duplicate_groups() {
    let folder = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, folder.path().join(path.file_name().unwrap())).unwrap();
    }
    let clean = std::fs::read_to_string(root().join("corpus/002_b93d072c615ee9a5.txt")).unwrap();
    let spun = spin(&clean);
    let changed = clean
        .split(' ')
        .zip(spun.split(' '))
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed >= 25, "only {changed} words spun");
    std::fs::write(folder.path().join("spun_copy.txt"), &spun).unwrap();
    std::fs::write(
        folder.path().join("exact_copy.txt"),
        std::fs::read(root().join("corpus/004_d14e9c0db9af65cb.txt")).unwrap(),
    )
    .unwrap();
    let groups = groups_of(&[folder.path()]);
    let find = |member: &str| {
        groups
            .iter()
            .find(|g| ids(g).contains(&member.to_string()))
            .cloned()
    };
    let spun_group = find("spun_copy").expect("the spun copy is grouped");
    assert_eq!(spun_group["kind"], "duplicate");
    assert_eq!(ids(&spun_group).len(), 2);
    assert!(ids(&spun_group).contains(&"002_b93d072c615ee9a5".to_string()));
    let copy_group = find("exact_copy").expect("the exact copy is grouped");
    assert!(ids(&copy_group).contains(&"004_d14e9c0db9af65cb".to_string()));
    assert_eq!(groups.len(), 3, "{groups:#?}");
    assert!(find("003_c1d548cdc3955c20").is_none());
}

// The planted-corpus generator of the benches; this test uses only the planted part.
#[allow(dead_code)]
#[path = "../benches/support/synthetic.rs"]
mod synthetic;

/// Planted translations (two or three languages) and duplicates (exact, or a paragraph dropped)
/// among unrelated articles built from the same sentences: recall ≥ 0.95, precision ≥ 0.99.
#[test]
fn planted_translations_and_duplicates_are_found_among_unrelated_articles() {
    use mentorlens::corpus::document_from_bytes;
    let pipeline = mentorlens::Pipeline::new(&mentorlens::Config::default()).unwrap();
    let (corpus, planted) = synthetic::generate_planted(&root(), 1500, 11);
    let analysed: Vec<_> = corpus
        .into_iter()
        .map(|(id, bytes)| {
            pipeline.analyse_document(document_from_bytes(id.clone(), id, bytes).unwrap())
        })
        .collect();
    let found = mentorlens::align::group::group(&analysed);
    let (recall, precision) =
        synthetic::recall_precision(planted.into_iter(), found.into_iter().map(|g| g.documents));
    println!("planted groups: recall {recall:.4}, precision {precision:.4}");
    assert!(recall >= 0.95, "recall {recall:.4}");
    assert!(precision >= 0.99, "precision {precision:.4}");
}

/// Short unrelated articles with the same shape (title, intro, heading, paragraph) share no name
/// or number and no wording: shape alone never makes them versions of one article.
#[test]
fn articles_that_share_only_their_shape_do_not_group() {
    let folder = tempfile::tempdir().unwrap();
    let articles = [
        "Mentoring at the plant\n\nHere are the benefits I saw this year:\n\nHealthier sleep\n\nOur night shift crew rested more once someone checked in on them.\n",
        "What my mentor gave me\n\nThree benefits stood out for me:\n\nCalmer sleep habits\n\nI stopped answering e-mail at midnight after we talked it through.\n",
        "Notes from a nursing mentor\n\nThe benefits for new nurses:\n\nSleep improves quickly\n\nRookies on rotating rosters learn to guard their rest days.\n",
    ];
    for (k, text) in articles.iter().enumerate() {
        std::fs::write(folder.path().join(format!("{k}.txt")), text).unwrap();
    }
    assert!(groups_of(&[folder.path()]).is_empty());
}

/// Some machine translations replace numbers with placeholders: names and shape still tie the
/// versions, and the evidence says how far beyond chance they are.
#[test]
fn a_translation_whose_numbers_became_placeholders_still_groups() {
    let folder = tempfile::tempdir().unwrap();
    let corpus = root().join("corpus");
    for name in [
        "000_6d249e2a96ff57b8",
        "002_b93d072c615ee9a5",
        "004_d14e9c0db9af65cb",
    ] {
        std::fs::copy(
            corpus.join(format!("{name}.txt")),
            folder.path().join(format!("{name}.txt")),
        )
        .unwrap();
    }
    let polish = std::fs::read_to_string(corpus.join("001_c8f67bc4325f3f9a.txt")).unwrap();
    let placeholders: String = polish
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    std::fs::write(folder.path().join("pl_placeholders.txt"), placeholders).unwrap();
    let groups = groups_of(&[folder.path()]);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(ids(&groups[0]), ["000_6d249e2a96ff57b8", "pl_placeholders"]);
    let evidence = &groups[0]["evidence"][0];
    assert!(
        evidence["significance"].as_f64().unwrap() > 4.0,
        "{evidence}"
    );
    assert!(
        evidence["shared_anchors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| !a.as_str().unwrap().starts_with('#')),
        "{evidence}"
    );
}

/// In a small corpus every name looks rare: two unrelated short articles in two languages that
/// share one company name and their shape are still not versions of one article.
#[test]
fn unrelated_articles_sharing_a_name_and_a_shape_do_not_group() {
    let folder = tempfile::tempdir().unwrap();
    let english = "Why our interns stay\n\nWe hired six interns last spring and asked each of them to pick a mentor outside their own team. The pairs met every second week for coffee.\n\nBy autumn most of the interns said the talks with a mentor at Microsoft had helped them choose their next course at university.\n\nWe will keep the programme next year and invite more teams to take part in it.\n";
    let swedish = "Cykla till jobbet i vinter\n\nAllt fler i staden väljer cykeln även när det är kallt ute. Kommunen plogar nu cykelbanorna före bilvägarna varje morgon.\n\nEn av dem som cyklar året runt arbetar på Microsoft och säger att dubbdäck och bra vantar är det viktigaste.\n\nNästa vinter vill kommunen bygga fler tak över cykelställen vid stationen.\n";
    std::fs::write(folder.path().join("en.txt"), english).unwrap();
    std::fs::write(folder.path().join("sv.txt"), swedish).unwrap();
    let groups = groups_of(&[folder.path()]);
    assert!(groups.is_empty(), "{groups:#?}");
}

/// The team's development set of real translation groups (`../shared/dev/groups`: 14 groups in
/// about 25 languages and 10 scripts, with same-site distractors; read in place, the texts belong
/// to their authors), scored as its README says: pairwise precision and recall of "same article"
/// over all its documents. Prints the figures and the missed pairs; fails below the figures
/// measured when the test was written, so a regression shows.
#[test]
fn development_groups_in_many_languages_and_scripts() {
    use std::collections::BTreeSet;
    let folder = root().join("../shared/dev/groups");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(folder.join("gold.json"))
            .expect("the development set must be beside the checkout (../shared/dev/groups)"),
    )
    .unwrap();
    let mut inputs = Vec::new();
    let mut gold_pairs = BTreeSet::new();
    for group in gold["groups"].as_array().unwrap() {
        let ids: Vec<String> = group["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_string())
            .collect();
        inputs.extend(ids.iter().map(|id| folder.join(format!("{id}.txt"))));
        for (k, a) in ids.iter().enumerate() {
            for b in &ids[k + 1..] {
                gold_pairs.insert((a.min(b).clone(), a.max(b).clone()));
            }
        }
    }
    let paths: Vec<&std::path::Path> = inputs.iter().map(std::path::PathBuf::as_path).collect();
    let mut found_pairs = BTreeSet::new();
    for group in groups_of(&paths) {
        let ids = ids(&group);
        for (k, a) in ids.iter().enumerate() {
            for b in &ids[k + 1..] {
                found_pairs.insert((a.min(b).clone(), a.max(b).clone()));
            }
        }
    }
    let right = found_pairs.intersection(&gold_pairs).count();
    let precision = right as f64 / found_pairs.len().max(1) as f64;
    let recall = right as f64 / gold_pairs.len().max(1) as f64;
    let missed: Vec<_> = gold_pairs.difference(&found_pairs).collect();
    let wrong: Vec<_> = found_pairs.difference(&gold_pairs).collect();
    println!(
        "development groups: {} documents, {} gold pairs, {} found, {right} right: precision {precision:.3}, recall {recall:.3}\nmissed: {missed:?}\nwrong: {wrong:?}",
        inputs.len(),
        gold_pairs.len(),
        found_pairs.len()
    );
    // Measured when written: precision 1.000, recall 0.668 (181 of 271 pairs; the misses are
    // mostly pairs across scripts, CJK and Hangul with Latin above all).
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.65, "recall {recall:.3}");
}
