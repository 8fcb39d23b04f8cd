#!/usr/bin/env python3
"""Pass count of the segmenter on pySBD's English Golden Rules.

The rules file holds one assignment, GOLDEN_EN_RULES = [(text, [sentence,
...]), ...]; it is read as a Python literal with `ast`, so nothing in it
runs. Each text goes to the segmenter (examples/segment.rs: a JSON string a
line in, the JSON array of its sentences a line out); a rule passes when the
sentences found, stripped of white space, equal the expected ones, stripped,
as pySBD's own benchmark compares them.

Usage: eval_segment.py RULES.py SEGMENT_BIN [--min N]   (run by scripts/eval-segment.sh)
"""

import argparse
import ast
import json
import subprocess
import sys


def load_rules(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "GOLDEN_EN_RULES"):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{path}: no GOLDEN_EN_RULES list")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rules")
    parser.add_argument("segment_bin")
    parser.add_argument("--min", type=int, default=0, help="fail below this many passes")
    args = parser.parse_args()

    rules = load_rules(args.rules)
    texts = "".join(json.dumps(text) + "\n" for text, _ in rules)
    out = subprocess.run([args.segment_bin], input=texts, capture_output=True,
                         text=True, check=True).stdout.split("\n")[:-1]
    if len(out) != len(rules):
        raise SystemExit(f"{len(rules)} texts sent, {len(out)} answers")

    passed = 0
    for number, ((text, expected), line) in enumerate(zip(rules, out), start=1):
        expected = [s.strip() for s in expected]
        found = [s.strip() for s in json.loads(line)]
        if found == expected:
            passed += 1
            continue
        print(f"FAIL rule {number}: {text!r}")
        print(f"  expected: {json.dumps(expected, ensure_ascii=False)}")
        print(f"  found:    {json.dumps(found, ensure_ascii=False)}")
    print(f"English Golden Rules: {passed}/{len(rules)}")
    if passed < args.min:
        print(f"fewer than {args.min} rules pass", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
