#!/usr/bin/python3
"""A Python peer for the benchmark: Strelka's libraries, the same fields as Trawl, one process per core.

    peer.py SOURCE --rules PATH [--out results.jsonl] [--procs N]

Install (Debian 12; the libraries Strelka's scanners use, plus numpy for the byte histogram):
    apt-get install -y python3-yara python3-pefile python3-pyelftools python3-ssdeep python3-tlsh python3-magic python3-numpy

Runs with Debian's /usr/bin/python3 (the apt packages are built for it, not for a pyenv python). For every regular
file under SOURCE, and every member of a zip or tar archive (depth up to 2, as Trawl does), one JSON line:
size, md5, sha1, sha256, sha512 (hashlib), ssdeep (python3-ssdeep, libfuzzy), tlsh (python3-tlsh; Debian's
3.4.4 build prints the hash without Trawl's "T1" prefix), mimeType and fileType (python3-magic, libmagic), entropy
(numpy histogram), pe (pefile: machine, timestamp, characteristics, DLL, subsystem, entry point, image base,
sections with entropy, overlay, imports, imphash, exports, resources), elf (pyelftools: class, endianness, type,
machine, entry, segments, interpreter, sections with entropy), strings (ASCII and UTF-16LE runs of 6+ printable
characters, a sample of 30 and the indicators among them: URLs, domains, IPv4, IPv6, emails, registry keys, file
paths), archive (members with size and sha256) and yaraMatches (yara-python, every rule file in its own namespace
named by its path under the rules root, as Trawl and bench/rescan-vs-native.sh compile them; externals filename,
filepath, extension, filetype defined empty as for the yara CLI). The rules are compiled once and loaded by each
worker. multiprocessing.Pool with --procs workers (default: the CPUs this process may use), files handed out one
at a time, largest first so the big ones do not straggle. The last stdout line is a JSON summary.
"""
import argparse
import collections
import hashlib
import io
import json
import math
import multiprocessing
import os
import re
import sys
import tarfile
import tempfile
import time
import zipfile

import elftools.elf.elffile
import magic
import numpy
import pefile
import ssdeep
import tlsh
import yara

MIN_STRING = 6
SAMPLE = 30
MAX_UNIQUE = 10000
MAX_IOCS = 100
MAX_DEPTH = 2
MAX_MEMBERS = 1000
MAX_MEMBER_SIZE = 512 * 1024 * 1024
EXTERNALS = {"filename": "", "filepath": "", "extension": "", "filetype": ""}

ASCII_RUN = re.compile(rb"[\x20-\x7e]{%d,}" % MIN_STRING)
UTF16_RUN = re.compile(rb"(?:[\x20-\x7e]\x00){%d,}" % MIN_STRING)
TLDS = "com|net|org|info|biz|io|co|ru|cn|de|uk|fr|jp|br|in|it|nl|pl|su|tk|top|xyz|me|cc|ws|us|eu|online|site"
IOC = {
    "urls": re.compile(r"\b(?:https?|ftp)://[\w.-]+(?::\d{1,5})?(?:/[\w./%?=&+~#-]*)?", re.I),
    "emails": re.compile(r"\b[\w.+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.(?:%s)\b" % TLDS, re.I),
    "domains": re.compile(r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:%s)\b" % TLDS, re.I),
    "ipv4": re.compile(r"\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b"),
    "ipv6": re.compile(r"(?<![0-9a-f:])(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}(?![0-9a-f:])", re.I),
    "registryKeys": re.compile(r"\b(?:HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKLM|HKCU|HKEY_CLASSES_ROOT|HKEY_USERS)"
                               r"\\[^\s\"']+", re.I),
    "filePaths": re.compile(r"\b[a-z]:\\[^\s\"'<>|]+|(?<![\w/.:~-])/(?:tmp|etc|bin|usr|var|home|dev|proc|root|opt)"
                            r"/[^\s\"'<>|]*", re.I),
}

_rules = None
_magic_mime = None
_magic_text = None


def init_worker(compiled):
    global _rules, _magic_mime, _magic_text
    _rules = yara.load(compiled)
    _magic_mime = magic.Magic(mime=True)
    _magic_text = magic.Magic()


def entropy(data):
    if not data:
        return 0.0
    counts = numpy.bincount(numpy.frombuffer(data, dtype=numpy.uint8), minlength=256)
    p = counts[counts > 0] / len(data)
    return round(float(-(p * numpy.log2(p)).sum()), 6) + 0.0  # never -0.0


