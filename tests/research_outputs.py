"""Reads a run's Parquet tables and JSON Lines as a researcher would (pandas and pyarrow) and checks
them against the same run's JSON report: the documented columns and types, row counts, the joins
between tables, and that character offsets slice Python strings to the quoted text.

Usage: python research_outputs.py REPORT.json REPORT.jsonl PARQUET_DIR
Run by tests/research_outputs.rs from the crate root (document paths are relative to it). Exits
with a message on the first mismatch.
"""

import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

I, F, S, B = pa.int64(), pa.float64(), pa.string(), pa.bool_()

# The documented columns of every table, in order, with their Arrow types and whether they may
# hold nulls (README, "Parquet tables").
TABLES = {
    "documents": [
        ("id", S, False), ("path", S, False), ("bytes", I, False), ("chars", I, False),
        ("words", I, False), ("language", S, False), ("language_name", S, False),
        ("language_confidence", F, False), ("language_reliable", B, False),
        ("secondary_languages", S, False), ("paragraphs", I, False), ("themes", I, False),
        ("group", S, True), ("mangling_score", F, True), ("mangled", B, True),
        ("mangling_per_100_words", F, True), ("edits", I, True), ("normalized_text", S, True),
        ("warnings", S, False),
    ],
    "paragraphs": [
        ("document", S, False), ("index", I, False), ("start", I, False), ("end", I, False),
        ("start_char", I, False), ("end_char", I, False), ("words", I, False),
        ("language", S, False), ("language_confidence", F, False),
        ("language_reliable", B, False), ("heading", B, False), ("boilerplate", B, False),
        ("sentences", I, False),
    ],
    "edits": [
        ("document", S, False), ("paragraph", I, False), ("start", I, False), ("end", I, False),
        ("start_char", I, False), ("end_char", I, False), ("from", S, False), ("to", S, False),
        ("rule", S, False), ("confidence", F, False),
    ],
    "groups": [("id", S, False), ("kind", S, False), ("documents", I, False), ("score", F, False)],
    "group_members": [("group", S, False), ("document", S, False)],
    "group_evidence": [
        ("group", S, False), ("a", S, False), ("b", S, False), ("score", F, False),
        ("shared_anchors", S, False), ("significance", F, False),
        ("trigram_similarity", F, False), ("aligned_paragraphs", F, False),
        ("a_paragraphs", I, False), ("b_paragraphs", I, False),
    ],
    "alignments": [
        ("group", S, False), ("a", S, False), ("b", S, False), ("level", S, False),
        ("bead", I, False), ("a_start", I, False), ("a_end", I, False), ("b_start", I, False),
        ("b_end", I, False), ("score", F, False),
    ],
    "themes": [
        ("id", S, False), ("label", S, False), ("definition", S, False),
        ("recurring", B, False), ("articles", I, False), ("documents", I, False),
    ],
    "theme_documents": [("theme", S, False), ("document", S, False)],
    "theme_evidence": [
        ("theme", S, False), ("discovered", B, False), ("document", S, False),
        ("paragraph", I, False), ("start", I, False), ("end", I, False),
        ("start_char", I, False), ("end_char", I, False), ("language", S, False),
        ("kind", S, False), ("score", F, False), ("text", S, False),
    ],
    "discovered_themes": [
        ("id", S, False), ("stem", S, False), ("key_phrases", S, False),
        ("articles", I, False), ("documents", I, False),
    ],
    "errors": [("path", S, False), ("kind", S, False), ("message", S, False)],
}


def fail(message):
    sys.exit(f"research_outputs.py: {message}")


def expect(condition, message):
    if not condition:
        fail(message)


def keys(frame, columns):
    """The rows of `columns` as a set of tuples."""
    return set(frame[columns].itertuples(index=False, name=None))


