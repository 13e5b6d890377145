package io.trawl.worker.analysis.filetype;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * A short human description of the file type, with flags for the families an analyst filters on, from the first
 * bytes (magic numbers, executable headers, a script's first line) and the {@code mimeType} field when an earlier
 * analyzer set it. Field {@code fileType}: {@code {description, mimeType, isPE, isELF, isMachO, isScript, isArchive,
 * isDocument, magic}}; {@code magic} is the first {@link #MAGIC_BYTES} bytes in lower-case hex (fewer for a shorter
 * content, "" for an empty one), the evidence an incremental rescan checks YARA rules' first-bytes gates against.
 */
public final class FileTypeAnalyzer extends AbstractAnalyzer {

	private static final int HEAD = 8192;

	/** The first bytes {@code magic} records: enough for every {@code uint32(0) == C} a rule gate reads. */
	public static final int MAGIC_BYTES = 8;

	public FileTypeAnalyzer() {
		super("fileType", "2"); // 2: magic
	}

	@Override
	public Set<String> fields() {
		return Set.of("fileType");
	}

	@Override
	public Set<String> reads() {
		return Set.of("mimeType");
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		byte[] head = sample.head(HEAD);
		String mime = findings.get("mimeType") instanceof String m ? m : null;
		findings.put("fileType", describe(head, sample.size(), mime));
	}

	static Map<String, Object> describe(byte[] head, long size, String mime) {
		Type type = detect(head, size);
		String m = mime == null ? "" : mime.toLowerCase(Locale.ROOT);
		boolean script = type.family == Family.SCRIPT || m.contains("x-sh") || m.contains("python")
				|| m.contains("javascript") || m.contains("x-perl") || m.contains("powershell")
				|| m.contains("vbscript") || m.contains("x-bat") || m.contains("x-msdos-batch");
		boolean archive = type.family == Family.ARCHIVE || type.family == Family.OOXML || m.equals("application/zip")
				|| m.equals("application/gzip") || m.equals("application/x-tar") || m.contains("7z-compressed")
				|| m.contains("x-rar") || m.equals("application/x-bzip2") || m.equals("application/x-xz");
		boolean document = type.family == Family.DOCUMENT || type.family == Family.OOXML
				|| m.equals("application/pdf") || m.equals("application/msword") || m.equals("application/rtf")
				|| m.startsWith("application/vnd.openxmlformats") || m.startsWith("application/vnd.ms-")
				|| m.startsWith("application/vnd.oasis.opendocument");
		Map<String, Object> fileType = new LinkedHashMap<>();
		fileType.put("description", type.description);
		if (mime != null) {
			fileType.put("mimeType", mime);
		}
		fileType.put("isPE", type.family == Family.PE);
		fileType.put("isELF", type.family == Family.ELF);
		fileType.put("isMachO", type.family == Family.MACHO);
		fileType.put("isScript", script);
		fileType.put("isArchive", archive);
		fileType.put("isDocument", document);
		fileType.put("magic", HexFormat.of().formatHex(head, 0, Math.min(MAGIC_BYTES, head.length)));
		return fileType;
	}

	enum Family {
		PE, ELF, MACHO, SCRIPT, ARCHIVE, DOCUMENT, OOXML, OTHER
	}

	record Type(Family family, String description) {
	}

	static Type detect(byte[] h, long size) {
		if (size == 0) {
			return new Type(Family.OTHER, "empty");
		}
		if (starts(h, "MZ")) {
			return pe(h);
		}
		if (h.length >= 4 && h[0] == 0x7f && starts(h, 1, "ELF")) {
			return elf(h);
		}
		Type macho = macho(h);
		if (macho != null) {
			return macho;
		}
		if (starts(h, "PK\u0003\u0004") || starts(h, "PK\u0005\u0006")) {
			String text = latin1(h);
			if (text.contains("[Content_Types].xml") || text.contains("word/") || text.contains("xl/")
					|| text.contains("ppt/")) {
				return new Type(Family.OOXML, "Office Open XML document");
			}
			if (text.contains("mimetypeapplication/vnd.oasis.opendocument")) {
				return new Type(Family.OOXML, "OpenDocument document");
			}
			if (text.contains("META-INF/MANIFEST.MF") || text.contains("META-INF/")) {
				return new Type(Family.ARCHIVE, "Java archive");
			}
			if (text.contains("AndroidManifest.xml") || text.contains("classes.dex")) {
				return new Type(Family.ARCHIVE, "Android package");
			}
			return new Type(Family.ARCHIVE, "Zip archive");
		}
		if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
			return new Type(Family.ARCHIVE, "gzip compressed data");
		}
		if (h.length >= 262 && starts(h, 257, "ustar")) {
			return new Type(Family.ARCHIVE, "tar archive");
		}
		if (starts(h, "7z\u00bc\u00af\u0027\u001c")) {
			return new Type(Family.ARCHIVE, "7-zip archive");
		}
		if (starts(h, "Rar!\u001a\u0007")) {
			return new Type(Family.ARCHIVE, "RAR archive");
		}
		if (starts(h, "BZh")) {
			return new Type(Family.ARCHIVE, "bzip2 compressed data");
		}
		if (starts(h, "\u00fd7zXZ\u0000")) {
			return new Type(Family.ARCHIVE, "XZ compressed data");
		}
		if (starts(h, "MSCF")) {
			return new Type(Family.ARCHIVE, "Microsoft Cabinet archive");
		}
		if (starts(h, "%PDF-")) {
			return new Type(Family.DOCUMENT, "PDF document");
		}
		if (starts(h, "\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1")) {
			return new Type(Family.DOCUMENT, "Microsoft OLE2 compound document");
		}
		if (starts(h, "{\\rtf")) {
			return new Type(Family.DOCUMENT, "Rich Text Format document");
		}
		if (starts(h, "\u00ca\u00fe\u00ba\u00be") && h.length >= 8 && (h[7] & 0xff) >= 45) {
			return new Type(Family.OTHER, "Java class file");
		}
		if (starts(h, "dex\n")) {
			return new Type(Family.OTHER, "Android DEX");
		}
		if (starts(h, "\u0089PNG\r\n\u001a\n")) {
			return new Type(Family.OTHER, "PNG image");
		}
		if (starts(h, "\u00ff\u00d8\u00ff")) {
			return new Type(Family.OTHER, "JPEG image");
		}
		if (starts(h, "GIF87a") || starts(h, "GIF89a")) {
			return new Type(Family.OTHER, "GIF image");
		}
		if (starts(h, "#!")) {
			return new Type(Family.SCRIPT, shebang(h));
		}
		if (isText(h)) {
			return text(h);
		}
		return new Type(Family.OTHER, "data");
	}

	private static Type pe(byte[] h) {
		ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
		if (h.length < 0x40) {
			return new Type(Family.OTHER, "MS-DOS executable (truncated)");
		}
		long offset = b.getInt(0x3c) & 0xffffffffL;
		if (offset + 26 > h.length || b.getInt((int) offset) != 0x00004550) {
			return new Type(Family.OTHER, "MS-DOS executable");
		}
		int at = (int) offset;
		int machine = b.getShort(at + 4) & 0xffff;
		int characteristics = b.getShort(at + 22) & 0xffff;
		int magic = b.getShort(at + 24) & 0xffff;
		String format = magic == 0x20b ? "PE32+" : "PE32";
		String kind = (characteristics & 0x2000) != 0 ? "DLL" : "executable";
		String arch = switch (machine) {
			case 0x14c -> "i386";
			case 0x8664 -> "x86-64";
			case 0xaa64 -> "ARM64";
			case 0x1c0, 0x1c4 -> "ARM";
			case 0x200 -> "IA-64";
			default -> String.format("machine 0x%04x", machine);
		};
		String dotnet = latin1(h).contains("mscoree.dll") ? " .NET" : "";
		return new Type(Family.PE, format + dotnet + " " + kind + " (" + arch + ")");
	}

	private static Type elf(byte[] h) {
		String bits = h.length > 4 && h[4] == 2 ? "64-bit" : "32-bit";
		String kind = "file";
		if (h.length >= 18) {
			boolean big = h.length > 5 && h[5] == 2;
			int type = big ? ((h[16] & 0xff) << 8) | (h[17] & 0xff) : ((h[17] & 0xff) << 8) | (h[16] & 0xff);
			kind = switch (type) {
				case 1 -> "relocatable";
				case 2 -> "executable";
				case 3 -> "shared object";
				case 4 -> "core file";
				default -> "file";
			};
		}
		return new Type(Family.ELF, "ELF " + bits + " " + kind);
	}

	private static Type macho(byte[] h) {
		if (h.length < 4) {
			return null;
		}
		int magic = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
		return switch (magic) {
			case 0xfeedface, 0xcefaedfe -> new Type(Family.MACHO, "Mach-O 32-bit");
			case 0xfeedfacf, 0xcffaedfe -> new Type(Family.MACHO, "Mach-O 64-bit");
			// 0xcafebabe is shared with Java class files; a fat header has a small architecture count
			case 0xcafebabe -> h.length >= 8 && (h[4] | h[5] | h[6]) == 0 && (h[7] & 0xff) < 45
					? new Type(Family.MACHO, "Mach-O universal binary") : null;
			default -> null;
		};
	}

	private static String shebang(byte[] h) {
		String line = latin1(h).lines().findFirst().orElse("").substring(2).trim();
		String[] words = line.split("\\s+");
		String interpreter = words.length == 0 ? "" : words[0].substring(words[0].lastIndexOf('/') + 1);
		if (interpreter.equals("env") && words.length > 1) {
			interpreter = words[1].startsWith("-") && words.length > 2 ? words[2] : words[1];
		}
		if (interpreter.matches("(ba|da|z|k|c|tc|a)?sh")) {
			return "Shell script";
		}
		if (interpreter.startsWith("python")) {
			return "Python script";
		}
		if (interpreter.startsWith("perl")) {
			return "Perl script";
		}
		if (interpreter.startsWith("ruby")) {
			return "Ruby script";
		}
		if (interpreter.equals("node") || interpreter.equals("nodejs")) {
			return "Node.js script";
		}
		if (interpreter.startsWith("pwsh") || interpreter.startsWith("powershell")) {
			return "PowerShell script";
		}
		return interpreter.isEmpty() ? "Script" : "Script (" + interpreter + ")";
	}

	private static Type text(byte[] h) {
		String text = new String(h, StandardCharsets.UTF_8);
		String lower = text.toLowerCase(Locale.ROOT);
		if (lower.contains("set-itemproperty") || lower.contains("invoke-") || lower.contains("new-object")
				|| lower.contains("$env:") || lower.contains("-executionpolicy") || lower.contains("write-output")
				|| lower.contains("get-childitem")) {
			return new Type(Family.SCRIPT, "PowerShell script");
		}
		if (lower.startsWith("@echo off") || lower.contains("\n@echo off")) {
			return new Type(Family.SCRIPT, "Windows batch script");
		}
		if (lower.contains("createobject(") && (lower.contains("dim ") || lower.contains("set "))) {
			return new Type(Family.SCRIPT, "VBScript");
		}
		if (lower.startsWith("<?php")) {
			return new Type(Family.SCRIPT, "PHP script");
		}
		if (lower.startsWith("<!doctype html") || lower.startsWith("<html")) {
			return new Type(Family.DOCUMENT, "HTML document");
		}
		if (lower.startsWith("<?xml")) {
			return new Type(Family.OTHER, "XML document");
		}
		boolean ascii = true;
		for (byte b : h) {
			if (b < 0) {
				ascii = false;
				break;
			}
		}
		return new Type(Family.OTHER, ascii ? "ASCII text" : "UTF-8 text");
	}

	private static boolean isText(byte[] h) {
		int bad = 0;
		for (byte b : h) {
			int c = b & 0xff;
			if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x0c && c != 0x1b) {
				bad++;
			}
		}
		if (bad > 0) {
			return false;
		}
		// decodes as UTF-8, allowing a sequence cut by the end of the head
		java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
		try {
			decoder.decode(ByteBuffer.wrap(h, 0, Math.max(0, h.length - 3)));
			return true;
		}
		catch (java.nio.charset.CharacterCodingException e) {
			return false;
		}
	}

	private static boolean starts(byte[] h, String magic) {
		return starts(h, 0, magic);
	}

	private static boolean starts(byte[] h, int offset, String magic) {
		if (h.length < offset + magic.length()) {
			return false;
		}
		for (int i = 0; i < magic.length(); i++) {
			if ((h[offset + i] & 0xff) != magic.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private static String latin1(byte[] h) {
		return new String(h, StandardCharsets.ISO_8859_1);
	}
}
