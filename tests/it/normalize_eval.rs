//! The spun-English normaliser measured: word error rate against the original on the team's real
//! spun/original pairs (`../shared/dev/spun`, read in place and required: third-party
//! texts that stay out of the repository), words changed in clean English, and the seed corpus.

use mentorlens::corpus::document_from_bytes;
use mentorlens::normalize::{EditRule, Mangling};
use mentorlens::{AnalysedDocument, Config, Pipeline};
use std::path::PathBuf;
use std::sync::OnceLock;

fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| Pipeline::new(&Config::default()).expect("default config builds"))
}

fn analyse(text: &str) -> AnalysedDocument {
    let document = document_from_bytes("t".into(), "t".into(), text.as_bytes().to_vec()).unwrap();
    pipeline().analyse_document(document)
}

/// Lowercase word tokens: letters, digits and inner apostrophes.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|t| t.trim_matches(['\'', '’']).to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Word-level Levenshtein distance over the reference length.
fn word_error_rate(reference: &[String], hypothesis: &[String]) -> f64 {
    let mut previous: Vec<usize> = (0..=hypothesis.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut current = vec![i + 1; hypothesis.len() + 1];
        for (j, h) in hypothesis.iter().enumerate() {
            current[j + 1] = (previous[j + 1] + 1)
                .min(current[j] + 1)
                .min(previous[j] + usize::from(r != h));
        }
        previous = current;
    }
    previous[hypothesis.len()] as f64 / reference.len().max(1) as f64
}

/// Word error rate before and after normalising each development pair with `pipeline`: prints a
/// table and returns the mean before and after and each pair's rate after, asserting that no pair
/// gets worse.
fn measure_pairs(
    folder: &std::path::Path,
    names: &[String],
    pipeline: &Pipeline,
    title: &str,
) -> Measured {
    let (mut before_sum, mut after_sum, mut spun_found) = (0.0, 0.0, 0);
    let mut per_pair = Vec::new();
    println!("\n{title}\npair                                  WER before  after");
    for name in names {
        let original =
            std::fs::read_to_string(folder.join(format!("{name}_original.txt"))).unwrap();
        let spun = std::fs::read_to_string(folder.join(format!("{name}_spun.txt"))).unwrap();
        let document =
            document_from_bytes("t".into(), "t".into(), spun.as_bytes().to_vec()).unwrap();
        let analysed = pipeline.analyse_document(document);
        let mangling = analysed
            .mangling
            .clone()
            .expect("English gets a mangling score");
        let restored = analysed
            .normalized_text()
            .expect("English gets a normalised text");
        let reference = tokens(&original);
        let before = word_error_rate(&reference, &tokens(&spun));
        let after = word_error_rate(&reference, &tokens(restored));
        println!(
            "{name:<38} {before:>10.3} {after:>6.3}  score {:.2} ({:.2} per 100 words, {} suspicious in {})",
            mangling.score,
            mangling.evidence.per_100_words,
            mangling.evidence.suspicious_words,
            mangling.evidence.words
        );
        assert!(after <= before, "{name}: the normaliser made it worse");
        spun_found += usize::from(mangling.mangled);
        per_pair.push((name.clone(), after));
        before_sum += before;
        after_sum += after;
    }
    let pairs = names.len().max(1) as f64;
    println!(
        "mean                                   {:>10.3} {:>6.3}  ({:.0}% of the errors undone)",
        before_sum / pairs,
        after_sum / pairs,
        100.0 * (1.0 - after_sum / before_sum.max(f64::MIN_POSITIVE))
    );
    println!(
        "{spun_found} of {} spun texts flagged as mangled",
        names.len()
    );
    Measured {
        before: before_sum / pairs,
        after: after_sum / pairs,
        per_pair,
        spun_found,
    }
}

/// What [`measure_pairs`] found.
struct Measured {
    /// Mean word error rate of the spun texts.
    before: f64,
    /// Mean word error rate of the normalised texts.
    after: f64,
    /// Each pair's word error rate after normalising.
    per_pair: Vec<(String, f64)>,
    /// How many spun texts were flagged as mangled.
    spun_found: usize,
}

