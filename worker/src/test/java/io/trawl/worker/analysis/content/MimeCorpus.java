package io.trawl.worker.analysis.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Inputs for comparing MIME detection with Tika's: the first 64 KB of real files from this machine, chosen the same
 * way on every run (sorted paths, every n-th), and generated PE32 files shaped like {@code bench/lib/make_corpus.py}'s.
 */
final class MimeCorpus {

	static final int HEAD = 64 * 1024;

	record Input(String name, byte[] head) {
	}

	private MimeCorpus() {
	}

	/** Up to {@code count} regular files of at most {@code maxSize} bytes under {@code root}, every n-th by path. */
	static List<Input> files(Path root, int count, long maxSize) {
		if (!Files.isDirectory(root)) {
			return List.of();
		}
		List<Path> all;
		try (Stream<Path> walk = Files.walk(root)) {
			all = walk.filter(path -> {
				try {
					return Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.isReadable(path)
							&& Files.size(path) <= maxSize;
				}
				catch (IOException e) {
					return false;
				}
			}).sorted().toList();
		}
		catch (IOException | UncheckedIOException e) {
			return List.of();
		}
		List<Input> out = new ArrayList<>();
		double step = Math.max(1.0, all.size() / (double) count);
		for (double i = 0; i < all.size() && out.size() < count; i += step) {
			Path path = all.get((int) i);
			try (InputStream in = Files.newInputStream(path)) {
				out.add(new Input(path.toString(), in.readNBytes(HEAD)));
			}
			catch (IOException e) {
				// unreadable: skip
			}
		}
		return out;
	}

	/** The bench's set: about 2,000 small real files and generated PE32 files. */
	static List<Input> benchSet() {
		List<Input> out = new ArrayList<>();
		out.addAll(files(Path.of("/usr/bin"), 500, 256 * 1024));
		out.addAll(files(Path.of("/usr/lib/x86_64-linux-gnu"), 500, 256 * 1024));
		out.addAll(files(Path.of("/usr/share"), 700, 256 * 1024));
		Random random = new Random(13);
		for (int i = 0; i < 300; i++) {
			out.add(new Input("pe32-" + i, head(pe32(random, 2048 + random.nextInt(200 * 1024)))));
		}
		return out;
	}

	static byte[] head(byte[] bytes) {
		return bytes.length <= HEAD ? bytes : java.util.Arrays.copyOf(bytes, HEAD);
	}

	/** A PE32 file like make_corpus.py's: MZ stub, PE header, .text/.rdata/.data, sometimes an overlay. */
	static byte[] pe32(Random random, int size) {
		int fileAlign = 0x200;
		int text = align((int) (size * 0.55), fileAlign);
		int rdata = align((int) (size * 0.2), fileAlign);
		int data = align((int) (size * 0.15), fileAlign);
		int overlay = random.nextInt(10) < 3 ? 4096 + random.nextInt(252 * 1024) : 0;
		int headers = 0x400;
		ByteBuffer pe = ByteBuffer.allocate(headers + text + rdata + data + overlay).order(ByteOrder.LITTLE_ENDIAN);
		pe.put(0, (byte) 'M').put(1, (byte) 'Z').putInt(0x3C, 0x80);
		pe.put(0x40, "This program cannot be run in DOS mode.".getBytes(StandardCharsets.US_ASCII));
		pe.putInt(0x80, 0x00004550).putShort(0x84, (short) 0x14C).putShort(0x86, (short) 3);
		pe.putInt(0x88, 0x5F000000 + random.nextInt(1 << 24)).putShort(0x94, (short) 224).putShort(0x96, (short) 0x102);
		pe.putShort(0x98, (short) 0x10B).put(0x9A, (byte) 14).putInt(0x9C, text);
		byte[] body = new byte[pe.capacity() - headers];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) (i < text ? "\u0055\u0089\u00e5\u0083\u00ec\u0008\u008b\u0045\u00c3".charAt(random.nextInt(9))
					: i < text + rdata ? 'a' + random.nextInt(26) : random.nextInt(256));
		}
		pe.put(headers, body);
		byte[] table = ".text\0\0\0.rdata\0\0.data\0\0\0".getBytes(StandardCharsets.US_ASCII);
		for (int s = 0; s < 3; s++) {
			pe.put(0x178 + 40 * s, table, 8 * s, 8);
		}
		return pe.array();
	}

	private static int align(int value, int alignment) {
		return (value + alignment - 1) / alignment * alignment;
	}
}
