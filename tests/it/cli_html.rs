//! End to end through the built binary and a real browser: the HTML report (`analyze --format
//! html`, `report REPORT.json`, `align --format html`) opened in headless Chromium, its DOM dumped
//! after the page's script ran and checked against the JSON report of the same run.
//!
//! Chromium must be installed (Debian: `apt-get install -y chromium`; `.ci/run` does it): the
//! browser tests fail, not skip, without it. `MENTORLENS_BLESS=1` also writes the screenshots of
//! each page to `docs/`.

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{mentorlens, root};

/// A short article about mentorship in Japanese, written for this test.
const JAPANESE: &str = "メンターがキャリアを変える理由

2021年に東京で行われた調査では、若手社員の68%が「信頼できるメンターがいれば会社に長く残る」と答えました。メンターは答えを与える人ではなく、よい質問をする人です。

外からの視点

上司とは別の部署にいるメンターは、チームの中からは見えないものを見せてくれます。問題を別の角度から眺めることで、新しいアイデアが生まれます。

経験から学ぶ

メンターは自分の失敗や成功を率直に語ります。教科書では学べない教訓を、短い時間で受け取ることができます。

人脈と機会

よいメンターは人を紹介してくれます。新しいプロジェクトや職の機会は、こうしたつながりから始まることが少なくありません。

自信を育てる

毎月1回、30分の面談を続けるだけで、多くの人が自分の可能性を信じられるようになります。メンターシップは、メンター自身にとっても学びの場です。
";

/// The same article in Arabic, written for this test.
const ARABIC: &str = "لماذا يغيّر المرشد مسارك المهني

في استطلاع أُجري في طوكيو عام 2021، قال 68% من الموظفين الشباب إنهم سيبقون في الشركة مدة أطول لو كان لديهم مرشد يثقون به. المرشد ليس من يعطي الإجابات، بل من يطرح الأسئلة الجيدة.

منظور من الخارج

المرشد الذي يعمل في قسم آخر غير قسم مديرك يريك ما لا يُرى من داخل الفريق. وعندما تنظر إلى المشكلة من زاوية مختلفة تولد أفكار جديدة.

التعلم من الخبرة

يتحدث المرشد بصراحة عن أخطائه ونجاحاته. وهكذا تتلقى في وقت قصير دروسًا لا تجدها في الكتب.

العلاقات والفرص

المرشد الجيد يعرّفك على الناس. وكثيرًا ما تبدأ المشاريع الجديدة وفرص العمل من هذه العلاقات.

بناء الثقة بالنفس

يكفي لقاء واحد مدته 30 دقيقة مرة كل شهر حتى يبدأ كثير من الناس في الإيمان بقدراتهم. والإرشاد فرصة للتعلم للمرشد نفسه أيضًا.
";

/// The Chromium binary; panics (the test fails) when none is installed.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for folder in std::env::split_paths(&path) {
            let candidate = folder.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "headless Chromium is needed to test the HTML report: install Debian's chromium (apt-get install -y chromium), as .ci/run does"
    );
}

/// `id` as the page's script encodes a route part (encodeURIComponent).
fn route_part(id: &str) -> String {
    let mut out = String::new();
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `file://` address of `page` at `route`.
fn address(page: &Path, route: &str) -> String {
    let path: String = page
        .to_str()
        .unwrap()
        .split('/')
        .map(route_part)
        .collect::<Vec<_>>()
        .join("/");
    format!("file://{path}#{route}")
}

/// Runs headless Chromium with `flags` on `page` at `route`; returns standard output.
fn browse(page: &Path, route: &str, flags: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(flags)
        .arg(address(page, route))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed on {route}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The DOM of `page` at `route` after its script ran.
fn dom(page: &Path, route: &str) -> Html {
    let dumped = browse(page, route, &["--dump-dom"]);
    assert!(dumped.contains("</html>"), "no DOM dumped for {route}");
    Html::parse_document(&dumped)
}

/// Takes a screenshot of `page` at `route` into `folder/name.png` (and `docs/` when blessing).
fn screenshot(page: &Path, route: &str, folder: &Path, name: &str) {
    let file = folder.join(format!("{name}.png"));
    browse(
        page,
        route,
        &[
            "--window-size=1280,900",
            &format!("--screenshot={}", file.display()),
        ],
    );
    let png = std::fs::read(&file).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "no screenshot of {route}"
    );
    if std::env::var_os("MENTORLENS_BLESS").is_some() {
        std::fs::write(root().join("docs").join(format!("report-{name}.png")), png).unwrap();
    }
}

fn select<'a>(html: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    html.select(&Selector::parse(selector).unwrap()).collect()
}