/// The regression test per pair: with the whole lexicon, each pair's word error rate after
/// normalising stays within 0.02 of what it was when last measured (stop 13). Rows that undo
/// more lower the figures (then lower the ceilings too); a change that costs one pair more than
/// the margin fails here even when the mean improves.
const PAIR_CEILINGS: [(&str, f64); 24] = [
    ("btc_coinbase_premium_structure", 0.135),
    ("btc_coinbase_premium_structure_b", 0.125),
    ("btc_extreme_fear_82k", 0.124),
    ("btc_extreme_fear_82k_b", 0.118),
    ("btc_perps_longs", 0.140),
    ("btc_perps_longs_b", 0.146),
    ("btc_taker_buy_volume", 0.112),
    ("btc_taker_buy_volume_b", 0.099),
    ("btc_taker_buy_volume_c", 0.121),
    ("cardano_thin_ice", 0.062),
    ("cardano_thin_ice_b", 0.082),
    ("cardano_thin_ice_c", 0.091),
    ("ai_chips", 0.111),
    ("ai_definition", 0.100),
    ("ai_encyclopedia", 0.473),
    ("cnn_eli5", 0.235),
    ("bert_papers", 0.238),
    ("conway", 0.227),
    ("disaster_response", 0.326),
    // Other topics (`../shared/dev/spun_topics`), measured at stop 30.
    ("ent_netflix_renewal_a", 0.213),
    ("ent_netflix_renewal_b", 0.215),
    ("health_sauna_after_drinking", 0.255),
    ("lifestyle_castiron_rust", 0.223),
    ("sport_nba_random_player", 0.212),
];

/// Checks each pair against its ceiling in [`PAIR_CEILINGS`]; every measured pair must have one.
fn assert_within_pair_ceilings(measured: &Measured) {
    for (name, after) in &measured.per_pair {
        let ceiling = PAIR_CEILINGS
            .iter()
            .find(|(pair, _)| pair == name)
            .map(|&(_, ceiling)| ceiling)
            .unwrap_or_else(|| panic!("{name}: no ceiling in PAIR_CEILINGS"));
        assert!(
            *after <= ceiling + 0.02,
            "{name}: word error rate {after:.3} after normalising, was {ceiling:.3}"
        );
    }
}

/// The pairs in `folder` (`NAME_spun.txt` beside `NAME_original.txt`), sorted; `None` when the
/// folder is absent.
fn pair_names(folder: &std::path::Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix("_spun.txt")
                .map(String::from)
        })
        .collect();
    names.sort();
    Some(names)
}

#[test]
fn word_error_rate_drops_on_the_development_pairs() {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/dev/spun");
    // The development data lives beside the checkout (CI lays `shared/` there too): a missing
    // folder is a failure, never a silent pass.
    let names = pair_names(&folder).unwrap_or_else(|| {
        panic!(
            "{} is missing: the development pairs must be beside the checkout",
            folder.display()
        )
    });
    assert!(
        names.len() >= 10,
        "only {} pairs in {}",
        names.len(),
        folder.display()
    );
    let whole = measure_pairs(&folder, &names, pipeline(), "whole lexicon");
    let (before, after) = (whole.before, whole.after);
    assert!(
        after < before * 0.45,
        "whole lexicon: {before:.3} -> {after:.3}"
    );
    assert_eq!(whole.spun_found, names.len(), "every spun copy is flagged");
    assert_within_pair_ceilings(&whole);
    // The originals are clean news English: they come through untouched.
    for name in &names {
        let original =
            std::fs::read_to_string(folder.join(format!("{name}_original.txt"))).unwrap();
        let mangling = analyse(&original).mangling.expect("English");
        assert!(!mangling.mangled, "{name}_original is flagged as mangled");
        let changed: usize = mangling.edits.iter().map(|e| tokens(&e.from).len()).sum();
        assert!(
            changed * 500 < tokens(&original).len(),
            "{name}_original: {:?}",
            mangling.edits
        );
    }
    // The `devpairs` entries were read from these very pairs: without them, the rest of the
    // lexicon meets the pairs about as it would meet unseen ones (see the lexicon's notes).
    let mut config = Config::default();
    config.normalize.leave_out_sources = vec!["devpairs".to_string()];
    let held_out = Pipeline::new(&config).unwrap();
    let proxy = measure_pairs(
        &folder,
        &names,
        &held_out,
        "without the entries read from these pairs (held-out proxy)",
    );
    let (before, after) = (proxy.before, proxy.after);
    assert_eq!(
        proxy.spun_found,
        names.len(),
        "flagged without those entries too"
    );
    assert!(
        after < before * 0.7,
        "held-out proxy: {before:.3} -> {after:.3}"
    );
}

