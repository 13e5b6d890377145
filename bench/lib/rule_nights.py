#!/usr/bin/env python3
"""Writes the two rulesets of bench/incremental.sh from a ruleset folder (the ReversingLabs set):

    rule_nights.py RULES_DIR OUT_DIR

OUT_DIR/r1 is RULES_DIR without three of its one-rule files; OUT_DIR/r2 is r1 with two of them added back and the
third changed. The ReversingLabs rules hit nothing in a corpus of benign files, so each of the three keeps its strings
and its condition, "or" a condition that hits files of the store-shaped corpus (bench/lib/make_store_corpus.py):
  added    small PE files; scripts (a shebang)
  changed  ELF files under 12 KB in r1, ELF files from 6 KB to 20 KB in r2 (rules lost and rules gained)
The rule files keep their paths, hence their namespaces. Prints the three files' paths.
"""
import os
import re
import shutil
import sys

ADDED = ("uint16(0) == 0x5A4D and filesize < 64KB", "uint16(0) == 0x2123")
CHANGED = ("uint32(0) == 0x464C457F and filesize < 12KB",
           "uint32(0) == 0x464C457F and filesize >= 6KB and filesize < 20KB")
RULE = re.compile(r"^\s*(?:private\s+|global\s+)*rule\s", re.M)


def widen(text, extra):
    """The one rule of text with its condition or'ed with extra."""
    at = text.index("condition:") + len("condition:")
    end = text.rindex("}")
    return f"{text[:at]}\n        ({text[at:end].strip()}) or\n        ({extra})\n{text[end:]}"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: rule_nights.py RULES_DIR OUT_DIR")
    rules, out = sys.argv[1].rstrip("/"), sys.argv[2]
    files = sorted(os.path.relpath(os.path.join(d, n), rules) for d, _, names in os.walk(rules)
                   for n in names if n.endswith((".yar", ".yara")))
    texts = {f: open(os.path.join(rules, f), encoding="utf-8", errors="replace").read() for f in files}
    # one public rule that no other rule references, a quarter, half and three quarters through the set
    single = [f for f in files if len(RULE.findall(texts[f])) == 1 and "condition:" in texts[f]
              and not re.search(r"^\s*(private|global)\s", texts[f], re.M)]
    if len(single) < 3:
        sys.exit(f"{rules} has fewer than three files with one rule each; rule_nights.py needs three")
    added_a, added_b, changed = (single[len(single) * k // 4] for k in (1, 2, 3))
    shutil.rmtree(out, ignore_errors=True)
    for night in ("r1", "r2"):
        for f in files:
            if night == "r1" and f in (added_a, added_b):
                continue
            text = texts[f]
            if f == changed:
                text = widen(text, CHANGED[night == "r2"])
            elif f in (added_a, added_b):
                text = widen(text, ADDED[f == added_b])
            path = os.path.join(out, night, f)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as w:
                w.write(text)
    print(f"added {added_a}\nadded {added_b}\nchanged {changed}")


if __name__ == "__main__":
    main()
