#!/usr/bin/env python3
"""Makes a stream of news articles with edited repeats, for measuring
near-duplicate detection within a stream (src/dedup.rs, examples/eval_dedup.rs).

Reads the BBC News JSONL (fields id, category, title, body) and writes JSONL,
one item a line: `id`, `text` (title, blank line, body), `repeat_of` (null, or
the id of the item this one is an edited repeat of), `category` and `edits`
(what was done to a repeat, for reading failures).

- Base set: every article once, in an order shuffled by the seed. The BBC set
  holds copies of its own articles: a later article whose normalised body
  (lowercase, runs of non-word characters as one space) equals an earlier one's
  is dropped, and so is a later article that is a near-duplicate of an earlier
  one by Compare's resemblance (the smaller shingle containment, or the larger
  when the shorter text is at least a third of the longer) computed exactly on
  3-word shingles of the normalised words, at --natural-threshold. Both counts
  go to standard error. So every pair of base articles is distinct.
- Repeats: --repeat-share of the base articles (10%) come again later, 1 to
  --max-gap base articles after the original, with a new id and edits: 1-2
  sentences dropped and/or a sentence from an article of another category
  added, page furniture added ("Share this article", "Advertisement", ...)
  most of the time, and three words changed (a synonym or a typo).
- --repeat-until N: after the stream above, cycles through the base articles
  again and again with fresh ids (`ID~cK`) and one word changed, until N
  items, for memory and speed runs. A cycled item is a copy of every earlier
  copy of its article, so it names no single original: `repeat_of` is null
  and `copy_of` is the base article's id (the part of every copy's id before
  `~`).

Standard library only; the same --seed makes the same stream.

    scripts/make-dedup-stream.py [--data FILE] [--seed N] [--repeat-until N] > stream.jsonl
"""

import argparse
import json
import random
import re
import sys
from collections import defaultdict

FURNITURE = [
    "Share this article",
    "Follow us on Twitter",
    "Advertisement",
    "Image caption: The scene earlier today",
    "Image caption: Photograph from the agency",
    "Related stories",
    "Sign up for our daily newsletter",
    "Leave a comment",
]

SYNONYMS = {
    "said": "stated", "says": "states", "big": "large", "large": "big",
    "new": "fresh", "also": "too", "but": "yet", "help": "aid",
    "start": "begin", "began": "started", "buy": "purchase", "show": "display",
    "think": "believe", "people": "persons", "firm": "company",
    "company": "firm", "government": "administration", "rise": "increase",
    "fall": "drop", "told": "informed", "year": "twelve months",
    "expected": "anticipated", "major": "key", "plans": "proposals",
    "money": "cash", "cut": "reduce", "about": "around", "many": "numerous",
    "important": "significant", "however": "nevertheless", "win": "victory",
}