/// The development folder `name` beside the checkout (`../shared/dev/NAME`); a missing folder is a
/// failure, never a silent pass.
fn development_folder(name: &str) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/dev")
        .join(name);
    assert!(
        folder.is_dir(),
        "{} is missing: the development data must be beside the checkout",
        folder.display()
    );
    folder
}

/// Real spun copies from entertainment, sport, health and lifestyle (`../shared/dev/spun_topics`, see
/// its README): the pairs of this spinner family must all be flagged, each stay within its ceiling,
/// and lose at least a fifth of their word error on average (31 % at stop 17, 34 % at stop 30 with
/// the single-word pairs read off the lexicon's phrases, 36 % at stop 31; the issue's aim of half is
/// not met: the vocabulary the lexicon lacks is the limit). No row was read from these pairs; the
/// few read from a spun page on one of their topics are left out once to measure them as first met. The `_other` pair, by another
/// paraphraser whose only evidence is single words the family also writes, must be left as it is:
/// not flagged, not rewritten with this family's lexicon. The family's pairs are also measured
/// without any `mined` rows (read from spun pages of the family, no pair), to show what they add.
#[test]
fn word_error_rate_drops_on_spun_pairs_from_other_topics() {
    let folder = development_folder("spun_topics");
    let names = pair_names(&folder).expect("the folder was just found");
    let (other, family): (Vec<String>, Vec<String>) =
        names.into_iter().partition(|name| name.ends_with("_other"));
    assert!(family.len() >= 5, "{family:?}");
    let whole = measure_pairs(
        &folder,
        &family,
        pipeline(),
        "other topics, this spinner family",
    );
    assert_eq!(whole.spun_found, family.len(), "every spun copy is flagged");
    assert!(
        whole.after < whole.before * 0.8,
        "other topics: {:.3} -> {:.3}",
        whole.before,
        whole.after
    );
    assert_within_pair_ceilings(&whole);
    // Rows read from a spun page or a page pair on one of these pairs' topics (`mined_devtopic`,
    // `pairs7_devtopic`: none from the pairs themselves) are left out to measure the pairs as first
    // met, then all mined rows.
    for (left_out, title) in [
        (
            &["mined_devtopic", "pairs7_devtopic"][..],
            "other topics without rows mined on their topics",
        ),
        (
            &["mined", "mined_devtopic", "mined6"][..],
            "other topics without the `mined` rows",
        ),
    ] {
        let mut config = Config::default();
        config.normalize.leave_out_sources = left_out.iter().map(|s| s.to_string()).collect();
        let without = Pipeline::new(&config).unwrap();
        measure_pairs(&folder, &family, &without, title);
    }
    assert!(!other.is_empty(), "no pair by another paraphraser");
    for name in &other {
        let spun = std::fs::read_to_string(folder.join(format!("{name}_spun.txt"))).unwrap();
        let mangling = analyse(&spun).mangling.expect("English");
        println!(
            "{name}: mangled {}, {} suspicious in {} words, {} edits",
            mangling.mangled,
            mangling.evidence.suspicious_words,
            mangling.evidence.words,
            mangling.edits.len()
        );
        assert!(!mangling.mangled, "{name} is flagged on single words alone");
        assert!(mangling.edits.is_empty(), "{name}: {:?}", mangling.edits);
    }
}

/// The clean sides of every development pair (`_original.txt`) and every document of the grouping
/// and themes development sets (`../shared/dev/groups`, `../shared/dev/themes`: documentation and
/// articles in many languages, their English paragraphs read): none flagged, fewer than 1 word in 500
/// changed.
#[test]
fn clean_development_documents_are_left_alone() {
    let mut paths = Vec::new();
    for (name, keep) in [
        ("spun", "_original.txt"),
        ("spun_topics", "_original.txt"),
        ("groups", ".txt"),
        ("themes", ".txt"),
    ] {
        let folder = development_folder(name);
        let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(keep) && !n.ends_with(".source.txt"))
            })
            .collect();
        found.sort();
        assert!(found.len() >= 5, "{}: {found:?}", folder.display());
        paths.extend(found);
    }
    let (mut tally, mut edits) = (CleanTally::default(), Vec::new());
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let Some(mangling) = analyse(&text).mangling else {
            continue;
        };
        tally.add(&path.display().to_string(), &mangling);
        edits.extend(
            mangling
                .edits
                .iter()
                .map(|e| format!("{}: {} -> {}", path.display(), e.from, e.to)),
        );
    }
    println!(
        "\nclean development documents: {} files, {} English words, {} changed, mangled: {:?}, edits: {edits:#?}",
        paths.len(),
        tally.words,
        tally.changed,
        tally.mangled
    );
    tally.assert_untouched();
}