def strings_and_iocs(data):
    seen = collections.OrderedDict()
    ascii_count = utf16_count = 0
    for m in ASCII_RUN.finditer(data):
        ascii_count += 1
        if len(seen) < MAX_UNIQUE:
            seen.setdefault(m.group().decode("ascii"), None)
    for m in UTF16_RUN.finditer(data):
        utf16_count += 1
        if len(seen) < MAX_UNIQUE:
            seen.setdefault(m.group().decode("utf-16-le"), None)
    iocs = {kind: [] for kind in IOC}
    for s in seen:
        for kind, pattern in IOC.items():
            found = iocs[kind]
            if len(found) < MAX_IOCS:
                for hit in pattern.findall(s):
                    if hit not in found:
                        found.append(hit)
    return {"count": ascii_count + utf16_count, "asciiCount": ascii_count, "utf16Count": utf16_count,
            "uniqueKept": len(seen), "sample": list(seen)[:SAMPLE], "iocs": iocs,
            "iocCounts": {kind: len(v) for kind, v in iocs.items()}}


def pe_fields(data):
    try:
        pe = pefile.PE(data=data, fast_load=True)
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY[d] for d in (
            "IMAGE_DIRECTORY_ENTRY_IMPORT", "IMAGE_DIRECTORY_ENTRY_EXPORT", "IMAGE_DIRECTORY_ENTRY_RESOURCE",
            "IMAGE_DIRECTORY_ENTRY_SECURITY")])
    except pefile.PEFormatError as e:
        return {"error": str(e)}
    fh, oh = pe.FILE_HEADER, pe.OPTIONAL_HEADER
    imports = {}
    for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        name = entry.dll.decode("ascii", "replace").lower() if entry.dll else ""
        imports[name] = [(i.name.decode("ascii", "replace") if i.name else f"ord{i.ordinal}") for i in entry.imports]
    exports = [e.name.decode("ascii", "replace") for e in getattr(getattr(pe, "DIRECTORY_ENTRY_EXPORT", None),
                                                                 "symbols", []) if e.name]
    resources = 0
    for kind in getattr(getattr(pe, "DIRECTORY_ENTRY_RESOURCE", None), "entries", []):
        for name in getattr(getattr(kind, "directory", None), "entries", []):
            resources += len(getattr(getattr(name, "directory", None), "entries", []))
    security = oh.DATA_DIRECTORY[4] if len(oh.DATA_DIRECTORY) > 4 else None
    overlay = pe.get_overlay_data_start_offset()
    try:
        imphash = pe.get_imphash()
    except Exception:  # noqa: BLE001  (pefile raises assorted errors on odd import tables)
        imphash = ""
    return {
        "machine": pefile.MACHINE_TYPE.get(fh.Machine, hex(fh.Machine)), "timestamp": fh.TimeDateStamp,
        "characteristics": fh.Characteristics, "isDll": pe.is_dll(),
        "format": "PE32+" if oh.Magic == 0x20B else "PE32", "entryPoint": oh.AddressOfEntryPoint,
        "imageBase": oh.ImageBase, "subsystem": pefile.SUBSYSTEM_TYPE.get(oh.Subsystem, oh.Subsystem),
        "dllCharacteristics": oh.DllCharacteristics,
        "sections": [{"name": s.Name.rstrip(b"\0").decode("ascii", "replace"), "virtualAddress": s.VirtualAddress,
                      "virtualSize": s.Misc_VirtualSize, "rawSize": s.SizeOfRawData,
                      "rawOffset": s.PointerToRawData, "characteristics": s.Characteristics,
                      "entropy": round(s.get_entropy(), 6)} for s in pe.sections],
        "overlaySize": len(data) - overlay if overlay else 0,
        "signed": bool(security and security.VirtualAddress and security.Size),
        "imports": imports, "imphash": imphash, "exports": exports, "resourceCount": resources,
    }


def elf_fields(data):
    try:
        elf = elftools.elf.elffile.ELFFile(io.BytesIO(data))
        header = elf.header
        interpreter = None
        segments = 0
        for seg in elf.iter_segments():
            segments += 1
            if seg["p_type"] == "PT_INTERP":
                interpreter = seg.get_interp_name()
        sections = []
        for sec in elf.iter_sections():
            body = b"" if sec["sh_type"] == "SHT_NOBITS" else data[sec["sh_offset"]:sec["sh_offset"] + sec["sh_size"]]
            sections.append({"name": sec.name, "type": sec["sh_type"].replace("SHT_", ""), "size": sec["sh_size"],
                             "entropy": entropy(body)})
        return {"class": f"ELF{elf.elfclass}", "endianness": "little" if elf.little_endian else "big",
                "osAbi": header["e_ident"]["EI_OSABI"], "type": header["e_type"].replace("ET_", ""),
                "machine": header["e_machine"], "entry": header["e_entry"], "segmentCount": segments,
                "interpreter": interpreter, "sections": sections}
    except Exception as e:  # noqa: BLE001  (pyelftools raises many kinds of errors on truncated files)
        return {"error": f"{type(e).__name__}: {e}"}


