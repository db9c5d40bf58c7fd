//! Translation and duplicate groups on the seed corpus and on copies made from it.

use crate::common::{mentorlens, root};
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

/// Planted translations (two or three languages) and duplicates (exact, or a paragraph dropped)
/// among unrelated articles built from the same sentences: recall ≥ 0.95, precision ≥ 0.99.
#[test]
fn planted_translations_and_duplicates_are_found_among_unrelated_articles() {
    use mentorlens::corpus::document_from_bytes;
    let pipeline = mentorlens::Pipeline::new(&mentorlens::Config::default()).unwrap();
    let (corpus, planted) = crate::synthetic::generate_planted(&root(), 1500, 11);
    let analysed: Vec<_> = corpus
        .into_iter()
        .map(|(id, bytes)| {
            pipeline.analyse_document(document_from_bytes(id.clone(), id, bytes).unwrap())
        })
        .collect();
    let inputs: Vec<_> = analysed.iter().map(|d| d.grouped()).collect();
    let found = mentorlens::align::group::group(&inputs, &Default::default());
    let (recall, precision) = crate::synthetic::recall_precision(
        planted.into_iter(),
        found.into_iter().map(|g| g.documents),
    );
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

/// The kind of script a document of the development set is in, for the per-kind figures.
fn script_kind(path: &std::path::Path) -> &'static str {
    let text = std::fs::read_to_string(path).unwrap();
    use mentorlens::text::tokens::{DocumentScript, dominant_script};
    match dominant_script(&text) {
        DocumentScript::Latin => "Latin",
        DocumentScript::Chinese | DocumentScript::Japanese | DocumentScript::Korean => "CJK",
        _ => "other",
    }
}

/// The kind of a pair: `Latin–Latin`, `Latin–CJK`, `CJK–CJK`, or `other scripts` when either is
/// in another script (Cyrillic, Greek, Hebrew, Arabic, Thai, …).
fn pair_kind(a: &str, b: &str) -> &'static str {
    match (a.min(b), a.max(b)) {
        ("Latin", "Latin") => "Latin–Latin",
        ("CJK", "Latin") => "Latin–CJK",
        ("CJK", "CJK") => "CJK–CJK",
        _ => "other scripts",
    }
}

/// The development set of real translation groups (read in place) and its gold.
fn development_groups() -> (std::path::PathBuf, Value) {
    let folder = root().join("../shared/dev/groups");
    let gold = serde_json::from_str(
        &std::fs::read_to_string(folder.join("gold.json"))
            .expect("the development set must be beside the checkout (../shared/dev/groups)"),
    )
    .unwrap();
    (folder, gold)
}

