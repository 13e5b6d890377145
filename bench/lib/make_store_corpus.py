#!/usr/bin/env python3
"""Builds a corpus shaped like a real sample store: mostly small executables, a long tail of large ones.

    make_store_corpus.py OUT_DIR [--size-mb 440] [--seed 1]

Where bench/lib/make_corpus.py builds today's large-file corpus (128 KB to 40 MB per file), this one draws each
file's size from a log-normal distribution with a median of 47 KB and a p90 of about 580 KB (sigma 1.96), capped at
32 MB, and then takes the real file of the machine whose size is nearest, as it is (no cutting, no padding):

  ~78%  ELF executables and shared objects from /usr/bin, /usr/sbin, /usr/lib, /usr/libexec
  ~10%  PE files (MZ + PE signature) found under /usr, /opt, /root/.pyenv, /root/.m2/wrapper (Python's launcher
        stubs, wininst, jansi.dll, ...); when no unused real PE is within 25% of the drawn size, a generated PE32
        (make_corpus.pe_file) of that size
   ~6%  scripts (files under /usr/bin, /usr/sbin, /usr/share starting with "#!")
   ~4%  documents from /usr/share/doc and /usr/share/common-licenses (text, HTML, PDF)
   ~2%  archives: a zip or a tar.gz of 2 to 8 other ELF/script candidates
0.1% of the draws are log-uniform from 4 MB to 32 MB instead (the store's large builds), and the largest ELF up to
32 MB is always in a corpus of 200 MB or more. When every real file of a kind is taken (the 1800 MB corpus needs more
ELF than /usr holds), a file is another build of the nearest one: its bytes plus a seeded 32-byte trailer.
Files are drawn until the total reaches --size-mb (10^6 bytes): about 1,200 files at 440, 4,800 at 1800. Identical
contents are kept once. All files sit in one flat folder under shuffled names.

The same seed on the same machine image gives the same files. A manifest beside the folder (OUT_DIR.manifest) holds
the parameters and every file (name, kind, size, origin); when it matches, the folder is reused. The shape (count,
median, p90, max, total, by kind) is printed, and written to OUT_DIR.shape.
"""
import argparse
import bisect
import hashlib
import io
import math
import os
import random
import statistics
import sys
import tarfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_corpus import pe_file  # noqa: E402  (the generated PE32 of the large-file corpus)

MEDIAN = 47 * 1024
SIGMA = 1.96  # ln(580 KB / 47 KB) / z(0.9)
MAX_SIZE = 32 * 1024 * 1024
MIN_SIZE = 64
TAIL = 0.001  # the share of files drawn log-uniformly from 4 MB to 32 MB instead (the store's large builds)
TAIL_MIN = 4 * 1024 * 1024
KINDS = (("elf", 0.78), ("pe", 0.10), ("script", 0.06), ("document", 0.04), ("archive", 0.02))
ELF_ROOTS = ("/usr/bin", "/usr/sbin", "/usr/lib", "/usr/libexec")
PE_ROOTS = ("/usr", "/opt", "/root/.pyenv", "/root/.m2/wrapper")
SCRIPT_ROOTS = ("/usr/bin", "/usr/sbin", "/usr/share")
DOC_ROOTS = ("/usr/share/doc", "/usr/share/common-licenses")
DOC_EXTS = (".txt", ".html", ".htm", ".pdf", ".md", ".rst", "")


def walk(roots):
    """(path, size, first 64 bytes) of every regular file under roots, sorted, each inode once."""
    seen = set()
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                    if not os.path.isfile(path) or os.path.islink(path) or not MIN_SIZE <= st.st_size <= MAX_SIZE:
                        continue
                    if (st.st_dev, st.st_ino) in seen:
                        continue
                    seen.add((st.st_dev, st.st_ino))
                    with open(path, "rb") as f:
                        head = f.read(512)
                except OSError:
                    continue
                yield path, st.st_size, head


def is_pe(head):
    return head[:2] == b"MZ" and len(head) >= 0x40