def members(data):
    """[(name, bytes)] of a zip or tar archive, or None."""
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return "zip", [(i.filename, z.read(i)) for i in z.infolist()[:MAX_MEMBERS]
                               if not i.is_dir() and i.file_size <= MAX_MEMBER_SIZE]
        if data[:2] == b"\x1f\x8b" or data[257:262] == b"ustar":
            with tarfile.open(fileobj=io.BytesIO(data)) as t:
                out = []
                for i in t.getmembers()[:MAX_MEMBERS]:
                    if i.isfile() and i.size <= MAX_MEMBER_SIZE:
                        out.append((i.name, t.extractfile(i).read()))
                return "tar", out
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError) as e:
        return "corrupt", str(e)
    return None


def analyse(data, name, depth, out):
    doc = {"size": len(data), "md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest(),
           "sha256": hashlib.sha256(data).hexdigest(), "sha512": hashlib.sha512(data).hexdigest()}
    doc["ssdeep"] = ssdeep.hash(data)
    doc["tlsh"] = tlsh.hash(data) if len(data) >= 50 else ""
    doc["mimeType"] = _magic_mime.from_buffer(data)
    doc["fileType"] = _magic_text.from_buffer(data)
    doc["entropy"] = entropy(data)
    if data[:2] == b"MZ":
        doc["pe"] = pe_fields(data)
    if data[:4] == b"\x7fELF":
        doc["elf"] = elf_fields(data)
    doc["strings"] = strings_and_iocs(data)
    doc["yaraMatches"] = [{"namespace": m.namespace, "rule": m.rule, "tags": m.tags}
                          for m in _rules.match(data=data, timeout=60)]
    inner = members(data) if depth < MAX_DEPTH else None
    if inner:
        kind, items = inner
        if kind == "corrupt":
            doc["archive"] = {"corrupt": True, "error": items}
        else:
            doc["archive"] = {"format": kind, "members": [{"path": n, "size": len(b),
                                                           "sha256": hashlib.sha256(b).hexdigest()} for n, b in items]}
            for n, b in items:
                analyse(b, f"{name}!{n}", depth + 1, out)
    doc["depth"] = depth
    doc["sources"] = [name]
    out.append(json.dumps(doc))


def work(path):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    try:
        analyse(data, path, 0, out)
    except Exception as e:  # noqa: BLE001  (one sample's failure is that sample's error, not the run's)
        out.append(json.dumps({"sources": [path], "error": f"{type(e).__name__}: {e}"}))
    return out


def compile_rules(root):
    sources = {}
    if os.path.isdir(root):
        for dirpath, _, names in os.walk(root):
            for n in names:
                if n.endswith((".yar", ".yara")):
                    path = os.path.join(dirpath, n)
                    ns = os.path.relpath(path, root)
                    ns = ns[:-5] if ns.endswith(".yara") else ns[:-4]
                    sources[ns] = path
    else:
        n = os.path.basename(root)
        sources[n[:-5] if n.endswith(".yara") else n[:-4] if n.endswith(".yar") else n] = root
    return yara.compile(filepaths=sources, externals=EXTERNALS)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("--rules", required=True)
    parser.add_argument("--out", default="-")
    parser.add_argument("--procs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    started = time.time()
    files = []
    for dirpath, _, names in os.walk(args.source):
        for n in names:
            p = os.path.join(dirpath, n)
            if os.path.isfile(p) and not os.path.islink(p):
                files.append((os.path.getsize(p), p))
    files.sort(reverse=True)
    total = sum(s for s, _ in files)
    with tempfile.TemporaryDirectory() as tmp:
        compiled = os.path.join(tmp, "rules.yarc")
        compile_rules(args.rules).save(compiled)
        out = sys.stdout if args.out == "-" else open(args.out, "w")
        samples = errors = 0
        with multiprocessing.Pool(args.procs, initializer=init_worker, initargs=(compiled,)) as pool:
            for lines in pool.imap_unordered(work, [p for _, p in files], chunksize=1):
                for line in lines:
                    samples += 1
                    errors += '"error"' in line[:200] and line.startswith('{"sources"')
                    out.write(line + "\n")
        if out is not sys.stdout:
            out.close()
    seconds = time.time() - started
    print(json.dumps({"files": len(files), "samples": samples, "errors": errors, "bytes": total,
                      "seconds": round(seconds, 2), "mbPerSecond": round(total / 1e6 / seconds, 1),
                      "procs": args.procs}))


if __name__ == "__main__":
    main()