/// The team's development set of real translation groups (`../shared/dev/groups`: 14 groups in
/// about 25 languages and 10 scripts, with same-site distractors; read in place, the texts belong
/// to their authors), scored as its README says: pairwise precision and recall of "same article"
/// over all its documents, overall, per kind of script pair and on pairs with a Chinese,
/// Japanese or Korean document. Prints the figures, the missed and the wrong pairs; fails below
/// the targets of the grouping stage (precision 0.99, recall 0.90 overall, 0.85 with CJK and in
/// each kind of pair).
#[test]
fn development_groups_in_many_languages_and_scripts() {
    use std::collections::{BTreeMap, BTreeSet};
    let (folder, gold) = development_groups();
    let mut inputs = Vec::new();
    let mut kinds = BTreeMap::new();
    let mut gold_pairs = BTreeSet::new();
    for group in gold["groups"].as_array().unwrap() {
        let ids: Vec<String> = group["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_string())
            .collect();
        for id in &ids {
            let path = folder.join(format!("{id}.txt"));
            kinds.insert(id.clone(), script_kind(&path));
            inputs.push(path);
        }
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
        "development groups: {} documents, {} gold pairs, {} found, {right} right: precision {precision:.3}, recall {recall:.3}",
        inputs.len(),
        gold_pairs.len(),
        found_pairs.len()
    );
    // Recall per kind of pair (and on every pair with a CJK document); precision per kind of the
    // pairs found.
    let kind_of = |(a, b): &(String, String)| pair_kind(kinds[a], kinds[b]);
    let with_cjk = |(a, b): &(String, String)| kinds[a] == "CJK" || kinds[b] == "CJK";
    let mut recall_by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for pair in &gold_pairs {
        let hit = usize::from(found_pairs.contains(pair));
        for kind in [
            Some(kind_of(pair)),
            with_cjk(pair).then_some("any with CJK"),
        ]
        .into_iter()
        .flatten()
        {
            let entry = recall_by_kind.entry(kind).or_default();
            entry.0 += hit;
            entry.1 += 1;
        }
    }
    for (kind, (hits, total)) in &recall_by_kind {
        let wrong_of_kind = wrong
            .iter()
            .filter(|pair| kind_of(pair) == *kind || *kind == "any with CJK" && with_cjk(pair))
            .count();
        println!(
            "  {kind:<14} recall {:.3} ({hits} of {total}), wrong pairs found {wrong_of_kind}",
            *hits as f64 / (*total).max(1) as f64
        );
    }
    println!("missed: {missed:?}\nwrong: {wrong:?}");
    // Measured at the first version: precision 1.000, recall 0.668 (Latin–Latin 0.847, Latin–CJK
    // 0.556, CJK–CJK 0.579, other scripts 0.632, any with CJK 0.564).
    assert!(precision >= 0.99, "precision {precision:.3}");
    assert!(recall >= 0.90, "recall {recall:.3}");
    for (kind, (hits, total)) in &recall_by_kind {
        let kind_recall = *hits as f64 / (*total).max(1) as f64;
        assert!(
            kind_recall >= 0.85,
            "recall on {kind} pairs {kind_recall:.3}"
        );
    }
}

/// The first `count` paragraphs (blocks between blank lines) of a text.
fn first_paragraphs(text: &str, count: usize) -> String {
    let blocks: Vec<&str> = text
        .split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .collect();
    blocks[..count.min(blocks.len())].join("\n\n") + "\n"
}

/// Versions cut short: a Polish copy of seed 001 that keeps its first half joins the group of 000
/// and 001, and against the Swedish 000 its paragraphs pair one to one, the rest of 000 left as
/// 1-0 rows (paragraph F1 ≥ 0.9 on the gold, which pairs the two seeds paragraph for paragraph).
#[test]
fn a_version_cut_short_joins_its_group_and_aligns_one_to_one() {
    let folder = tempfile::tempdir().unwrap();
    let corpus = root().join("corpus");
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, folder.path().join(path.file_name().unwrap())).unwrap();
    }
    let polish = std::fs::read_to_string(corpus.join("001_c8f67bc4325f3f9a.txt")).unwrap();
    let paragraphs = polish
        .split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .count();
    assert_eq!(paragraphs, 20, "the seed has 20 paragraphs");
    std::fs::write(
        folder.path().join("polish_cut.txt"),
        first_paragraphs(&polish, 11),
    )
    .unwrap();
    let groups = groups_of(&[folder.path()]);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(
        ids(&groups[0]),
        ["000_6d249e2a96ff57b8", "001_c8f67bc4325f3f9a", "polish_cut"]
    );
    // The alignment of the Swedish seed with the cut copy, as `align` gives it.
    let output = mentorlens()
        .args(["align", "--format", "json"])
        .arg(corpus.join("000_6d249e2a96ff57b8.txt"))
        .arg(folder.path().join("polish_cut.txt"))
        .output()
        .unwrap();
    let alignment: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = alignment["paragraphs"].as_array().unwrap();
    let links: Vec<(u64, u64)> = rows
        .iter()
        .flat_map(|row| {
            let a: Vec<u64> = row["a"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            let b: Vec<u64> = row["b"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            a.iter()
                .flat_map(move |&x| b.clone().into_iter().map(move |y| (x, y)))
                .collect::<Vec<_>>()
        })
        .collect();
    let right = links.iter().filter(|(a, b)| a == b).count();
    let (precision, recall) = (
        right as f64 / links.len().max(1) as f64,
        right as f64 / 11.0,
    );
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
    println!("cut copy: paragraph links precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}");
    assert!(f1 >= 0.9, "F1 {f1:.3}: {rows:?}");
    let unpaired_tail = rows
        .iter()
        .rev()
        .take_while(|row| row["b"].as_array().unwrap().is_empty())
        .count();
    assert!(unpaired_tail >= 8, "{rows:?}");
}

/// One document analysed as `analyze` reads it (the paragraphs it segments are the ones aligned).
fn analysed(id: &str, text: &str) -> mentorlens::AnalysedDocument {
    let pipeline = mentorlens::Pipeline::new(&mentorlens::Config::default()).unwrap();
    let document = mentorlens::corpus::document_from_bytes(
        id.to_string(),
        id.to_string(),
        text.as_bytes().to_vec(),
    )
    .unwrap();
    pipeline.analyse_document(document)
}

/// `text` without its paragraphs `from..to` (as the segmenter finds them; `to` may be past the
/// end): a version cut short (`to` past the end) or lacking a section in the middle.
fn without_paragraphs(text: &str, from: usize, to: usize) -> String {
    let paragraphs = analysed("whole", text).segmented.paragraphs;
    let start = |k: usize| paragraphs.get(k).map_or(text.len(), |p| p.span.start);
    let mut kept = text[..start(from)].to_string();
    kept.push_str(&text[start(to)..]);
    kept
}

/// Paragraph links `(a, b)` of the alignment of two texts, one per paragraph pair that a row
/// ties (a 2-1 row gives two links, a 1-0 row none).
fn paragraph_links(a: &str, b: &str) -> (Vec<(usize, usize)>, Vec<mentorlens::align::Bead>) {
    let (a, b) = (analysed("a", a), analysed("b", b));
    let rows = mentorlens::align::align(
        &a.document.text,
        &a.segmented,
        &b.document.text,
        &b.segmented,
    )
    .paragraphs;
    let links = rows
        .iter()
        .flat_map(|row| {
            row.a
                .iter()
                .flat_map(|&x| row.b.iter().map(move |&y| (x, y)))
        })
        .collect();
    (links, rows)
}

/// F1 of found links against gold links.
fn link_f1(found: &[(usize, usize)], gold: &[(usize, usize)]) -> f64 {
    let right = found.iter().filter(|link| gold.contains(link)).count() as f64;
    let precision = right / found.len().max(1) as f64;
    let recall = right / gold.len().max(1) as f64;
    2.0 * precision * recall / (precision + recall).max(f64::EPSILON)
}

/// A full version `whole` (paragraph `k` the translation of `other`'s paragraph `k`, as the two
/// full versions align), cut to lack its paragraphs `from..to`, aligned against `other`: the
/// paragraph link F1 against that gold is at least `f1_floor`, and the share of the lacking
/// paragraphs of `other` that are 1-0 rows at least `lacking_floor`. Returns the F1.
fn check_cut_alignment(
    label: &str,
    (other, whole): (&str, &str),
    (from, to): (usize, usize),
    (f1_floor, lacking_floor): (f64, f64),
) -> f64 {
    let (full_links, _) = paragraph_links(other, whole);
    let count = analysed("whole", whole).segmented.paragraphs.len();
    let identity: Vec<(usize, usize)> = (0..count).map(|k| (k, k)).collect();
    assert_eq!(
        full_links, identity,
        "{label}: the full versions align one to one"
    );
    let cut = without_paragraphs(whole, from, to);
    let missing = to.min(count) - from;
    // Paragraph k of the cut version is paragraph k (before the gap) or k + missing (after it).
    let gold: Vec<(usize, usize)> = (0..count - missing)
        .map(|k| (if k < from { k } else { k + missing }, k))
        .collect();
    let (links, rows) = paragraph_links(other, &cut);
    let f1 = link_f1(&links, &gold);
    let lacking: Vec<usize> = rows
        .iter()
        .filter(|row| row.b.is_empty())
        .flat_map(|row| row.a.clone())
        .collect();
    println!(
        "{label}: paragraphs {from}..{} of {count} cut out, paragraph link F1 {f1:.3}, {} 1-0 rows",
        to.min(count),
        lacking.len()
    );
    assert!(f1 >= f1_floor, "{label}: F1 {f1:.3}: {rows:?}");
    let right_lacking = lacking
        .iter()
        .filter(|&&k| (from..from + missing).contains(&k))
        .count();
    assert!(
        right_lacking as f64 >= missing as f64 * lacking_floor,
        "{label}: {right_lacking} of the {missing} lacking paragraphs are 1-0 rows: {rows:?}"
    );
    f1
}

/// A real text read in place (the seeds, or the development set beside the project).
fn read_in_place(path: std::path::PathBuf) -> String {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the data must be in place)", path.display()))
}