def candidates():
    pools = {"elf": [], "pe": [], "script": [], "document": []}
    for path, size, head in walk(ELF_ROOTS):
        if head[:4] == b"\x7fELF":
            pools["elf"].append((size, path))
    for path, size, head in walk(PE_ROOTS):
        if path.lower().endswith((".exe", ".dll", ".pyd", ".sys")) and is_pe(head) and pe_signature(path):
            pools["pe"].append((size, path))
    for path, size, head in walk(SCRIPT_ROOTS):
        if head[:2] == b"#!" and size <= 4 * 1024 * 1024:
            pools["script"].append((size, path))
    for path, size, head in walk(DOC_ROOTS):
        if os.path.splitext(path)[1].lower() in DOC_EXTS and (head[:5] == b"%PDF-" or b"\0" not in head):
            pools["document"].append((size, path))
    for pool in pools.values():
        pool.sort()
    return pools


def pe_signature(path):
    try:
        with open(path, "rb") as f:
            head = f.read(0x40)
            off = int.from_bytes(head[0x3C:0x40], "little")
            f.seek(off)
            return f.read(4) == b"PE\0\0"
    except OSError:
        return False


def nearest(pool, used, size, tolerance=None):
    """The unused (size, path) of the sorted pool nearest to size, or None (none within tolerance)."""
    i = bisect.bisect_left(pool, (size, ""))
    lo, hi = i - 1, i
    while lo >= 0 or hi < len(pool):
        below = pool[lo] if lo >= 0 else None
        above = pool[hi] if hi < len(pool) else None
        pick = below if above is None or (below is not None and size - below[0] <= above[0] - size) else above
        if pick is below:
            lo -= 1
        else:
            hi += 1
        if tolerance is not None and abs(pick[0] - size) > tolerance * size:
            if (below is None or size - below[0] > tolerance * size) and (above is None or above[0] - size > tolerance * size):
                return None
            continue
        if pick[1] not in used:
            return pick
    return None


def archive(rng, pools, used, target, index):
    """A zip or tar.gz of 2-8 ELF/script candidates whose sizes add up to about target."""
    members, total = [], 0
    want = rng.randint(2, 8)
    for _ in range(want):
        kind = "elf" if rng.random() < 0.7 else "script"
        pick = nearest(pools[kind], set(), max(MIN_SIZE, int(target / want * rng.uniform(0.5, 1.5))))
        if pick:
            members.append(pick[1])
            total += pick[0]
    buf = io.BytesIO()
    if index % 2 == 0:
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, path in enumerate(members):
                info = zipfile.ZipInfo(f"{n}-{os.path.basename(path)}", date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as f:
                    z.writestr(info, f.read())
        ext = "zip"
    else:
        with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
            for n, path in enumerate(members):
                info = t.gettarinfo(path, arcname=f"{n}-{os.path.basename(path)}")
                info.mtime, info.uid, info.gid, info.uname, info.gname = 1704067200, 0, 0, "", ""
                with open(path, "rb") as f:
                    t.addfile(info, f)
        ext = "tar.gz"
        # gzip writes the time into its header: make it fixed so the bytes are reproducible
        data = bytearray(buf.getvalue())
        data[4:8] = b"\0\0\0\0"
        return bytes(data), ext, ";".join(members)
    return buf.getvalue(), ext, ";".join(members)


def draw_size(rng):
    """A file size as a store has them: log-normal, with a log-uniform tail of large builds."""
    if rng.random() < TAIL:
        return int(math.exp(rng.uniform(math.log(TAIL_MIN), math.log(MAX_SIZE))))
    return min(MAX_SIZE, max(MIN_SIZE, int(rng.lognormvariate(math.log(MEDIAN), SIGMA))))


def draw_kind(rng):
    return rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]


def make_file(rng, pools, used, kind, size, n_archive):
    """One file of that kind near size, as (kind, origin, bytes, size, extension); a real file taken joins used."""
    if kind == "archive":
        data, ext, origin = archive(rng, pools, used, size, n_archive)
        return "archive", origin, data, len(data), ext
    if kind == "pe":
        pick = nearest(pools["pe"], used, size, tolerance=0.25)
        if not pick:
            data = pe_file(rng, max(4096, size))
            return "pe-generated", "generated", data, len(data), "exe"
        kind_taken, ext = "pe", "exe"
    else:
        pick = nearest(pools[kind], used, size)
        ext = {"elf": "bin", "script": "sh", "document": "doc"}[kind]
        if pick is None:
            # every real file of that kind is taken (the 1800 MB corpus needs more ELF than /usr has): another
            # build of the nearest one, its bytes with a seeded 32-byte trailer (an overlay; hashes all differ)
            pick = nearest(pools[kind], set(), size)
            with open(pick[1], "rb") as f:
                data = f.read() + b"TRAWLVAR" + rng.randbytes(24)
            return kind + "-variant", pick[1], data, len(data), ext
        kind_taken = kind
    used.add(pick[1])
    with open(pick[1], "rb") as f:
        return kind_taken, pick[1], f.read(), pick[0], ext