/// Real spun copies of widely quoted texts on other topics, paired with their originals, in
/// batches collected after the lexicon was written (`tests/data/spun_heldout*`, see each SOURCE.md).
/// The rows written after reading a batch carry its source (`heldout1`, `heldout2`, `heldout4`;
/// none for `heldout3`): without them, the figure for that batch as it was first met. Each batch
/// must have at least a floor share of its errors undone, set below what it reaches now: 20 % for
/// batches 1-3, 10 % for batch 4 (whose paraphraser rewrites content words the lexicon cannot
/// know: project -> challenge, classification results -> type effects).
#[test]
fn word_error_rate_drops_on_held_out_pairs_from_other_topics() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (batch, source, least_pairs, most_left) in [
        ("spun_heldout", "heldout1", 4, 0.8),
        ("spun_heldout2", "heldout2", 1, 0.8),
        ("spun_heldout3", "heldout3", 1, 0.8),
        ("spun_heldout4", "heldout4", 1, 0.9),
    ] {
        let folder = root.join(batch);
        let names = pair_names(&folder).expect("the held-out pairs ship with the tests");
        assert!(names.len() >= least_pairs, "{names:?}");
        let measured = measure_pairs(&folder, &names, pipeline(), batch);
        let (before, after) = (measured.before, measured.after);
        assert!(
            after < before * most_left,
            "{batch}: {before:.3} -> {after:.3}"
        );
        assert_within_pair_ceilings(&measured);
        let mut config = Config::default();
        config.normalize.leave_out_sources = vec![source.to_string()];
        let first_met = Pipeline::new(&config).unwrap();
        measure_pairs(
            &folder,
            &names,
            &first_met,
            &format!("{batch} without the `{source}` entries written after reading it"),
        );
    }
}

/// A clean article about tortured phrases, written for this test: it quotes them, lists them as
/// examples and introduces them with "such as", "e.g." and "like". Mention is not use: it is not
/// flagged, and nothing in it is rewritten (neither the quoted phrases nor ordinary words that the
/// spinner also writes, such as "typically" or "throughout").
#[test]
fn an_article_quoting_tortured_phrases_is_not_spun() {
    let text = "How paper mills give themselves away\n\n\
        Researchers who screen the scientific literature for fraud look for tortured phrases: \
        established terms that a paraphrasing tool has replaced word by word. The best known are \
        \"counterfeit consciousness\" for artificial intelligence and \"irregular woodland\" for \
        random forest, and a medical paper may typically write \u{201c}bosom malignant growth\u{201d} \
        where breast cancer is meant.\n\n\
        Spun web pages leave similar traces. Phrases such as imaginative and prescient, content \
        material or well being appear throughout whole networks of sites, and a reader who has seen \
        them once, e.g. Nationwide Basketball Affiliation in a sports story, will recognise the \
        spinner again. Lists of examples like counterfeit consciousness, irregular woodland and \
        bosom malignant growth are now shared between editors.\n\n\
        None of this means that every odd phrase is spun. Writers invent words, quote each other and \
        translate, and a detector has to tell the difference between a text that uses these phrases \
        and one that discusses them.\n";
    let analysed = analyse(text);
    let mangling = analysed.mangling.expect("English");
    assert!(!mangling.mangled, "flagged: {:?}", mangling.evidence);
    assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
    // The same phrases used rather than mentioned are restored.
    let used = "The counterfeit consciousness model uses an irregular woodland to find bosom \
        malignant growth, and its imaginative and prescient is to help the well being of patients.";
    let mangling = analyse(used).mangling.expect("English");
    assert!(mangling.mangled, "{:?}", mangling.evidence);
    for original in [
        "artificial intelligence",
        "random forest",
        "breast cancer",
        "vision",
    ] {
        assert!(
            mangling
                .edits
                .iter()
                .any(|e| e.to.to_lowercase() == original),
            "{original}: {:?}",
            mangling.edits
        );
    }
}