/// The Swedish and Polish seeds and the Swedish and Japanese keepachangelog versions of the
/// development set, read in place: the real translations the cut-version tests cut.
fn seeds_and_changelogs() -> [String; 4] {
    let corpus = root().join("corpus");
    let dev = root().join("../shared/dev/groups");
    [
        read_in_place(corpus.join("000_6d249e2a96ff57b8.txt")),
        read_in_place(corpus.join("001_c8f67bc4325f3f9a.txt")),
        read_in_place(dev.join("keepachangelog_sv.txt")),
        read_in_place(dev.join("keepachangelog_ja.txt")),
    ]
}

/// Versions cut short, made from real translations: the seeds (Swedish 000, Polish 001) and the
/// Swedish and Japanese versions of one article of the development set (read in place). A prefix
/// pairs one to one (F1 ≥ 0.9) with the rest of the other version as 1-0 rows, Japanese included.
#[test]
fn versions_cut_short_align_one_to_one_with_the_rest_unpaired() {
    let [swedish, polish, changelog_sv, changelog_ja] = seeds_and_changelogs();
    let mut prefixes = Vec::new();
    for (label, versions, from) in [
        ("seed pl, prefix", (&swedish, &polish), 11),
        ("seed sv, prefix", (&polish, &swedish), 9),
        ("changelog ja, prefix", (&changelog_sv, &changelog_ja), 17),
        (
            "changelog ja, short prefix",
            (&changelog_sv, &changelog_ja),
            10,
        ),
        ("changelog sv, prefix", (&changelog_ja, &changelog_sv), 14),
    ] {
        let versions = (versions.0.as_str(), versions.1.as_str());
        prefixes.push(check_cut_alignment(
            label,
            versions,
            (from, usize::MAX),
            (0.9, 0.9),
        ));
    }
    let mean = prefixes.iter().sum::<f64>() / prefixes.len() as f64;
    println!("versions cut short: mean paragraph link F1 {mean:.3}");
}