fn text(element: &ElementRef) -> String {
    element.text().collect()
}

/// `corpus/` plus a Japanese and an Arabic document, in a temporary folder.
fn corpus_with_japanese_and_arabic() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let corpus = folder.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for entry in std::fs::read_dir(root().join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, corpus.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(corpus.join("mentor_ja.txt"), JAPANESE).unwrap();
    std::fs::write(corpus.join("mentor_ar.txt"), ARABIC).unwrap();
    folder
}

/// Runs `analyze` on `corpus` into `folder/report.json` and `folder/report.html`; returns the
/// JSON report and the page's path.
fn analyze(corpus: &Path, folder: &Path) -> (Value, PathBuf) {
    let json = folder.join("report.json");
    let page = folder.join("report.html");
    mentorlens()
        .args(["analyze", "--quiet", "-o"])
        .arg(&json)
        .arg(corpus)
        .assert()
        .success();
    mentorlens()
        .args(["analyze", "--quiet", "--format", "html", "-o"])
        .arg(&page)
        .arg(corpus)
        .assert()
        .success();
    let report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    (report, page)
}

fn joined(indices: &Value) -> String {
    indices
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("+")
}

#[test]
fn browser_shows_groups_side_by_side_spun_edits_and_the_theme_matrix() {
    let folder = corpus_with_japanese_and_arabic();
    let (report, page) = analyze(&folder.path().join("corpus"), folder.path());
    let shots = folder.path().join("shots");
    std::fs::create_dir(&shots).unwrap();

    // Group {000, 001}: 20 rows, in the aligner's order, each side in its own language.
    let group = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["documents"] == serde_json::json!(["000_6d249e2a96ff57b8", "001_c8f67bc4325f3f9a"])
        })
        .expect("000 and 001 are one group");
    let route = format!("group/{}", route_part(group["id"].as_str().unwrap()));
    let html = dom(&page, &route);
    let pair = &group["alignments"][0];
    let beads = pair["paragraphs"].as_array().unwrap();
    let rows = select(&html, "table.sbs tr.row");
    assert_eq!(rows.len(), 20);
    assert_eq!(beads.len(), 20);
    for (row, bead) in rows.iter().zip(beads) {
        assert_eq!(
            row.value().attr("data-a"),
            Some(joined(&bead["a"]).as_str())
        );
        assert_eq!(
            row.value().attr("data-b"),
            Some(joined(&bead["b"]).as_str())
        );
        let paired = [&bead["a"], &bead["b"]]
            .iter()
            .all(|side| !side.as_array().unwrap().is_empty());
        let weak = paired && bead["score"].as_f64().unwrap() < 0.5;
        assert_eq!(row.value().classes().any(|c| c == "weak"), weak);
    }
    let languages: Vec<&str> = select(&html, "table.sbs tr.row td[lang]")
        .iter()
        .filter_map(|td| td.value().attr("lang"))
        .collect();
    assert!(
        languages.contains(&"sv") && languages.contains(&"pl"),
        "{languages:?}"
    );
    // Sentences that pair share a row number, on both sides.
    for (k, bead) in pair["sentences"].as_array().unwrap().iter().enumerate() {
        let sentences = select(&html, &format!("table.sbs .s[data-k=\"{k}\"]"));
        let expected = bead["a"].as_array().unwrap().len() + bead["b"].as_array().unwrap().len();
        assert_eq!(sentences.len(), expected, "sentence row {k}");
    }
    screenshot(&page, &route, &shots, "groups");

    // Seed 003: every edit inline, in text order, the rule on hover.
    let spun = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "003_c1d548cdc3955c20")
        .unwrap();
    assert_eq!(spun["mangling"]["mangled"], true);
    let route = "spun/003_c1d548cdc3955c20";
    let html = dom(&page, route);
    let shown = select(&html, ".spun .edit");
    let mut expected = Vec::new();
    let mut position = 0;
    for edit in spun["mangling"]["edits"].as_array().unwrap() {
        let start = edit["start"].as_u64().unwrap();
        if start >= position {
            expected.push(edit);
            position = edit["end"].as_u64().unwrap();
        }
    }
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(shown.len(), expected.len());
    for (element, edit) in shown.iter().zip(&expected) {
        let deleted: String = select_in(element, "del").iter().map(text).collect();
        let inserted: String = select_in(element, "ins").iter().map(text).collect();
        assert_eq!(deleted, edit["from"].as_str().unwrap());
        assert_eq!(inserted, edit["to"].as_str().unwrap());
        assert!(
            element
                .value()
                .attr("title")
                .is_some_and(|t| t.contains("confidence"))
        );
    }
    screenshot(&page, route, &shots, "spun");

    // The theme matrix: a row per theme, a column per article (the group is one), each cell's
    // count is the article's quotes.
    let html = dom(&page, "themes");
    let themes = report["themes"].as_array().unwrap();
    let documents = report["documents"].as_array().unwrap();
    let header = select(&html, "#matrix thead th[data-article]");
    let grouped = documents.iter().filter(|d| !d["group"].is_null()).count();
    let groups = report["groups"].as_array().unwrap().len();
    assert_eq!(header.len(), documents.len() - grouped + groups);
    let matrix_rows = select(&html, "#matrix tbody tr");
    assert_eq!(matrix_rows.len(), themes.len());
    for (row, theme) in matrix_rows.iter().zip(themes) {
        assert_eq!(row.value().attr("data-theme"), theme["id"].as_str());
        let cells = select_in(row, "td");
        assert_eq!(cells.len(), header.len());
        for (cell, column) in cells.iter().zip(&header) {
            let members: Vec<&str> = column
                .value()
                .attr("title")
                .unwrap()
                .split(", ")
                .map(|m| m.rsplit_once(" (").unwrap().0)
                .collect();
            let quotes = theme["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| members.contains(&e["document"].as_str().unwrap()))
                .count();
            let stated = theme["documents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| members.contains(&d.as_str().unwrap()));
            if stated {
                assert_eq!(text(cell), format!("✓{quotes}"));
            } else {
                assert_eq!(text(cell), "·");
            }
        }
    }
    screenshot(&page, "themes", &shots, "themes");

    // A cell opens its quotes, each linking to its paragraph.
    let theme = &themes[0];
    let route = format!("theme/{}/0", route_part(theme["id"].as_str().unwrap()));
    let html = dom(&page, &route);
    for link in select(&html, "#cell blockquote a.source") {
        let href = link.value().attr("href").unwrap();
        assert!(href.starts_with("#doc/") && href.contains("/p"), "{href}");
    }

    // Japanese and Arabic: each version carries its language, Arabic runs right to left.
    let html = dom(&page, "doc/mentor_ar");
    let body = select(&html, "#view .text");
    assert_eq!(body[0].value().attr("lang"), Some("ar"));
    assert_eq!(body[0].value().attr("dir"), Some("rtl"));
    assert!(select(&html, "#view .para.heading").len() >= 5);
    let html = dom(&page, "doc/mentor_ja");
    let body = select(&html, "#view .text");
    assert_eq!(body[0].value().attr("lang"), Some("ja"));
    assert!(text(&body[0]).contains("メンターは答えを与える人ではなく"));
    screenshot(&page, "doc/mentor_ar", &shots, "document");

    let html = dom(&page, "documents");
    assert_eq!(select(&html, "#doclist tbody tr").len(), documents.len());
    screenshot(&page, "documents", &shots, "documents");
    let html = dom(&page, "overview");
    assert!(select(&html, "#page-overview .cards a[href=\"#groups\"]").len() == 1);
    screenshot(&page, "overview", &shots, "overview");
}

fn select_in<'a>(element: &ElementRef<'a>, selector: &str) -> Vec<ElementRef<'a>> {
    element
        .select(&Selector::parse(selector).unwrap())
        .collect()
}