WORD = re.compile(r"[A-Za-z]+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def normalise(text):
    return re.sub(r"\W+", " ", text.lower()).strip()


def shingles(text):
    words = normalise(text).split()
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def resemblance(shared, a, b):
    if not a or not b:
        return 0.0
    ca, cb = shared / a, shared / b
    return max(ca, cb) if min(a, b) >= max(a, b) / 3 else min(ca, cb)


def base_set(rows, threshold):
    """The articles that are neither copies nor near-duplicates of an earlier
    one; counts of each kind dropped."""
    seen, kept, exact = set(), [], 0
    for row in rows:
        body = normalise(row["body"])
        if body in seen:
            exact += 1
            continue
        seen.add(body)
        kept.append(row)
    sets = [shingles(r["body"]) for r in kept]
    # Shared shingles of every pair that shares one, through an inverted
    # index (exact: every posting list is read).
    postings = defaultdict(list)
    for i, s in enumerate(sets):
        for x in s:
            postings[x].append(i)
    shared = defaultdict(int)
    for docs in postings.values():
        for x in range(len(docs)):
            for y in range(x + 1, len(docs)):
                shared[(docs[x], docs[y])] += 1
    dropped = set()
    for (x, y), n in shared.items():
        if resemblance(n, len(sets[x]), len(sets[y])) >= threshold:
            dropped.add(y)
    base = [r for i, r in enumerate(kept) if i not in dropped]
    return base, exact, len(dropped)


def sentences(body):
    """Paragraphs, each a list of sentences."""
    return [SENTENCE_END.split(p.strip()) for p in body.split("\n\n") if p.strip()]


def join(paragraphs):
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def change_words(text, rng, count):
    """Changes `count` words: a synonym where one is known, else a typo (two
    inner letters swapped)."""
    matches = [m for m in WORD.finditer(text) if len(m.group()) >= 4 or m.group().lower() in SYNONYMS]
    picks = sorted(rng.sample(matches, min(count, len(matches))), key=lambda m: m.start())
    out, last, done = [], 0, []
    for m in picks:
        word = m.group()
        if word.lower() in SYNONYMS:
            new = SYNONYMS[word.lower()]
            new = new.capitalize() if word[0].isupper() else new
        else:
            i = rng.randrange(1, len(word) - 2)
            new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        out.append(text[last:m.start()])
        out.append(new)
        last = m.end()
        done.append(f"{word}->{new}")
    out.append(text[last:])
    return "".join(out), done


def edit(article, others, rng):
    """An edited repeat of `article`; `others` are articles of other
    categories to take an added sentence from."""
    paragraphs = sentences(article["body"])
    edits = []
    total = sum(len(p) for p in paragraphs)
    drop = rng.random() < 0.6 and total > 6
    add = rng.random() < 0.6 or not drop
    if drop:
        for _ in range(rng.choice([1, 2])):
            candidates = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p))]
            i, j = rng.choice(candidates)
            paragraphs[i].pop(j)
            edits.append("dropped a sentence")
    if add:
        donor = sentences(rng.choice(others)["body"])
        donor_sentences = [s for p in donor for s in p if len(s.split()) >= 6] or [s for p in donor for s in p]
        i = rng.randrange(len(paragraphs))
        paragraphs[i].insert(rng.randrange(len(paragraphs[i]) + 1), rng.choice(donor_sentences))
        edits.append("added a sentence")
    body = join(paragraphs)
    body, changed = change_words(body, rng, 3)
    edits.append("changed " + ", ".join(changed))
    blocks = [article["title"], body]
    if rng.random() < 0.8:
        for line in rng.sample(FURNITURE, rng.choice([1, 2, 3])):
            blocks.insert(rng.randrange(1, len(blocks) + 1), line)
            edits.append(f"furniture '{line}'")
    return "\n\n".join(blocks), edits


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data/bbc_news_train.jsonl")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat-share", type=float, default=0.1)
    parser.add_argument("--max-gap", type=int, default=500)
    parser.add_argument("--natural-threshold", type=float, default=0.5)
    parser.add_argument("--repeat-until", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    base, exact, near = base_set(rows, args.natural_threshold)
    print(f"{len(rows)} articles: {exact} exact copies and {near} near-duplicates of earlier "
          f"ones dropped, {len(base)} distinct", file=sys.stderr)
    rng.shuffle(base)

    # Each item at a position in the base order; a repeat goes between base
    # articles, 1 to max-gap after its original.
    placed = [(i, 0, a["id"], a["title"] + "\n\n" + a["body"], None, a["category"], []) for i, a in enumerate(base)]
    originals = rng.sample(range(len(base)), round(args.repeat_share * len(base)))
    for n, i in enumerate(sorted(originals)):
        article = base[i]
        others = [a for a in base if a["category"] != article["category"]]
        text, edits = edit(article, others, rng)
        position = i + rng.randint(1, args.max_gap) - 0.5
        placed.append((position, 1, f"{article['id']}~r{n}", text, article["id"], article["category"], edits))
    placed.sort(key=lambda p: (p[0], p[1]))
    out = sys.stdout
    written = 0
    for _, _, id_, text, repeat_of, category, edits in placed:
        item = {"id": id_, "text": text, "repeat_of": repeat_of, "category": category, "edits": edits}
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
        written += 1
    cycle = 1
    while written < args.repeat_until:
        for article in base:
            if written >= args.repeat_until:
                break
            body, changed = change_words(article["body"], rng, 1)
            item = {"id": f"{article['id']}~c{cycle}", "text": article["title"] + "\n\n" + body,
                    "repeat_of": None, "copy_of": article["id"], "category": article["category"], "edits": ["changed " + ", ".join(changed)]}
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            written += 1
        cycle += 1
    print(f"{written} items, {len(originals)} edited repeats", file=sys.stderr)


if __name__ == "__main__":
    main()
