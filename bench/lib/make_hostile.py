#!/usr/bin/env python3
"""Builds the hostile-input corpus for bench/hostile-memory.sh (stdlib only, deterministic).

    make_hostile.py OUT_DIR

  bomb.zip            one member of 1 GiB of zeros, deflated to about 1 MB (ratio about 1000)
  wide-bomb.zip       5000 members of 100 KB of zeros (more members than the archive limits allow)
  nested-20.zip       a zip inside a zip, 20 levels deep, with a text file at the bottom
  traversal.zip       members named ../../../etc/passwd-trawl, /abs/trawl-abs, ..\\..\\windows\\trawl.ini
  corrupt.zip         a valid zip cut in half, then 4 KB of random bytes
  corrupt-cd.zip      a zip whose central directory claims 65535 entries at wild offsets
  truncated.elf       the first 300 bytes of /usr/bin/ls (or a generated ELF header when it is missing)
  truncated-mid.elf   the first 40% of the same file
  truncated.exe       a PE header with 96 sections whose raw data lies beyond the end of the file
  hostile-pe.exe      a PE whose headers claim 0xFFFF sections and an import table at offset 0x7FFFFFFF
  empty.bin           0 bytes
  random.bin          16 MiB of random bytes
  sparse-1g.bin       1 GiB sparse file (truncate -s 1G; zeros, above the maximum sample size, so hashed only)
"""
import io
import os
import random
import struct
import sys
import zipfile

MIB = 1024 * 1024


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def write(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def pe_header(sections, import_rva=0, raw_offset=0x400, raw_size=0x1000):
    dos = bytearray(0x80)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x80)
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x14C, sections, 0, 0, 0, 224, 0x0102)
    directories = bytearray(16 * 8)
    struct.pack_into("<II", directories, 8, import_rva, 0x1000)  # the import directory
    opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10B, 14, 0, 0, 0, 0, 0x1000, 0x1000, 0x1000, 0x400000,
                      0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0, 0x100000, 0x400, 0, 2, 0, 0x100000, 0x1000, 0x100000,
                      0x1000, 0, 16) + bytes(directories)
    table = b"".join(struct.pack("<8sIIIIIIHHI", b".s%d" % (i % 1000), raw_size, 0x1000 * (i + 1), raw_size,
                                 (raw_offset + i * raw_size) & 0xFFFFFFFF, 0, 0, 0, 0, 0x60000020) for i in range(min(sections, 96)))
    return bytes(dos) + coff + opt + table


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(3)

    # the bomb is streamed into the zip, so building it needs no GiB of memory
    with zipfile.ZipFile(os.path.join(out, "bomb.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            block = bytes(MIB)
            for _ in range(1024):
                member.write(block)
    zeros = bytes(100 * 1000)
    write(out, "wide-bomb.zip", zip_bytes([(f"m{i:05d}.bin", zeros) for i in range(5000)]))

    nested = zip_bytes([("bottom.txt", b"the bottom of 20 nested zips\n")])
    for level in range(19, 0, -1):
        nested = zip_bytes([(f"level{level}.zip", nested)])
    write(out, "nested-20.zip", nested)

    write(out, "traversal.zip", zip_bytes([("../../../etc/passwd-trawl", b"root:x:0:0\n"),
                                           ("/abs/trawl-abs", b"absolute\n"),
                                           ("..\\..\\windows\\trawl.ini", b"[x]\n"),
                                           ("ok/normal.txt", b"normal member\n")]))

    good = zip_bytes([(f"f{i}.txt", (f"line {i}\n" * 2000).encode()) for i in range(20)])
    write(out, "corrupt.zip", good[: len(good) // 2] + rng.randbytes(4096))
    # end of central directory record claiming 65535 entries, a huge directory at a wild offset
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0x7FFFFFF0, 0x7FFFFFF0, 0)
    write(out, "corrupt-cd.zip", good[:1000] + eocd)

    elf = None
    if os.path.exists("/usr/bin/ls"):
        with open("/usr/bin/ls", "rb") as f:
            elf = f.read()
    if not elf or not elf.startswith(b"\x7fELF"):
        elf = b"\x7fELF\x02\x01\x01" + bytes(57) + rng.randbytes(200_000)
    write(out, "truncated.elf", elf[:300])
    write(out, "truncated-mid.elf", elf[: len(elf) * 2 // 5])

    write(out, "truncated.exe", pe_header(96) + rng.randbytes(2048))
    write(out, "hostile-pe.exe", pe_header(0xFFFF, import_rva=0x7FFFFFFF, raw_offset=0x7FFFFF00,
                                           raw_size=0x7FFFFFFF) + rng.randbytes(4096))

    write(out, "empty.bin", b"")
    write(out, "random.bin", rng.randbytes(16 * MIB))
    with open(os.path.join(out, "sparse-1g.bin"), "wb") as f:
        f.truncate(1024 * MIB)


if __name__ == "__main__":
    main()
