#!/usr/bin/env python3
"""A warm-up corpus for a running service (bench/store-shape.sh): the files of CORPUS in name order, up to --size-mb,
each copied with 16 bytes appended, so that no file in it has the content of a file in CORPUS. A service that
rescanned it has compiled its code and started its native hosts, but has analysed none of the timed samples.

    make_warmup_corpus.py CORPUS OUT [--size-mb 440]

Reused as it is when OUT.made (beside it) names the same corpus and size.
"""
import argparse
import hashlib
import os
import shutil
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--size-mb", type=int, default=440)
    args = parser.parse_args()
    stamp = f"{os.path.abspath(args.corpus)} {args.size_mb}\n"
    made = os.path.abspath(args.out) + ".made"
    if os.path.exists(made) and open(made).read() == stamp:
        return
    shutil.rmtree(args.out, ignore_errors=True)
    if os.path.exists(made):
        os.remove(made)
    os.makedirs(args.out)
    budget = args.size_mb * 1_000_000
    count = total = 0
    for name in sorted(os.listdir(args.corpus)):
        path = os.path.join(args.corpus, name)
        if name.startswith(".") or os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, "rb") as src, open(os.path.join(args.out, name), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.write(hashlib.sha256(b"warm-up " + name.encode("utf-8", "surrogateescape")).digest()[:16])
        count += 1
        total += os.path.getsize(path) + 16
        if total >= budget:
            break
    with open(made, "w") as f:
        f.write(stamp)
    print(f"make_warmup_corpus: {count} files, {total / 1e6:.1f} MB in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