def main(report_path, jsonl_path, folder):
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    documents = report["documents"]
    groups = report["groups"]
    themes = report["themes"]
    discovered = report["discovered_themes"]
    alignments = [pair for group in groups for pair in group["alignments"]]
    expected_rows = {
        "documents": len(documents),
        "paragraphs": sum(len(d["paragraphs"]) for d in documents),
        "edits": sum(len(d["mangling"]["edits"]) for d in documents if "mangling" in d),
        "groups": len(groups),
        "group_members": sum(len(g["documents"]) for g in groups),
        "group_evidence": sum(len(g["evidence"]) for g in groups),
        "alignments": sum(len(p["paragraphs"]) + len(p["sentences"]) for p in alignments),
        "themes": len(themes),
        "theme_documents": sum(len(t["documents"]) for t in themes),
        "theme_evidence": sum(len(t["evidence"]) for t in themes + discovered),
        "discovered_themes": len(discovered),
        "errors": len(report["errors"]),
    }
    present = sorted(path.name for path in Path(folder).iterdir())
    expect(present == sorted(f"{name}.parquet" for name in TABLES), f"files in {folder}: {present}")

    tables = {}
    for name, columns in TABLES.items():
        path = Path(folder) / f"{name}.parquet"
        arrow = pq.read_table(path)
        expected = pa.schema([pa.field(c, t, nullable=n) for c, t, n in columns])
        expect(arrow.schema.remove_metadata().equals(expected),
               f"{name}: schema\n{arrow.schema}\nis not the documented\n{expected}")
        created_by = pq.ParquetFile(path).metadata.created_by
        expect(created_by == f"mentorlens {report['tool']['version']}",
               f"{name}: created_by {created_by!r}")
        frame = pd.read_parquet(path)
        expect(len(frame) == arrow.num_rows == expected_rows[name],
               f"{name}: {len(frame)} rows in pandas, {arrow.num_rows} in pyarrow, "
               f"{expected_rows[name]} in the JSON report")
        tables[name] = frame

    # The same values as the report, row for row.
    def rows(frame, columns):
        """The rows of `columns` as tuples, nulls (NaN or NA in pandas) as None."""
        selected = frame[columns].astype(object)
        return list(selected.where(selected.notna(), None).itertuples(index=False, name=None))

    span = ["start", "end", "start_char", "end_char"]
    expect(rows(tables["documents"], ["id", "bytes", "chars", "language", "group"])
           == [(d["id"], d["bytes"], d["chars"], d["language"]["code"], d["group"] or None)
               for d in documents], "documents: values differ from the report")
    expect(rows(tables["paragraphs"], ["document", "index"] + span)
           == [(d["id"], p["index"], *(p[k] for k in span))
               for d in documents for p in d["paragraphs"]],
           "paragraphs: values differ from the report")
    expect(rows(tables["edits"], ["document", "paragraph"] + span + ["from", "to"])
           == [(d["id"], e["paragraph"], *(e[k] for k in span), e["from"], e["to"])
               for d in documents if "mangling" in d for e in d["mangling"]["edits"]],
           "edits: values differ from the report")
    expect(rows(tables["theme_evidence"], ["theme", "document"] + span + ["text"])
           == [(t["id"], e["document"], *(e[k] for k in span), e["text"])
               for t in themes + discovered for e in t["evidence"]],
           "theme_evidence: values differ from the report")

    # Keys and the joins the README promises.
    docs = tables["documents"]
    document_ids = set(docs["id"])
    expect(list(docs["id"]) == [d["id"] for d in documents], "documents: ids or order differ")
    expect(docs["id"].is_unique, "documents: ids repeat")
    for name, column in [("paragraphs", "document"), ("edits", "document"),
                         ("group_members", "document"), ("group_evidence", "a"),
                         ("group_evidence", "b"), ("alignments", "a"), ("alignments", "b"),
                         ("theme_documents", "document"), ("theme_evidence", "document")]:
        unknown = set(tables[name][column]) - document_ids
        expect(not unknown, f"{name}.{column}: unknown document ids {sorted(unknown)[:5]}")
    group_ids = set(tables["groups"]["id"])
    for name in ["group_members", "group_evidence", "alignments"]:
        expect(set(tables[name]["group"]) <= group_ids, f"{name}.group: unknown group ids")
    expect(keys(docs.dropna(subset=["group"]), ["id", "group"])
           == keys(tables["group_members"], ["document", "group"]),
           "documents.group and group_members disagree")
    expect(set(docs["group"].dropna()) == group_ids, "documents.group misses groups")
    paragraph_keys = keys(tables["paragraphs"], ["document", "index"])
    expect(keys(tables["edits"], ["document", "paragraph"]) <= paragraph_keys,
           "edits: a paragraph the paragraphs table lacks")
    evidence = tables["theme_evidence"]
    expect(keys(evidence, ["document", "paragraph"]) <= paragraph_keys,
           "theme_evidence: a paragraph the paragraphs table lacks")
    taxonomy = evidence[~evidence["discovered"]]
    expect(set(taxonomy["theme"]) <= set(tables["themes"]["id"]), "theme_evidence: unknown theme")
    expect(set(evidence[evidence["discovered"]]["theme"]) <= set(tables["discovered_themes"]["id"]),
           "theme_evidence: unknown discovered theme")
    expect(keys(taxonomy, ["theme", "document"]) <= keys(tables["theme_documents"], ["theme", "document"]),
           "theme_evidence quotes a document the theme_documents table lacks")
    per_document = tables["theme_documents"].groupby("document").size()
    counted = docs.set_index("id")["themes"]
    expect(all(per_document.get(i, 0) == n for i, n in counted.items()),
           "documents.themes and theme_documents disagree")
    paragraphs_per_document = tables["paragraphs"].groupby("document").size()
    expect(all(paragraphs_per_document.get(i, 0) == n for i, n in docs.set_index("id")["paragraphs"].items()),
           "documents.paragraphs and the paragraphs table disagree")
    beads = tables["alignments"]
    expect(((beads["a_end"] >= beads["a_start"]) & (beads["b_end"] >= beads["b_start"])).all(),
           "alignments: a range ends before it starts")
    json_beads = [(b["a"], b["b"]) for p in alignments for level in ("paragraphs", "sentences")
                  for b in p[level]]
    for (a, b), row in zip(json_beads, beads.itertuples(index=False)):
        for side, start, end in ((a, row.a_start, row.a_end), (b, row.b_start, row.b_end)):
            expect(list(range(start, end)) == side or (not side and start == end),
                   f"alignments: {start}..{end} for the JSON report's {side}")

    # Themes per language, the README's example: the same from the tables as from the report.
    themes_per_language = (tables["theme_documents"]
                           .merge(docs, left_on="document", right_on="id")
                           .groupby("language")["theme"].nunique().to_dict())
    language_of = {d["id"]: d["language"]["code"] for d in documents}
    from_report = {}
    for theme in themes:
        for document in theme["documents"]:
            from_report.setdefault(language_of[document], set()).add(theme["id"])
    expect(themes_per_language == {k: len(v) for k, v in from_report.items()},
           f"themes per language: {themes_per_language} against {from_report}")

    # Character offsets slice Python strings: checked on every document whose file is plain
    # UTF-8 (what the tool decoded is then the file itself).
    texts = {}
    for row in docs.itertuples(index=False):
        path = Path(row.path)
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if len(raw) != row.bytes or raw.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        expect(len(text) == row.chars, f"{row.id}: {row.chars} chars, Python counts {len(text)}")
        texts[row.id] = (text, raw)
    non_ascii = [i for i, (text, raw) in texts.items() if len(text) != len(raw)]
    expect(len(non_ascii) >= 5, f"only {len(non_ascii)} non-ASCII documents to check offsets on")
    checked = 0
    spans = [(tables["paragraphs"], None), (tables["edits"], "from"), (evidence, "text")]
    for frame, quoted in spans:
        for row in frame.to_dict("records"):
            if row["document"] not in texts:
                continue
            text, raw = texts[row["document"]]
            start, end = row["start_char"], row["end_char"]
            piece = text[start:end]
            expect(piece.encode("utf-8") == raw[row["start"]:row["end"]],
                   f"{row['document']}: chars {start}..{end} are not bytes "
                   f"{row['start']}..{row['end']}")
            if quoted is not None:
                expect(piece == row[quoted],
                       f"{row['document']}: text[{start}:{end}] = {piece!r}, not {row[quoted]!r}")
            checked += 1
    expect(checked > 0 and len(tables["edits"]) > 0 and len(evidence) > 0,
           f"nothing to check offsets on ({checked} spans)")
    for document in documents:
        if document["id"] not in texts:
            continue
        text, raw = texts[document["id"]]
        for paragraph in document["paragraphs"]:
            for sentence in paragraph["sentences"]:
                expect(text[sentence["start_char"]:sentence["end_char"]].encode("utf-8")
                       == raw[sentence["start"]:sentence["end"]],
                       f"{document['id']}: a sentence's char offsets")

    # JSON Lines: one table per record kind, the same rows as the report.
    lines = pd.read_json(jsonl_path, lines=True, dtype=False)
    counts = lines["record"].value_counts().to_dict()
    expected_records = {
        "document": expected_rows["documents"],
        "group": expected_rows["groups"],
        "group_member": expected_rows["group_members"],
        "alignment": len(alignments),
        "theme": expected_rows["themes"],
        "theme_evidence": sum(len(t["evidence"]) for t in themes),
        "discovered_theme": expected_rows["discovered_themes"],
        "error": expected_rows["errors"],
    }
    expect(counts == {k: v for k, v in expected_records.items() if v},
           f"JSON Lines records {counts}, report {expected_records}")
    json_documents = lines[lines["record"] == "document"]
    expect(list(json_documents["id"]) == list(docs["id"]), "JSON Lines documents differ")
    json_evidence = lines[lines["record"] == "theme_evidence"]
    columns = ["theme", "document", "start", "end", "start_char", "end_char"]
    expect(keys(json_evidence, columns) == keys(taxonomy, columns),
           "JSON Lines theme_evidence and the Parquet table differ")
    members = lines[lines["record"] == "group_member"]
    if len(members):
        expect(keys(members, ["group", "document"]) == keys(tables["group_members"], ["group", "document"]),
               "JSON Lines group members and the Parquet table differ")
    json_errors = lines[lines["record"] == "error"]
    if len(json_errors):
        expect(list(json_errors["path"]) == list(tables["errors"]["path"]),
               "JSON Lines errors and the Parquet table differ")

    print(f"research_outputs.py: {len(TABLES)} tables, "
          + ", ".join(f"{name} {rows}" for name, rows in expected_rows.items())
          + f"; {checked} spans sliced by character offsets in {len(texts)} documents "
          + f"({len(non_ascii)} non-ASCII); {len(lines)} JSON Lines records")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail("usage: research_outputs.py REPORT.json REPORT.jsonl PARQUET_DIR")
    main(*sys.argv[1:])