/// What hostile input tries to become: markup, script, a style break, a script URL.
const HOSTILE: [&str; 5] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "</style><b>bold</b>",
    "</script><script>alert(3)</script>",
    "javascript:alert(4)",
];

/// Checks a page's DOM holds nothing hostile input made: only the page's own two scripts and one
/// style, no image, no event-handler attribute, no link that leaves the page.
fn assert_inert(html: &Html, route: &str) {
    assert_eq!(select(html, "script").len(), 2, "{route}: scripts");
    assert_eq!(select(html, "style").len(), 1, "{route}: styles");
    assert!(
        select(html, "img, b, iframe, object, embed").is_empty(),
        "{route}: markup"
    );
    for element in select(html, "*") {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "{route}: {name}={value}");
            if name == "href" {
                assert!(value.starts_with('#'), "{route}: href {value}");
            }
        }
    }
}

#[test]
fn hostile_text_ids_and_file_names_stay_text() {
    let folder = tempfile::tempdir().unwrap();
    let corpus = folder.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let body = format!(
        "Mentors help. {}\n\nA mentor gives an outside perspective. {}\n\n{} {}\n\n{}\n",
        HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[3], HOSTILE[4]
    );
    // File names (a file name cannot hold `/`).
    for name in [
        "\"><img src=x onerror=alert(5)>",
        "javascript:alert(6)",
        "<script>x",
    ] {
        std::fs::write(corpus.join(format!("{name}.txt")), &body).unwrap();
    }
    // Ids and text of JSON Lines records.
    let records: Vec<String> = HOSTILE
        .iter()
        .map(|id| serde_json::json!({ "id": id, "text": body }).to_string())
        .collect();
    std::fs::write(corpus.join("records.jsonl"), records.join("\n")).unwrap();
    let (report, page) = analyze(&corpus, folder.path());
    let static_page = Html::parse_document(&std::fs::read_to_string(&page).unwrap());
    assert_inert(&static_page, "before the script");

    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
    let html = dom(&page, "documents");
    assert_inert(&html, "documents");
    let listed: Vec<String> = select(&html, "#doclist tbody tr td:first-child")
        .iter()
        .map(text)
        .collect();
    assert_eq!(listed, ids);
    for id in &ids {
        let route = format!("doc/{}", route_part(id));
        let html = dom(&page, &route);
        assert_inert(&html, &route);
        assert_eq!(
            text(&select(&html, "#view h2")[0]),
            format!("Document {id}")
        );
        let shown: String = select(&html, "#view .para").iter().map(text).collect();
        for hostile in HOSTILE {
            assert!(
                shown.contains(hostile),
                "{route}: {hostile} not shown as text"
            );
        }
    }
    for route in ["overview", "groups", "themes", "spun"] {
        assert_inert(&dom(&page, route), route);
    }
}

