package io.trawl.worker.analysis.bytes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.trawl.worker.source.Sample;

/**
 * Reads a sample's headers at offsets taken from the sample itself, which a hostile file sets to anything: every read
 * is checked against the end of the bytes first, and one outside throws {@link Truncated}, which a parser turns into
 * an anomaly of its report. Not thread-safe: one reader serves one parse.
 */
public final class BoundedReader {

	private final ByteBuffer bytes;
	private final Sample sample;
	private BlockHistograms blocks;
	private ByteHistogram histogram;

	/**
	 * A reader whose {@link #entropy} counts each range on its own.
	 *
	 * @param bytes the whole sample ({@link SampleBytes#of}), read from 0 to its limit in its byte order
	 */
	public BoundedReader(ByteBuffer bytes) {
		this(bytes, null);
	}

	private BoundedReader(ByteBuffer bytes, Sample sample) {
		this.bytes = bytes;
		this.sample = sample;
	}

	/**
	 * A reader of the whole sample whose {@link #entropy} takes the whole blocks of a range from the sample's shared
	 * {@link BlockHistograms} (counting them first if no other analyzer has).
	 */
	public static BoundedReader of(Sample sample) throws IOException {
		return new BoundedReader(SampleBytes.of(sample), sample);
	}

	/** How many bytes there are to read. */
	public int limit() {
		return bytes.limit();
	}

	/** Reads multi-byte values in this order from now on (an ELF file says which in its identification bytes). */
	public void order(ByteOrder order) {
		bytes.order(order);
	}

	public byte s8(long at) {
		return bytes.get(index(at, 1));
	}

	public int u16(long at) {
		return bytes.getShort(index(at, 2)) & 0xffff;
	}

	public long u32(long at) {
		return bytes.getInt(index(at, 4)) & 0xffffffffL;
	}

	/** Unsigned 64-bit values above Long.MAX_VALUE become -1: no file offset or size is that large. */
	public long u64(long at) {
		long value = bytes.getLong(index(at, 8));
		return value < 0 ? -1 : value;
	}

	/** The 64 bits as they are, for values that are not offsets (an image base, an import thunk's ordinal flag). */
	public long s64(long at) {
		return bytes.getLong(index(at, 8));
	}

	/**
	 * The Shannon entropy of {@code length} bytes from {@code start}, 0 for an empty or outside range; the caller
	 * clips the length to what the file holds. A reader made {@link #of} a sample takes a range's whole 16 KB blocks
	 * from the sample's block histograms; the value is the same either way.
	 */
	public double entropy(long start, long length) {
		if (length <= 0 || start < 0 || start >= bytes.limit()) {
			return 0.0;
		}
		histogram = histogram == null ? new ByteHistogram() : histogram.clear();
		if (sample != null && BlockHistograms.holdsABlock(start, length)) {
			if (blocks == null) {
				try {
					blocks = BlockHistograms.of(sample);
				}
				catch (IOException e) {
					throw new UncheckedIOException(e);
				}
			}
			if (blocks != null) {
				return blocks.range(bytes, start, length, histogram).entropy();
			}
		}
		return histogram.add(bytes.duplicate().position((int) start).limit((int) (start + length)))
			.entropy();
	}

	/**
	 * A NUL-terminated string of at most {@code maxLength} bytes, cut at the end of the file, with each byte outside
	 * printable ASCII written as {@code \xNN}; null when {@code at} is outside the file.
	 */
	public String printable(long at, long maxLength) {
		if (at < 0 || at >= bytes.limit()) {
			return null;
		}
		StringBuilder out = new StringBuilder();
		for (long i = at; i < bytes.limit() && i < at + maxLength; i++) {
			int c = bytes.get((int) i) & 0xff;
			if (c == 0) {
				break;
			}
			if (c >= 0x20 && c < 0x7f) {
				out.append((char) c);
			}
			else {
				out.append(String.format("\\x%02x", c));
			}
		}
		return out.toString();
	}

	private int index(long at, int width) {
		if (at < 0 || at + width > bytes.limit()) {
			throw new Truncated("offset " + at + " is outside the file");
		}
		return (int) at;
	}

	/** The file ends before a structure its headers announce; the message says where. */
	public static final class Truncated extends RuntimeException {

		public Truncated(String message) {
			super(message, null, false, false);
		}
	}
}
