#!/usr/bin/env python3
"""Writes the built-in news model's training set: BBC News and AG News in one
taxonomy, as JSONL (`title`, `text`, `label`) on standard output.

The taxonomy joins the two label sets: world (AG World), politics (BBC
politics), business (both), sport (both), science-technology (BBC tech, AG
Sci/Tech) and entertainment (BBC entertainment). Rows keep their file order, so
the output, and the model trained on it, are the same on every run.

Usage: news_training_data.py SHARED_DATA_DIR > news.jsonl
"""

import json
import sys

BBC = {"business": "business", "entertainment": "entertainment", "politics": "politics",
       "sport": "sport", "tech": "science-technology"}
AG = {"World": "world", "Sports": "sport", "Business": "business", "Sci/Tech": "science-technology"}


def main():
    data = sys.argv[1]
    out = sys.stdout
    with open(f"{data}/bbc_news_train.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out.write(json.dumps({"title": row["title"], "text": row["body"],
                                  "label": BBC[row["category"]]}) + "\n")
    with open(f"{data}/ag_news_train.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out.write(json.dumps({"title": row["title"], "text": row["text"],
                                  "label": AG[row["label"]]}) + "\n")


if __name__ == "__main__":
    main()
