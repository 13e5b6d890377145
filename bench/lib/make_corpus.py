#!/usr/bin/env python3
"""Builds the rescan benchmark's corpus: a deterministic mix of real ELF files and generated files.

    make_corpus.py OUT_DIR [--size-mb 700] [--seed 1]

What goes in (shares of --size-mb, all files in one flat folder, names shuffled by the seed so that every
partition of the rescan gets a similar mix, as a store of samples named by hash would give it):
  60%  copies of ELF files (executables and shared objects) from /usr/lib and /usr/bin, 128 KB to 40 MB each,
       picked by a seeded shuffle of the sorted list of candidates (deterministic for one machine image)
  16%  generated PE-like files: a valid MZ/PE32 header, .text (x86-looking bytes), .rdata (ASCII and UTF-16LE
       strings with URLs, domains, IPs, registry keys and paths), .data (random), sometimes an overlay
  12%  random bytes (incompressible, 64 KB to 8 MB)
  12%  generated text: log-, config- and script-like lines with the same kinds of indicators

A manifest beside the folder (OUT_DIR.manifest) records the parameters and every file (name, kind, size, origin); when it already matches the
parameters, the folder is reused as it is.
"""
import argparse
import os
import random
import struct
import sys

ELF_MIN, ELF_MAX = 128 * 1024, 40 * 1024 * 1024
SHARES = (("elf", 0.60), ("pe", 0.16), ("random", 0.12), ("text", 0.12))

WORDS = ("the service started worker thread connection timeout retry config value user admin session token "
         "request response error warning debug cache buffer socket handler module loaded unload update install "
         "download upload process memory registry key path file directory network host port proxy agent client "
         "server payload encoded decoded kernel driver scheduler").split()
TLDS = ("com", "net", "org", "ru", "cn", "io", "xyz", "top", "info", "de")


def indicator(rng):
    host = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 12)))
    domain = f"{host}.{rng.choice(TLDS)}"
    ip = ".".join(str(rng.randint(1, 254)) for _ in range(4))
    kind = rng.randrange(8)
    if kind == 0:
        return f"http://{domain}/{host}/{rng.randint(1, 99999)}.php?id={rng.randint(1, 1 << 30)}"
    if kind == 1:
        return f"https://{ip}:{rng.randint(1024, 65535)}/gate"
    if kind == 2:
        return f"{host}@{domain}"
    if kind == 3:
        return f"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\{host}"
    if kind == 4:
        return f"C:\\Users\\Public\\{host}\\{host}.exe"
    if kind == 5:
        return f"/tmp/.{host}/{host}.sh"
    if kind == 6:
        return f"fe80::{rng.randint(1, 0xffff):x}:{rng.randint(1, 0xffff):x}:{rng.randint(1, 0xffff):x}"
    return domain


def text_lines(rng, count):
    lines = []
    for _ in range(count):
        words = rng.choices(WORDS, k=rng.randint(4, 14))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), indicator(rng))
        lines.append(f"{rng.randint(0, 99999):05d} " + " ".join(words))
    return lines


def text_file(rng, size):
    pool = text_lines(rng, 4000)
    out, total = [], 0
    while total < size:
        line = rng.choice(pool)
        out.append(line)
        total += len(line) + 1
    return ("\n".join(out) + "\n").encode("ascii")[:size]


