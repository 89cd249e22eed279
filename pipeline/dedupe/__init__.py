"""Duplicates: the same story from two sites, two formats or two URLs is kept once, and every
copy skipped is a row of the `duplicates` table (the copy, the article kept, the similarity,
the reason).

Exact copies share `text_hash` (the same words once case, diacritics and spacing are folded).
Near copies (a republished story with a headline line, a caption, a few words changed) are
found by MinHash LSH over word 5-grams (`minhash.py`, `bands.py`, `index.py`: datasketch's
values and bands), with the threshold of `[dedupe] threshold`. The signatures are stored with the tables (`_minhash`,
committed with every batch), so a run starts without reading the stored texts (`known.py`).
"""
