#!/usr/bin/env python3
"""Changes a share of a store-shaped corpus between two nights, as a sample store changes:

    night_change.py CORPUS_DIR --share 0.02 [--seed 1] [--manifest FILE] --list OUT

Of share x the corpus's file count, half are new files, drawn as bench/lib/make_store_corpus.py draws them (its
sizes, kinds and sources; real files that FILE, the corpus's manifest, already took are not taken again), and half
are files modified in place: the same path, their bytes plus a seeded 32-byte trailer (an overlay, as another build
has). Archives are not modified in place (an archive with a trailer is a damaged archive, another test). One new
file's name has a space and a non-ASCII letter. OUT gets every new or modified path, NUL-separated.
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_store_corpus import candidates, draw_kind, draw_size, make_file  # noqa: E402

REAL_KINDS = ("elf", "pe", "script", "document")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    parser.add_argument("--share", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--manifest")
    parser.add_argument("--list", required=True)
    args = parser.parse_args()
    if not 0 < args.share <= 0.5:
        sys.exit(f"--share is a fraction of the files above 0 and at most 0.5, not {args.share}")
    names = sorted(os.listdir(args.corpus))
    count = round(len(names) * args.share)
    if count < 2:
        sys.exit(f"{args.corpus}: {len(names)} files; a share of {args.share} changes fewer than two of them")
    used = set()
    if args.manifest and os.path.exists(args.manifest):
        with open(args.manifest) as f:
            next(f)
            used = {row.split("\t")[3].rstrip("\n") for row in f if row.split("\t")[1] in REAL_KINDS}
    rng = random.Random(f"night-change {args.seed}")
    modifiable = [n for n in names if not n.endswith((".zip", ".gz"))]
    changed = []
    for name in rng.sample(modifiable, count // 2):
        path = os.path.join(args.corpus, name)
        with open(path, "ab") as f:
            f.write(b"TRAWLMOD" + rng.randbytes(24))
        changed.append(path)
    pools = candidates()
    for i in range(count - count // 2):
        kind = draw_kind(rng)
        _, _, data, _, ext = make_file(rng, pools, used, kind, draw_size(rng), i)
        label = "new sample é" if i == 0 else "new"
        path = os.path.join(args.corpus, f"{rng.getrandbits(64):016x}-{label}-{i}.{ext}")
        with open(path, "wb") as f:
            f.write(data)
        changed.append(path)
    with open(args.list, "wb") as f:
        f.write(b"".join(os.fsencode(p) + b"\0" for p in changed))
    print(f"night-change: {count // 2} files modified in place, {count - count // 2} new, in {args.corpus}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