/// Versions lacking a section of 3 to 6 paragraphs in the middle, made from real translations
/// (the seeds, and versions of two articles of the development set read in place: Swedish and
/// Japanese, Spanish and English, Japanese and English (Twelve-Factor), German and English): each aligns around
/// its gap, its paragraphs one to one and the section it lacks as 1-0 rows of the other version,
/// at a mean paragraph link F1 of at least 0.95, each at least 0.9. (Between Swedish and
/// Japanese, short headings and list items around the gap are told apart by being list items or
/// not: their lengths and the few names they share cannot tell where the section begins.)
#[test]
fn versions_lacking_a_middle_section_align_around_the_gap() {
    let [swedish, polish, changelog_sv, changelog_ja] = seeds_and_changelogs();
    let dev = root().join("../shared/dev/groups");
    let rustbook_en = read_in_place(dev.join("rustbook-intro_en.txt"));
    let rustbook_es = read_in_place(dev.join("rustbook-intro_es.txt"));
    let config_en = read_in_place(dev.join("12factor-config_en.txt"));
    let config_ja = read_in_place(dev.join("12factor-config_ja.txt"));
    let semver_de = read_in_place(dev.join("semver_de.txt"));
    let semver_en = read_in_place(dev.join("semver_en.txt"));
    let mut gaps = Vec::new();
    for (label, versions, section) in [
        ("seed pl, gap", (&swedish, &polish), (7, 13)),
        ("seed sv, gap", (&polish, &swedish), (4, 7)),
        ("seed pl, late gap", (&swedish, &polish), (12, 16)),
        ("changelog ja, gap", (&changelog_sv, &changelog_ja), (8, 13)),
        (
            "changelog ja, late gap",
            (&changelog_sv, &changelog_ja),
            (18, 22),
        ),
        (
            "changelog sv, gap",
            (&changelog_ja, &changelog_sv),
            (15, 18),
        ),
        ("rustbook es, gap", (&rustbook_en, &rustbook_es), (6, 10)),
        ("config ja, gap", (&config_en, &config_ja), (3, 6)),
        ("semver de, gap", (&semver_en, &semver_de), (3, 6)),
    ] {
        let versions = (versions.0.as_str(), versions.1.as_str());
        gaps.push(check_cut_alignment(label, versions, section, (0.9, 0.3)));
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    println!("versions lacking a middle section: mean paragraph link F1 {mean:.3}");
    assert!(mean >= 0.95, "mean paragraph link F1 {mean:.3}");
}

/// A Polish seed lacking a middle section (6 of its 20 paragraphs) joins the group of the seeds.
/// (Japanese copies cut short: see the last test.)
#[test]
fn a_version_lacking_a_middle_section_joins_its_group() {
    let folder = tempfile::tempdir().unwrap();
    let corpus = root().join("corpus");
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, folder.path().join(path.file_name().unwrap())).unwrap();
    }
    let polish = std::fs::read_to_string(corpus.join("001_c8f67bc4325f3f9a.txt")).unwrap();
    std::fs::write(
        folder.path().join("polish_gap.txt"),
        without_paragraphs(&polish, 7, 13),
    )
    .unwrap();
    let groups = groups_of(&[folder.path()]);
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(
        ids(&groups[0]),
        ["000_6d249e2a96ff57b8", "001_c8f67bc4325f3f9a", "polish_gap"]
    );
}