def code_bytes(rng, size):
    # x86-looking: common opcodes and short immediates, so entropy and n-gram statistics resemble code
    opcodes = bytes([0x55, 0x89, 0xe5, 0x8b, 0x45, 0x83, 0xec, 0xc3, 0xe8, 0xff, 0x75, 0x74, 0x0f, 0x85, 0x84,
                     0x48, 0x31, 0xc0, 0x50, 0x53, 0x5d, 0x90, 0xcc, 0x6a, 0x00, 0x01, 0x10, 0x24, 0x04, 0x08])
    weighted = rng.choices(opcodes, k=min(size, 1 << 20))
    chunk = bytes(weighted)
    noise = rng.randbytes(len(chunk))
    mixed = bytes(a if i % 4 else b for i, (a, b) in enumerate(zip(chunk, noise)))
    return (mixed * (size // len(mixed) + 1))[:size]


def rdata_bytes(rng, size):
    out, total = [], 0
    while total < size:
        s = indicator(rng) if rng.random() < 0.5 else " ".join(rng.choices(WORDS, k=rng.randint(2, 6)))
        b = s.encode("ascii") + b"\0" if rng.random() < 0.6 else s.encode("utf-16-le") + b"\0\0"
        out.append(b)
        total += len(b)
    return b"".join(out)[:size]


def align(n, a):
    return (n + a - 1) // a * a


def pe_file(rng, size):
    file_align, sect_align = 0x200, 0x1000
    text_size = align(int(size * 0.55), file_align)
    rdata_size = align(int(size * 0.2), file_align)
    data_size = align(int(size * 0.15), file_align)
    overlay = rng.random() < 0.3
    sections = [(b".text", text_size, 0x60000020, code_bytes(rng, text_size)),
                (b".rdata", rdata_size, 0x40000040, rdata_bytes(rng, rdata_size)),
                (b".data", data_size, 0xC0000040, rng.randbytes(data_size))]
    e_lfanew = 0x80
    dos = bytearray(e_lfanew)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, e_lfanew)
    dos[0x40:0x40 + 39] = b"This program cannot be run in DOS mode."
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x14C, len(sections), 0x5F000000 + rng.randrange(1 << 24), 0, 0,
                       224, 0x0102)
    headers_size = align(e_lfanew + len(coff) + 224 + 40 * len(sections), file_align)
    image_size = align(headers_size, sect_align) + sum(align(s[1], sect_align) for s in sections)
    opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10B, 14, 0, text_size, rdata_size + data_size, 0,
                      sect_align, sect_align, sect_align + align(text_size, sect_align), 0x400000, sect_align,
                      file_align, 6, 0, 0, 0, 6, 0, 0, image_size, headers_size, 0, 2, 0x8140, 0x100000, 0x1000,
                      0x100000, 0x1000, 0, 16)
    opt += b"\0" * (16 * 8)
    table = b""
    raw = headers_size
    rva = align(headers_size, sect_align)
    for name, raw_size, flags, _ in sections:
        table += struct.pack("<8sIIIIIIHHI", name, raw_size, rva, raw_size, raw, 0, 0, 0, 0, flags)
        raw += raw_size
        rva += align(raw_size, sect_align)
    header = bytes(dos) + coff + opt + table
    header += b"\0" * (headers_size - len(header))
    body = header + b"".join(s[3] for s in sections)
    if overlay:
        body += rng.randbytes(rng.randint(4096, 256 * 1024))
    return body


def elf_candidates():
    found, seen = [], set()
    for root in ("/usr/lib", "/usr/bin"):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                    if not os.path.isfile(path) or os.path.islink(path) or not ELF_MIN <= st.st_size <= ELF_MAX:
                        continue
                    if (st.st_dev, st.st_ino) in seen:
                        continue
                    with open(path, "rb") as f:
                        if f.read(4) != b"\x7fELF":
                            continue
                except OSError:
                    continue
                seen.add((st.st_dev, st.st_ino))
                found.append((path, st.st_size))
    return found


def sizes(rng, budget, low, high):
    out = []
    while budget > low:
        size = min(int(rng.lognormvariate(0, 1) * (low + high) / 8) + low, high, budget)
        out.append(size)
        budget -= size
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--size-mb", type=int, default=700)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    signature = f"trawl-bench-corpus v1 size-mb={args.size_mb} seed={args.seed}"
    manifest = args.out.rstrip("/") + ".manifest"
    if os.path.exists(manifest):
        with open(manifest) as f:
            if f.readline().strip() == signature:
                print(f"corpus: reusing {args.out} ({signature})", file=sys.stderr)
                return
        sys.exit(f"{args.out} holds another corpus; remove it or choose another folder")
    if os.path.isdir(args.out) and os.listdir(args.out):
        sys.exit(f"{args.out} is not empty; remove it or choose another folder")
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    budget = {kind: int(args.size_mb * 1_000_000 * share) for kind, share in SHARES}
    plan = []  # (kind, origin, size)
    candidates = elf_candidates()
    rng.shuffle(candidates)
    left = budget["elf"]
    for path, size in candidates:
        if size <= left:
            plan.append(("elf", path, size))
            left -= size
        if left < ELF_MIN:
            break
    for size in sizes(rng, budget["pe"], 64 * 1024, 6 * 1024 * 1024):
        plan.append(("pe", "generated", size))
    for size in sizes(rng, budget["random"], 64 * 1024, 8 * 1024 * 1024):
        plan.append(("random", "generated", size))
    for size in sizes(rng, budget["text"], 16 * 1024, 4 * 1024 * 1024):
        plan.append(("text", "generated", size))
    rng.shuffle(plan)
    rows = []
    for i, (kind, origin, size) in enumerate(plan):
        if kind == "elf":
            with open(origin, "rb") as f:
                data = f.read()
            name = f"{i:04d}-elf-{os.path.basename(origin)}"
        elif kind == "pe":
            data = pe_file(rng, size)
            name = f"{i:04d}-pe.exe"
        elif kind == "random":
            data = rng.randbytes(size)
            name = f"{i:04d}-random.bin"
        else:
            data = text_file(rng, size)
            name = f"{i:04d}-text.log"
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        rows.append(f"{name}\t{kind}\t{len(data)}\t{origin}")
    with open(manifest, "w") as f:
        f.write(signature + "\n" + "\n".join(rows) + "\n")
    total = sum(int(r.split("\t")[2]) for r in rows)
    print(f"corpus: wrote {len(rows)} files, {total / 1e6:.1f} MB to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