def shape(sizes):
    s = sorted(sizes)
    q = lambda p: s[min(len(s) - 1, int(p * len(s)))]
    return {"count": len(s), "median": int(statistics.median(s)), "p90": q(0.9), "max": s[-1], "total": sum(s),
            "under64k": sum(1 for x in s if x < 64 * 1024)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--size-mb", type=int, default=440)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    signature = f"trawl-bench-corpus store v1 size-mb={args.size_mb} seed={args.seed}"
    out = args.out.rstrip("/")
    manifest = out + ".manifest"
    if os.path.exists(manifest):
        with open(manifest) as f:
            if f.readline().strip() == signature:
                print(f"corpus: reusing {out} ({signature})", file=sys.stderr)
                if os.path.exists(out + ".shape"):
                    sys.stderr.write(open(out + ".shape").read())
                return
        sys.exit(f"{out} holds another corpus; remove it or choose another folder")
    if os.path.isdir(out) and os.listdir(out):
        sys.exit(f"{out} is not empty; remove it or choose another folder")
    started = time.time()
    rng = random.Random(args.seed)
    pools = candidates()
    print("corpus: candidates " + ", ".join(f"{k} {len(v)}" for k, v in pools.items()), file=sys.stderr)
    budget = args.size_mb * 1_000_000
    used, digests = set(), set()
    items = []  # (kind, origin, data-or-None, size, ext)
    total = 0
    n_archive = 0
    misses = 0
    first = budget >= 200_000_000  # the largest ELF up to 32 MB is always in the default and larger corpora
    while total < budget and misses < 10000:
        size = MAX_SIZE if first else draw_size(rng)
        size = min(size, budget - total + MIN_SIZE)
        kind = "elf" if first else draw_kind(rng)
        first = False
        item = make_file(rng, pools, used, kind, size, n_archive)
        n_archive += kind == "archive"
        digest = hashlib.sha1(item[2]).digest()
        if digest in digests:  # the same bytes under two paths (pyenv's versions share launcher stubs)
            misses += 1
            continue
        digests.add(digest)
        items.append(item)
        total += item[3]
    rng.shuffle(items)
    os.makedirs(out, exist_ok=True)
    rows = []
    width = max(4, len(str(len(items))))
    for i, (kind, origin, data, size, ext) in enumerate(items):
        name = f"{rng.getrandbits(64):016x}-{i:0{width}d}.{ext}"
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        rows.append(f"{name}\t{kind}\t{len(data)}\t{origin}")
    with open(manifest, "w") as f:
        f.write(signature + "\n" + "\n".join(rows) + "\n")
    all_shape = shape([len(it[2]) for it in items])
    lines = [f"corpus: {out}: {all_shape['count']} files, {all_shape['total'] / 1e6:.1f} MB; median "
             f"{all_shape['median'] / 1024:.0f} KB, p90 {all_shape['p90'] / 1024:.0f} KB, max "
             f"{all_shape['max'] / 1048576:.1f} MB, {100 * all_shape['under64k'] / all_shape['count']:.0f}% under 64 KB"]
    kinds = sorted({it[0] for it in items})
    for kind in kinds:
        sizes = [len(it[2]) for it in items if it[0] == kind]
        sh = shape(sizes)
        lines.append(f"  {kind:<13} {sh['count']:>5} files {sh['total'] / 1e6:>8.1f} MB  median {sh['median'] / 1024:>7.1f} KB"
                     f"  max {sh['max'] / 1048576:>6.2f} MB")
    text = "\n".join(lines) + "\n"
    with open(out + ".shape", "w") as f:
        f.write(text)
    sys.stderr.write(text)
    print(f"corpus: built in {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
