"""The classification data sets of ../shared/data and their deterministic
held-out splits, shared by eval_classify.py and eval_zeroshot.py so that both
measure on the same test rows.
"""

import json
import random
from collections import defaultdict

# One split per seed; each test part is a stratified 10% of the data set.
SEEDS = [1, 2, 3, 4, 5]


def load(data, name):
    """(text, label) rows of a data set; a title is the text's first paragraph."""
    rows = []
    with open(f"{data}/{name}", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if name.startswith("bbc"):
                rows.append((r["title"] + "\n\n" + r["body"], r["category"]))
            elif name.startswith("ag"):
                rows.append((r["title"] + "\n\n" + r["text"], r["label"]))
            else:
                rows.append((r["text"], r["label"]))
    return rows


def test_indices(rows, seed):
    """The row indices of `seed`'s test part: 10% of each label, at least one."""
    by_label = defaultdict(list)
    for i, (_, label) in enumerate(rows):
        by_label[label].append(i)
    rng = random.Random(seed)
    test = set()
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        test.update(idx[: max(1, round(len(idx) * 0.1))])
    return test


def split(rows, seed):
    """`seed`'s (train, test) rows, each in file order."""
    test = test_indices(rows, seed)
    train = [rows[i] for i in range(len(rows)) if i not in test]
    held = [rows[i] for i in sorted(test)]
    return train, held


def write(rows, path):
    with open(path, "w", encoding="utf-8") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}) + "\n")


def main():
    """classify_splits.py DATA NAME HELDOUT REST: writes the union of the
    seeds' test parts of data set NAME to HELDOUT and every other row to REST,
    as JSONL (`text`, `label`), in file order."""
    import sys

    data, name, heldout_path, rest_path = sys.argv[1:5]
    rows = load(data, name)
    held = set()
    for seed in SEEDS:
        held |= test_indices(rows, seed)
    write([rows[i] for i in sorted(held)], heldout_path)
    write([r for i, r in enumerate(rows) if i not in held], rest_path)
    print(f"{name}: {len(held)} held-out rows (the test parts of seeds {SEEDS[0]}-{SEEDS[-1]}), "
          f"{len(rows) - len(held)} others", file=sys.stderr)


if __name__ == "__main__":
    main()