#[test]
fn clean_english_is_left_alone() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut texts =
        vec![std::fs::read_to_string(root.join("corpus/002_b93d072c615ee9a5.txt")).unwrap()];
    for file in ["sentences.tsv", "paragraphs.tsv"] {
        let data = std::fs::read_to_string(root.join("tests/data/langid").join(file)).unwrap();
        texts.extend(
            data.lines()
                .filter_map(|line| line.strip_prefix("en\t"))
                .map(String::from),
        );
    }
    let (mut words, mut changed, mut mangled, mut suspicious) = (0usize, 0usize, 0usize, 0usize);
    let mut examples = Vec::new();
    for text in &texts {
        let analysed = analyse(text);
        let Some(mangling) = analysed.mangling else {
            continue;
        };
        words += tokens(text).len();
        for edit in &mangling.edits {
            changed += tokens(&edit.from).len();
            examples.push(format!("{:?} -> {:?}", edit.from, edit.to));
        }
        mangled += usize::from(mangling.mangled);
        suspicious += mangling.evidence.suspicious_words;
    }
    println!(
        "\nclean English: {} texts, {words} words, {changed} changed ({:.3} per 500), {mangled} mangled, {suspicious} suspicious words; edits: {examples:?}",
        texts.len(),
        500.0 * changed as f64 / words as f64
    );
    assert!(changed * 500 < words, "{changed} of {words} words changed");
    assert_eq!(mangled, 0);
}

#[test]
fn seed_003_is_spun_and_restored() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("corpus/003_c1d548cdc3955c20.txt")).unwrap();
    let analysed = analyse(&text);
    let mangling = analysed.mangling.as_ref().unwrap();
    assert!(mangling.mangled);
    for (from, to) in [
        ("advertising and marketing", "marketing"),
        ("imaginative and prescient", "vision"),
        ("the following technology of", "the next generation of"),
        ("{of professional}", "of professional"),
        ("buyer success", "customer success"),
        ("go well with", "suit"),
        ("appears to be like", "looks like"),
        ("as a result of", "because"),
    ] {
        assert!(
            mangling
                .edits
                .iter()
                .any(|e| e.from.to_lowercase().contains(from) && e.to.to_lowercase().contains(to)),
            "missing edit {from} -> {to}"
        );
    }
    for edit in &mangling.edits {
        assert_eq!(&text[edit.start..edit.end], edit.from);
    }
    // Idempotent: the restored text has nothing left to restore.
    let restored = analysed.normalized_text().unwrap();
    let again = analyse(restored);
    assert_eq!(again.normalized_text(), Some(restored));
}

#[test]
fn lightly_paraphrased_and_clean_seeds_are_not_rewritten() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for id in ["002_b93d072c615ee9a5", "004_d14e9c0db9af65cb"] {
        let text = std::fs::read_to_string(root.join(format!("corpus/{id}.txt"))).unwrap();
        let analysed = analyse(&text);
        let mangling = analysed.mangling.unwrap();
        assert!(!mangling.mangled, "{id}");
        assert!(mangling.edits.is_empty(), "{id}: {:?}", mangling.edits);
    }
}

/// The READMEs of this project's dependencies (from Cargo.lock, read in the local cargo registry
/// when it is there): plain technical English, with code, placeholders in braces and compounds
/// like "filesystem". None of it is spun.
#[test]
fn dependency_readmes_are_clean_english() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    // The registry holds the dependencies' sources once they are built, as they are for tests.
    let registry = cargo_home
        .map(|h| h.join("registry/src"))
        .and_then(|r| std::fs::read_dir(r).ok())
        .expect("the cargo registry holds the dependencies' sources (CARGO_HOME/registry/src)");
    let indexes: Vec<PathBuf> = registry.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let packages: Vec<String> = lock
        .split("[[package]]")
        .filter_map(|block| {
            let field = |key: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim_matches([' ', '=', '"']).to_string())
            };
            Some(format!("{}-{}", field("name =")?, field("version =")?))
        })
        .collect();
    let (mut documents, mut tally) = (0, CleanTally::default());
    for package in &packages {
        let Some(text) = indexes
            .iter()
            .find_map(|index| std::fs::read_to_string(index.join(package).join("README.md")).ok())
        else {
            continue;
        };
        let Some(mangling) = analyse(&text).mangling else {
            continue;
        };
        documents += 1;
        tally.add(package, &mangling);
    }
    let CleanTally {
        words,
        changed,
        mangled,
    } = tally;
    println!(
        "\ndependency READMEs: {documents} documents, {words} words, {changed} changed, mangled: {mangled:?}"
    );
    assert!(documents >= 20, "only {documents} READMEs read");
    assert!(changed * 500 <= words, "{changed} of {words} words changed");
    assert!(mangled.is_empty(), "{mangled:?}");
}

