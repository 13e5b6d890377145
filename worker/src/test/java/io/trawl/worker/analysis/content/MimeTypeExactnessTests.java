package io.trawl.worker.analysis.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.tika.Tika;
import org.apache.tika.mime.MimeTypes;
import org.junit.jupiter.api.Test;

import io.trawl.worker.testcorpus.TestCorpus;

/**
 * {@link MimeTypeAnalyzer#detect} against {@code new Tika().detect(bytes)}, the analyzer's answer before
 * {@link TikaMagic}, input by input: thousands of real files from {@code /usr}, prefixes of some of them cut at and
 * around magic offsets, generated executables, archives, documents and scripts, magics placed beyond 8 KB, random
 * bytes, and for every byte-pattern match in Tika's table an input that holds it, whole and cut one byte short.
 */
class MimeTypeExactnessTests {

	private final Tika tika = new Tika();

	private final MimeTypeAnalyzer analyzer = new MimeTypeAnalyzer();

	private int compared;

	private final List<String> differences = new ArrayList<>();

	@Test
	void sameAnswerAsTikaForEveryInput() throws Exception {
		assertThat(this.analyzer.fast()).as("TikaMagic loaded Tika's table").isTrue();
		int files = 0;
		List<MimeCorpus.Input> real = new ArrayList<>();
		real.addAll(MimeCorpus.files(Path.of("/usr/bin"), 1200, Long.MAX_VALUE));
		real.addAll(MimeCorpus.files(Path.of("/usr/lib/x86_64-linux-gnu"), 1200, Long.MAX_VALUE));
		real.addAll(MimeCorpus.files(Path.of("/usr/share"), 2500, Long.MAX_VALUE));
		real.addAll(MimeCorpus.files(Path.of("/usr/lib"), 600, Long.MAX_VALUE));
		real.addAll(MimeCorpus.files(Path.of("/usr/include"), 300, Long.MAX_VALUE));
		real.addAll(MimeCorpus.files(Path.of("/etc"), 300, Long.MAX_VALUE));
		int[] cuts = { 1, 2, 3, 4, 8, 16, 32, 64, 128, 257, 262, 263, 512, 1024, 4096, 8191, 8192, 8193, 8200, 32774 };
		for (int i = 0; i < real.size(); i++) {
			MimeCorpus.Input input = real.get(i);
			compare(input.name(), input.head());
			files++;
			if (i % 25 == 0) {
				for (int cut : cuts) {
					if (cut < input.head().length) {
						compare(input.name() + "[:" + cut + "]", Arrays.copyOf(input.head(), cut));
					}
				}
			}
		}
		generated();
		tableMagics();
		System.out.printf("MIME exactness: %d inputs compared (%d real files), %d differ%n", this.compared, files,
				this.differences.size());
		assertThat(this.differences).isEmpty();
		assertThat(this.compared).isGreaterThan(files);
	}

