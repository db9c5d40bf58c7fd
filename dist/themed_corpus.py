#!/usr/bin/env python3
"""Writes a corpus in which nearly every document states benefits of mentorship, to measure
what the theme steps of `mentorlens dist` hold: each document is a run of 4-10 consecutive
paragraphs of one article of a folder (the development articles, ../shared/dev/themes, read in
place and not copied into the crate) and one paragraph of another, drawn with a fixed seed.
Documents share paragraphs, so they also form large duplicate groups.

    python3 dist/themed_corpus.py ../shared/dev/themes /tmp/themed20k --docs 20000 --seed 11
"""
import argparse
import pathlib
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=pathlib.Path, help="folder of .txt articles")
    parser.add_argument("out", type=pathlib.Path, help="folder to write the documents to")
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    random.seed(args.seed)
    articles = []
    for path in sorted(args.articles.glob("*.txt")):
        if path.name.endswith(".source.txt"):
            continue
        text = path.read_text(encoding="utf-8")
        articles.append([p.strip() for p in text.split("\n\n") if p.strip()])
    if not articles:
        parser.error(f"no .txt articles in {args.articles}")
    args.out.mkdir(parents=True, exist_ok=True)
    for number in range(args.docs):
        article = random.choice(articles)
        length = min(len(article), random.randint(4, 10))
        start = random.randint(0, len(article) - length)
        paragraphs = article[start : start + length] + [random.choice(random.choice(articles))]
        path = args.out / f"m{number:06d}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