/// `check` on real translations: each Japanese document of the development set, checked against
/// the rest of the set without any Japanese document, is reported as a translation of a version
/// of its own article (a warning by default, so the check passes; an error with `--fail-on
/// translation`, so it fails), with the matching document and the line of the first aligned
/// paragraph there, and never as a translation of another article. Prints how many are found.
#[test]
fn check_reports_japanese_translations_of_the_development_set() {
    use std::collections::BTreeMap;
    let (folder, gold) = development_groups();
    let corpus = tempfile::tempdir().unwrap();
    let mut article_of = BTreeMap::new();
    let mut japanese = Vec::new();
    for group in gold["groups"].as_array().unwrap() {
        let ids: Vec<&str> = group["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap())
            .collect();
        for id in &ids {
            let path = folder.join(format!("{id}.txt"));
            article_of.insert(path.clone(), group["slug"].as_str().unwrap().to_string());
            if id.ends_with("_ja") {
                // Only a version with siblings has a corpus version to be found.
                if ids.len() > 1 {
                    japanese.push(path);
                }
            } else {
                std::fs::copy(&path, corpus.path().join(format!("{id}.txt"))).unwrap();
            }
        }
    }
    assert!(japanese.len() >= 8, "{japanese:?}");
    let check = |extra: &[&str]| {
        let output = mentorlens()
            .args(["check", "--no-config", "--format", "json"])
            .args(extra)
            .args(&japanese)
            .arg("--against")
            .arg(corpus.path())
            .output()
            .unwrap();
        let findings: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (
            output.status.code(),
            findings["findings"].as_array().unwrap().clone(),
        )
    };
    let (code, findings) = check(&[]);
    let mut reported = BTreeMap::new();
    let mut wrong = Vec::new();
    for finding in &findings {
        assert_eq!(finding["rule"], "translation", "{finding:#}");
        assert_eq!(finding["severity"], "warning", "{finding:#}");
        let new = std::path::PathBuf::from(finding["location"]["path"].as_str().unwrap());
        let matched = finding["related"][0]["path"].as_str().unwrap();
        let matched_id = std::path::Path::new(matched).file_stem().unwrap();
        let matched_article = &article_of[&folder.join(matched_id).with_extension("txt")];
        if &article_of[&new] != matched_article {
            wrong.push((new, matched.to_string()));
            continue;
        }
        // The line given there starts a paragraph of the matching document.
        let text = std::fs::read_to_string(matched).unwrap();
        let line = finding["related"][0]["line"].as_u64().unwrap() as usize;
        let starts_paragraph = line == 1
            || text
                .lines()
                .nth(line - 2)
                .is_some_and(|l| l.trim().is_empty())
            || text
                .lines()
                .nth(line - 1)
                .is_some_and(|l| l.starts_with("- "));
        assert!(starts_paragraph, "line {line} of {matched}: {finding:#}");
        let message = finding["message"].as_str().unwrap();
        assert!(message.contains("paragraphs align one to one"), "{message}");
        *reported.entry(new).or_insert(0) += 1;
    }
    println!(
        "check: {} of {} Japanese documents reported as translations of their own article; {} findings, {} of another article {wrong:?}; exit code {code:?}",
        reported.len(),
        japanese.len(),
        findings.len(),
        wrong.len()
    );
    // Same-topic articles of one site (how to reset an Apple ID password) can pass: `check` scores
    // pairs, without the support of a group's other pairs.
    assert!(wrong.len() * 10 <= findings.len(), "{wrong:?}");
    assert_eq!(code, Some(0), "translations are warnings by default");
    assert!(
        reported.len() * 10 >= japanese.len() * 8,
        "found {} of {}: {:?}",
        reported.len(),
        japanese.len(),
        japanese
            .iter()
            .filter(|p| !reported.contains_key(*p))
            .collect::<Vec<_>>()
    );
    let (code, findings) = check(&["--fail-on", "translation"]);
    assert_eq!(code, Some(1), "--fail-on translation fails the check");
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f["severity"] == "error"),
        "{findings:#?}"
    );
}

