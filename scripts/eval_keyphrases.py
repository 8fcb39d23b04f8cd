"""Scores key phrases beside YAKE's on CNN/DailyMail articles.

    python eval_keyphrases.py OURS.jsonl DATA.jsonl [LIMIT]

OURS.jsonl is what `examples/eval_keyphrases.rs` prints for DATA.jsonl. YAKE
(Campos et al. 2020) runs here on the same articles, with phrases of up to 3
words and as many phrases. For each system it prints:

- split names: the share of returned phrases that are a piece of a longer
  name. A returned phrase that starts with a capital counts as split when at
  least 80% of its occurrences in the article (written exactly so, as whole
  words) sit next to another capitalised word: one joined to it by a space
  or a hyphen, other than a function word ("The", "In", "But");
- highlight overlap: the share of returned phrases whose words (case-folded,
  Snowball-stemmed) occur in a row in the article's reference highlights;
- the multi-word share: phrases of two words or more.
"""

import json
import re
import sys

import snowballstemmer
import yake

# Words a capitalised phrase may sit beside without being part of a name:
# sentence openers and the words that join names to the sentence.
FUNCTION_WORDS = set(
    """a an the and or but nor of in on at to for by with from as into about after
    before over under he she it they we i you his her its their our my your this that
    these those there here is was are were be been has have had do does did not no so
    if when while who what which where why how all some any one two mr mrs ms dr""".split()
)
WORD = re.compile(r"\w+(?:['’]\w+)*")
STEMMER = snowballstemmer.stemmer("english")


def stems(text):
    return STEMMER.stemWords([w.lower() for w in WORD.findall(text)])


def contains(haystack, needle):
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def capitalised(word):
    return word[:1].isupper() and word.lower() not in FUNCTION_WORDS


def is_split(phrase, article):
    """Whether a capitalised phrase mostly sits next to another capitalised word."""
    if not phrase[:1].isupper():
        return False
    pattern = re.compile(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])")
    spans = [m.span() for m in pattern.finditer(article)]
    if not spans:
        return False
    beside = 0
    for start, end in spans:
        before = re.search(r"([\w'’]+)(?: |-)$", article[max(0, start - 40) : start])
        after = re.match(r"(?: |-)([\w'’]+)", article[end : end + 40])
        if (before and capitalised(before.group(1))) or (after and capitalised(after.group(1))):
            beside += 1
    return beside >= 0.8 * len(spans)


def score(name, answers, articles):
    returned = split = overlap = multi = 0
    examples = []
    for doc_id, phrases in answers.items():
        article, highlights = articles[doc_id]
        highlight_stems = stems(highlights)
        for phrase in phrases:
            returned += 1
            multi += len(phrase.split()) > 1
            overlap += contains(highlight_stems, stems(phrase))
            if is_split(phrase, article):
                split += 1
                if len(examples) < 12:
                    examples.append(phrase)
    n = max(returned, 1)
    print(
        f"| {name} | {returned} | {split / n:.1%} | {overlap / n:.3f} | {multi / n:.1%} |"
    )
    return examples


def main():
    ours_path, data_path = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    articles, order = {}, []
    with open(data_path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            articles[record["id"]] = (record["article"], record["highlights"])
            order.append(record["id"])
    with open(ours_path, encoding="utf-8") as f:
        ours = {r["id"]: r["phrases"] for r in map(json.loads, f)}
    extractor = yake.KeywordExtractor(lan="en", n=3, top=limit)
    theirs = {i: [k for k, _ in extractor.extract_keywords(articles[i][0])] for i in order}
    print(f"{len(order)} articles, at most {limit} phrases each\n")
    print("| system | phrases | split names | highlight overlap | multi-word |")
    print("|---|---:|---:|---:|---:|")
    split_ours = score("textanalysis", ours, articles)
    split_yake = score("YAKE 0.7.3", theirs, articles)
    print("\nsplit, textanalysis:", ", ".join(split_ours) or "none")
    print("split, YAKE:", ", ".join(split_yake) or "none")


if __name__ == "__main__":
    main()