	private void generated() throws IOException {
		compare("empty", new byte[0]);
		for (int b = 0; b < 256; b++) {
			compare("1 byte " + b, new byte[] { (byte) b });
			compare("2 bytes " + b, new byte[] { (byte) b, (byte) (255 - b) });
		}
		Random random = new Random(1313);
		for (int i = 0; i < 300; i++) {
			compare("pe32 like make_corpus.py " + i, MimeCorpus.pe32(random, 1024 + random.nextInt(300 * 1024)));
		}
		for (int size : new int[] { 3, 100, 4095, 8192, 8193, 40000, 65535, 65536, 65537, 200000 }) {
			compare("random " + size, TestCorpus.randomBytes(size, size));
			compare("zeros " + size, new byte[size]);
			byte[] spaces = new byte[size];
			Arrays.fill(spaces, (byte) ' ');
			compare("spaces " + size, spaces);
		}
		for (int i = 0; i < 200; i++) {
			compare("random text " + i, randomText(random, random.nextInt(70000), i % 4 == 0));
		}
		Map<String, byte[]> fixed = new LinkedHashMap<>();
		fixed.put("pe32", TestCorpus.pe32());
		fixed.put("pe64", TestCorpus.pe64());
		fixed.put("truncated pe", TestCorpus.truncatedPe());
		fixed.put("elf32", TestCorpus.elf32());
		fixed.put("elf64", TestCorpus.elf64());
		fixed.put("truncated elf", TestCorpus.truncatedElf());
		fixed.put("zip", TestCorpus.normalZip());
		fixed.put("eicar", TestCorpus.eicar());
		fixed.put("sh", TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8));
		fixed.put("ps1", TestCorpus.powershellScript().getBytes(StandardCharsets.UTF_8));
		fixed.put("utf16", TestCorpus.utf16Strings());
		fixed.put("gzip", gzip(TestCorpus.elf64()));
		fixed.put("tar", tar(TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8)));
		fixed.put("tar.gz", gzip(tar(TestCorpus.pe32())));
		fixed.put("pdf", ascii("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"));
		fixed.put("pdf late", ascii("\n\n   junk %PDF-1.4\n"));
		fixed.put("python", ascii("#!/usr/bin/env python3\nimport os\nprint(os.getcwd())\n"));
		fixed.put("perl", ascii("#!/usr/bin/perl -w\nuse strict;\nprint \"hi\\n\";\n"));
		fixed.put("bash", ascii("#!/bin/bash\nset -e\necho $HOME\n"));
		fixed.put("xml", ascii("<?xml version=\"1.0\"?>\n<root><a>1</a></root>\n"));
		fixed.put("svg", ascii("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n"));
		fixed.put("xhtml", ascii("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>"));
		fixed.put("broken xml", ascii("<?xml version=\"1.0\"?>\n<a><b></a>\u0001"));
		fixed.put("broken xml html", ascii("<?xml version=\"1.0\"?>\n<html><body><p>x</html"));
		fixed.put("xml no root", ascii("<?xml version=\"1.0\"?>\n<!-- nothing -->\n"));
		fixed.put("html", ascii("<!DOCTYPE html>\n<html><head><title>t</title></head><body></body></html>\n"));
		fixed.put("html late", ascii("\n".repeat(3000) + "<html><body>x</body></html>"));
		fixed.put("ai5", ascii("%!PS-Adobe-3.0\n%%Creator: x\n%AI5_FileFormat 3\n"));
		fixed.put("ai5 late", ascii("x".repeat(8000) + "\r%AI5_FileFormat 2\r"));
		fixed.put("ai5 past 8 KB", ascii("x".repeat(8200) + "\r%AI5_FileFormat 2\r"));
		fixed.put("email", ascii("From: a@example.org\nTo: b@example.org\nSubject: hi\nDate: Mon\n\nbody\n"));
		fixed.put("robots", ascii("User-agent: *\nDisallow: /private\n"));
		fixed.put("id3 mp3", concat(ascii("ID3"), new byte[600], new byte[] { (byte) 0xFF, (byte) 0xFB, 0, 0 }));
		fixed.put("utf8 bom", concat(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }, ascii("hello")));
		fixed.put("utf16le bom", concat(new byte[] { (byte) 0xFF, (byte) 0xFE }, "hi".getBytes(StandardCharsets.UTF_16LE)));
		fixed.put("iso9660", at(40000, 32769, "CD001"));
		fixed.put("iso9660 with type", at(40000, 32768, "\u0001CD001"));
		fixed.put("iso9660 34817", at(40000, 34817, "CD001"));
		fixed.put("iso9660 36865", at(40000, 36865, "CD001"));
		fixed.put("ustar alone", at(1024, 257, "ustar\u000000"));
		fixed.put("ustar gnu", at(1024, 257, "ustar  \u0000"));
		for (Map.Entry<String, byte[]> entry : fixed.entrySet()) {
			byte[] bytes = entry.getValue();
			compare(entry.getKey(), bytes);
			for (int cut = 1; cut < Math.min(bytes.length, 600); cut += 7) {
				compare(entry.getKey() + "[:" + cut + "]", Arrays.copyOf(bytes, cut));
			}
			compare(entry.getKey() + " + 1 byte", Arrays.copyOf(bytes, bytes.length + 1));
		}
	}

	/**
	 * For each of Tika's byte-pattern matches (read from its table the way {@link TikaMagic} reads it), the pattern
	 * at the start and at the end of its offset range, in zeros and in spaces, whole and one byte short; for each
	 * magic, all its patterns in one input.
	 */
	private void tableMagics() throws Exception {
		MimeTypes types = MimeTypes.getDefaultMimeTypes();
		Field magics = MimeTypes.class.getDeclaredField("magics");
		magics.setAccessible(true);
		for (Object magic : (List<?>) magics.get(types)) {
			Field clause = magic.getClass().getDeclaredField("clause");
			clause.setAccessible(true);
			List<Object> detectors = new ArrayList<>();
			leaves(clause.get(magic), detectors);
			byte[] all = new byte[256];
			for (Object detector : detectors) {
				Class<?> type = detector.getClass();
				if (bool(type, detector, "isRegex")) {
					continue;
				}
				byte[] pattern = (byte[]) get(type, detector, "pattern");
				int begin = (int) get(type, detector, "offsetRangeBegin");
				int end = (int) get(type, detector, "offsetRangeEnd");
				for (int offset : new int[] { begin, end }) {
					for (byte fill : new byte[] { 0, ' ' }) {
						byte[] input = new byte[offset + pattern.length + 8];
						Arrays.fill(input, fill);
						System.arraycopy(pattern, 0, input, offset, pattern.length);
						compare(magic + " at " + offset, input);
						compare(magic + " at " + offset + " short", Arrays.copyOf(input, offset + pattern.length - 1));
						compare(magic + " at " + offset + " exact", Arrays.copyOf(input, offset + pattern.length));
					}
				}
				if (begin + pattern.length > all.length) {
					all = Arrays.copyOf(all, begin + pattern.length);
				}
				System.arraycopy(pattern, 0, all, begin, pattern.length);
			}
			compare(magic + " all", all);
		}
	}

	private static void leaves(Object clause, List<Object> out) throws ReflectiveOperationException {
		Class<?> type = clause.getClass();
		switch (type.getSimpleName()) {
			case "MagicMatch" -> {
				Method getDetector = type.getDeclaredMethod("getDetector");
				getDetector.setAccessible(true);
				out.add(getDetector.invoke(clause));
			}
			case "AndClause" -> {
				for (Object part : (Object[]) get(type, clause, "clauses")) {
					leaves(part, out);
				}
			}
			default -> {
				for (Object part : (List<?>) get(type, clause, "clauses")) {
					leaves(part, out);
				}
			}
		}
	}

	private static Object get(Class<?> type, Object target, String name) throws ReflectiveOperationException {
		Field field = type.getDeclaredField(name);
		field.setAccessible(true);
		return field.get(target);
	}

	private static boolean bool(Class<?> type, Object target, String name) throws ReflectiveOperationException {
		return (boolean) get(type, target, name);
	}

	private void compare(String name, byte[] bytes) {
		String expected = this.tika.detect(bytes);
		String actual = this.analyzer.detect(bytes);
		this.compared++;
		if (!expected.equals(actual)) {
			this.differences.add(name + ": Tika " + expected + ", analyzer " + actual);
		}
	}

	private static byte[] randomText(Random random, int size, boolean controls) {
		byte[] text = new byte[size];
		for (int i = 0; i < size; i++) {
			int r = random.nextInt(100);
			text[i] = (byte) (r < 3 ? '\n' : controls && r < 5 ? random.nextInt(32) : 32 + random.nextInt(95));
		}
		return text;
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	private static byte[] at(int size, int offset, String text) {
		byte[] bytes = new byte[size];
		byte[] value = ascii(text);
		System.arraycopy(value, 0, bytes, offset, value.length);
		return bytes;
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	private static byte[] gzip(byte[] bytes) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
			gzip.write(bytes);
		}
		return out.toByteArray();
	}

	private static byte[] tar(byte[] member) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
			TarArchiveEntry entry = new TarArchiveEntry("member");
			entry.setSize(member.length);
			tar.putArchiveEntry(entry);
			tar.write(member);
			tar.closeArchiveEntry();
		}
		return out.toByteArray();
	}
}