/// Over clean texts: the words read, the words the normaliser changed, and the texts it flagged.
#[derive(Default)]
struct CleanTally {
    words: usize,
    changed: usize,
    mangled: Vec<String>,
}

impl CleanTally {
    /// Counts one text, called `name` in the list of flagged ones.
    fn add(&mut self, name: &str, mangling: &Mangling) {
        self.words += mangling.evidence.words;
        self.changed += mangling
            .edits
            .iter()
            .map(|e| tokens(&e.from).len())
            .sum::<usize>();
        if mangling.mangled {
            self.mangled.push(name.to_string());
        }
    }

    /// Fails when fewer than 10,000 words were read, one word in 500 or more changed, or any
    /// text was flagged.
    fn assert_untouched(&self) {
        let Self {
            words,
            changed,
            mangled,
        } = self;
        assert!(*words > 10_000, "only {words} words read");
        assert!(changed * 500 < *words, "{changed} of {words} words changed");
        assert!(mangled.is_empty(), "{mangled:?}");
    }
}

/// The prose of an HTML page: the text outside tags, with scripts, styles and code blocks left out,
/// inline code as one placeholder word (so a sentence keeps its shape), blocks ending in blank lines
/// and the common entities decoded.
fn html_prose(html: &str) -> String {
    const SKIPPED: [&str; 3] = ["script", "style", "pre"];
    const BLOCKS: [&str; 10] = ["p", "li", "h1", "h2", "h3", "h4", "div", "br", "td", "dt"];
    let (mut prose, mut rest, mut skipping, mut in_code) = (String::new(), html, 0usize, false);
    while let Some(open) = rest.find('<') {
        if skipping == 0 && !in_code {
            prose.push_str(&rest[..open]);
        }
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if SKIPPED.contains(&name.as_str()) {
            skipping = if closing {
                skipping.saturating_sub(1)
            } else {
                skipping + 1
            };
        } else if name == "code" && skipping == 0 {
            if !closing {
                prose.push('x');
            }
            in_code = !closing;
        } else if BLOCKS.contains(&name.as_str()) {
            prose.push_str("\n\n");
        }
        rest = &rest[open + close + 1..];
    }
    prose.push_str(rest);
    [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&rsquo;", "’"),
        ("&lsquo;", "‘"),
        ("&ldquo;", "“"),
        ("&rdquo;", "”"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(prose, |text, (entity, character)| {
        text.replace(entity, character)
    })
}

/// The Rust book that ships with the toolchain's documentation (when installed): 200,000 words of
/// clean technical English prose. No chapter may be flagged, and fewer than 1 word in 500 may
/// change (only words written twice, where dropping inline code leaves "and and", are expected).
#[test]
fn the_rust_book_is_clean_english() {
    let sysroot = std::process::Command::new(std::env::var("RUSTC").unwrap_or("rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| PathBuf::from(s.trim()));
    let Some(chapters) = sysroot
        .map(|s| s.join("share/doc/rust/html/book"))
        .and_then(|book| std::fs::read_dir(book).ok())
    else {
        panic!(
            "the Rust book is not in the toolchain's documentation (rustup component rust-docs)"
        );
    };
    let mut paths: Vec<PathBuf> = chapters
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ch") && n.ends_with(".html"))
        })
        .collect();
    paths.sort();
    let (mut tally, mut other_edits) = (CleanTally::default(), Vec::new());
    for path in &paths {
        let prose = html_prose(&std::fs::read_to_string(path).unwrap());
        let Some(mangling) = analyse(&prose).mangling else {
            continue;
        };
        tally.add(&path.display().to_string(), &mangling);
        other_edits.extend(
            mangling
                .edits
                .iter()
                .filter(|edit| edit.rule != EditRule::DoubledWord)
                .map(|edit| format!("{}: {} -> {}", path.display(), edit.from, edit.to)),
        );
    }
    println!(
        "\nRust book: {} chapters, {} words, {} changed, mangled: {:?}, edits other than doubled words: {other_edits:?}",
        paths.len(),
        tally.words,
        tally.changed,
        tally.mangled
    );
    tally.assert_untouched();
    let words = tally.words;
    // Stricter than the issue's bound: at most one edit per 50,000 words besides doubled words
    // (0 now; the lexicon before stop 13 failed this: "often called" -> "known as", "as but" ->
    // "as yet", "printed in" -> "published in").
    assert!(other_edits.len() * 50_000 <= words, "{other_edits:#?}");
}