/// The Japanese keepachangelog of the development set cut to its first 10, 12, 18 or 24 of 29
/// paragraphs, in the whole development set in place of the full version, joins the group of its
/// article, and that group holds no document of another article. At 24 the Latin words it keeps
/// stand one space from Japanese text (`Unreleased 節`), which makes them names; at 10 to 18 it
/// keeps no Latin word, number or katakana name, and the lengths of its paragraphs tie it: the
/// steps of its opening block it with the versions in other scripts, and its paragraphs' lengths
/// against theirs, one to one, score it.
#[test]
fn a_japanese_version_cut_short_joins_its_group_in_the_development_set() {
    let source = root().join("../shared/dev/groups");
    let japanese = read_in_place(source.join("keepachangelog_ja.txt"));
    assert_eq!(analysed("ja", &japanese).segmented.paragraphs.len(), 29);
    for kept in [10, 12, 18, 24] {
        let folder = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if name.ends_with(".txt")
                && !name.ends_with(".source.txt")
                && name != "keepachangelog_ja.txt"
            {
                std::fs::copy(&path, folder.path().join(&name)).unwrap();
            }
        }
        let cut = without_paragraphs(&japanese, kept, usize::MAX);
        assert_eq!(analysed("ja", &cut).segmented.paragraphs.len(), kept);
        std::fs::write(folder.path().join("keepachangelog_ja.txt"), cut).unwrap();
        let groups = groups_of(&[folder.path()]);
        let group = groups
            .iter()
            .find(|g| ids(g).contains(&"keepachangelog_en".to_string()))
            .expect("the article's group");
        let members = ids(group);
        assert!(
            members.contains(&"keepachangelog_ja".to_string()),
            "cut to {kept}: {members:?}"
        );
        assert!(
            members.iter().all(|id| id.starts_with("keepachangelog_")),
            "cut to {kept}: {members:?}"
        );
        println!("japanese cut to {kept} of 29 paragraphs: joins {members:?}");
    }
}