#[test]
fn report_command_renders_a_written_report_like_analyze() {
    let folder = corpus_with_japanese_and_arabic();
    let corpus = folder.path().join("corpus");
    let (_, page) = analyze(&corpus, folder.path());
    let again = folder.path().join("again.html");
    mentorlens()
        .arg("report")
        .arg(folder.path().join("report.json"))
        .arg("-o")
        .arg(&again)
        .assert()
        .success();
    let analysed = std::fs::read(&page).unwrap();
    assert_eq!(
        std::fs::read(&again).unwrap(),
        analysed,
        "same page from the JSON report"
    );

    let single = folder.path().join("single.html");
    mentorlens()
        .args([
            "analyze",
            "--quiet",
            "--threads",
            "1",
            "--format",
            "html",
            "-o",
        ])
        .arg(&single)
        .arg(&corpus)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&single).unwrap(),
        analysed,
        "same page on one thread"
    );

    // An English file gone: its text is rebuilt from the normalised text and the edits. A
    // Polish file gone: the page says so and still shows the report's figures.
    std::fs::remove_file(corpus.join("003_c1d548cdc3955c20.txt")).unwrap();
    mentorlens()
        .arg("report")
        .arg(folder.path().join("report.json"))
        .arg("-o")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&again).unwrap(),
        analysed,
        "rebuilt from the normalised text"
    );
    std::fs::remove_file(corpus.join("001_c8f67bc4325f3f9a.txt")).unwrap();
    let output = mentorlens()
        .arg("report")
        .arg(folder.path().join("report.json"))
        .arg("-o")
        .arg(&again)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 of 7 document texts"));
    let html = dom(&again, "doc/001_c8f67bc4325f3f9a");
    assert!(text(&select(&html, "#view .note")[0]).contains("not at hand"));
    assert_eq!(
        select(&dom(&again, "group/g1"), "table.sbs tr.row").len(),
        20
    );

    // Not a report: a clear error.
    std::fs::write(folder.path().join("other.json"), "{\"documents\": 3}").unwrap();
    mentorlens()
        .arg("report")
        .arg(folder.path().join("other.json"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a mentorlens JSON report"));
}

#[test]
fn align_writes_a_pair_page_and_warns_on_unrelated_files() {
    let folder = tempfile::tempdir().unwrap();
    let page = folder.path().join("pair.html");
    mentorlens()
        .args([
            "align",
            "corpus/000_6d249e2a96ff57b8.txt",
            "corpus/001_c8f67bc4325f3f9a.txt",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page)
        .assert()
        .success();
    // The page opens on the pair.
    let html = dom(&page, "");
    assert_eq!(select(&html, "table.sbs tr.row").len(), 20);
    assert!(select(&html, ".page-note").is_empty());

    mentorlens()
        .args([
            "align",
            "corpus/002_b93d072c615ee9a5.txt",
            "corpus/001_c8f67bc4325f3f9a.txt",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page)
        .assert()
        .success();
    let html = dom(&page, "");
    assert!(!select(&html, "table.sbs tr.row").is_empty());
    assert!(text(&select(&html, ".page-note")[0]).contains("not versions of one article"));
}

#[test]
fn empty_failed_and_huge_inputs_give_a_valid_page() {
    let folder = tempfile::tempdir().unwrap();
    // Nothing to read.
    let empty = folder.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let page = folder.path().join("empty.html");
    mentorlens()
        .args(["analyze", "--quiet", "--format", "html", "-o"])
        .arg(&page)
        .arg(&empty)
        .assert()
        .code(2);
    let html = dom(&page, "overview");
    assert!(text(&select(&html, "#page-overview .cards")[0]).contains("0 documents analysed"));
    assert_eq!(
        text(&select(&dom(&page, "documents"), "#doclist")[0]),
        "0 of 0 documents"
    );
    assert!(select(&dom(&page, "themes"), "#matrix .empty").len() == 1);

    // Only errors: an empty file and a binary one.
    let failed = folder.path().join("failed");
    std::fs::create_dir(&failed).unwrap();
    std::fs::write(failed.join("blank.txt"), "  \n").unwrap();
    std::fs::write(failed.join("binary.txt"), [0u8, 1, 2, 0, 255, 0]).unwrap();
    let page = folder.path().join("failed.html");
    mentorlens()
        .args(["analyze", "--quiet", "--format", "html", "-o"])
        .arg(&page)
        .arg(&failed)
        .assert()
        .code(2);
    let html = dom(&page, "errors");
    let errors: Vec<String> = select(&html, "table.errors tbody tr td:nth-child(2)")
        .iter()
        .map(text)
        .collect();
    assert_eq!(errors, ["binary", "empty"]);

    // One 200 MB line: shown in part, with a note.
    let huge = folder.path().join("huge");
    std::fs::create_dir(&huge).unwrap();
    let sentence = "A mentor opens doors and gives honest feedback to a mentee who wants to grow. ";
    let line = sentence.repeat(200_000_000 / sentence.len() + 1);
    std::fs::write(huge.join("long.txt"), &line).unwrap();
    drop(line);
    let page = folder.path().join("huge.html");
    mentorlens()
        .args(["analyze", "--quiet", "--format", "html", "-o"])
        .arg(&page)
        .arg(&huge)
        .assert()
        .success();
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(
        size < 8 << 20,
        "the page carries part of the text: {size} bytes"
    );
    let html = dom(&page, "doc/long");
    assert!(text(&select(&html, "#view .note")[0]).starts_with("Shown in part"));
    assert!(!select(&html, "#view .para").is_empty());
}
