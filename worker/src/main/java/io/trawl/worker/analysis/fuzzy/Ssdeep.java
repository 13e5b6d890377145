package io.trawl.worker.analysis.fuzzy;

import java.nio.ByteBuffer;

import io.trawl.worker.analysis.Deadline;

/**
 * The ssdeep context-triggered piecewise hash, in Java, giving the same string as {@code ssdeep -b} and libfuzzy
 * 2.14's {@code fuzzy_hash_buf}. Fed in pieces with {@link #update}; not thread-safe, one per sample.
 * <p>
 * <b>The algorithm.</b> A rolling hash over the last 7 bytes (a byte sum, a weighted byte sum and a shift-xor word)
 * marks the ends of pieces: a byte ends a piece for block size {@code 3 * 2^k} when the rolling sum plus one is a
 * non-zero multiple of {@code 3 * 2^k}. Each piece is hashed with FNV-1 of which only the low six bits are kept, and
 * those six bits become one base64 digit. One input is hashed for up to 31 block sizes at once; each block size's
 * signature holds at most 64 digits, and once it is full its last digit covers all the rest (the trailing piece). A
 * second copy of each piece hash stops being reset after 32 digits, so that the second part of the result can be cut
 * to 32 digits with a last digit that covers the remainder. The result uses the smallest block size whose 64 digits
 * could cover the input, or smaller ones while the chosen one has fewer than 32 digits, and the next block size for
 * its second part. As in libfuzzy 2.14, a block size is dropped as soon as it can no longer be chosen, and when the
 * input's size is given beforehand, block sizes above the one it implies (plus one) are never started. Neither
 * changes the result; they only save work. The hash of the last piece is appended only if the rolling sum at the end
 * is not zero (a quirk kept from the original spamsum).
 * <p>
 * <b>Why it is fast.</b> FNV with six bits kept is {@code h = (h * 19 ^ c) & 63} (19 being the FNV prime mod 64),
 * and a multiplication carries only upwards, so six piece hashes fit in one {@code long} as lanes 11 bits apart: one
 * multiplication, one xor and one mask advance all six. The block sizes in play are numbered from the smallest one
 * still in play. Most bytes are hashed with at most three in play (when the size is known): their full and truncated
 * hashes share one {@code long}. Up to six take two, up to twelve (only the lowest six with a truncated copy that
 * differs) three, all in locals; other cases loop over arrays of such words. The piece-end test first
 * checks the low bits for the smallest block size in play, then divisibility by 3 with a multiplication.
 */
public final class Ssdeep {

	/** The largest input libfuzzy can hash: 64 pieces of the largest block size. */
	public static final long MAX_INPUT = (3L << 30) * 64;

	private static final int WINDOW = 7;
	private static final int LEVELS = 31;
	private static final int DIGITS = 64;
	private static final int HALF = DIGITS / 2;
	private static final int HASH_INIT = 0x27;
	private static final int FNV_PRIME_LOW = 0x01000193 & 63;
	private static final int SLICE = 64 * 1024;

	private static final int LANE_BITS = 11;
	private static final int LANES = 6;
	/** Words of lanes: 36 lanes, enough for all 31 block sizes. */
	private static final int WORDS = 6;
	private static final long ONES = 1L | 1L << 11 | 1L << 22 | 1L << 33 | 1L << 44 | 1L << 55;
	private static final long MASK = 63 * ONES;
	/** Lanes 0 to 2, and how far lanes 3 to 5 are from them. */
	private static final long LOW_HALF = 63L | 63L << 11 | 63L << 22;
	private static final int HALF_SHIFT = 3 * LANE_BITS;
	/** The byte's low six bits in every lane. */
	private static final long[] SPREAD = new long[256];

	private static final byte[] BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

	/** The inverse of 3 modulo 2^32: a multiple of 3 times it is at most 0x55555555 unsigned. */
	private static final int INVERSE_OF_3 = 0xAAAAAAAB;

	static {
		for (int c = 0; c < 256; c++) {
			SPREAD[c] = (c & 63) * ONES;
		}
	}

	// the rolling hash, and the last 7 bytes in front of the slice
	private int h1;
	private int h2;
	private int h3;
	private final byte[] buffer;

	private long total;
	private final long fixedSize;
	private final int levelLimit;
	private long reduceBorder = 3L * DIGITS;
	/** Block sizes in play: {@code start} (the smallest) up to {@code end}, exclusive. */
	private int start;
	private int end = 1;
	private int rollMask;
	/** The piece hashes, lane {@code k} for block size {@code start + k}: full and truncated. */
	private final long[] full = new long[WORDS];
	private final long[] half = new long[WORDS];
	private final int[] count = new int[LEVELS];
	/** Each block size's digits; {@code digits[k][count[k]]} is the digit written at a trigger when it is full. */
	private final byte[][] digits = new byte[LEVELS][];
	private final byte[] halfDigit = new byte[LEVELS];
	private boolean needLast;
	private int last;

	/** A hasher for input of unknown length. */
	public Ssdeep() {
		this(-1);
	}

	/**
	 * A hasher for input of {@code size} bytes, which must then be exactly what is fed (as libfuzzy's
	 * {@code fuzzy_set_total_input_length}): block sizes the result cannot use are never started.
	 */
	public Ssdeep(long size) {
		if (size > MAX_INPUT) {
			throw new IllegalArgumentException("ssdeep cannot hash more than " + MAX_INPUT + " bytes");
		}
		this.fixedSize = size;
		// a small input needs no more than its own size of slice
		this.buffer = new byte[WINDOW + (int) (size >= 0 ? Math.min(Math.max(size, 1), SLICE) : SLICE)];
		if (size >= 0) {
			int bi = 0;
			while ((3L << bi) * DIGITS < size) {
				bi++;
				if (bi == LEVELS - 2) {
					break;
				}
			}
			this.levelLimit = bi + 1;
		}
		else {
			this.levelLimit = LEVELS - 1;
		}
		full[0] = HASH_INIT * ONES;
		half[0] = HASH_INIT * ONES;
		digits[0] = new byte[DIGITS];
	}

	/** The ssdeep hash of a whole buffer (from its position to its limit). */
	public static String of(ByteBuffer data) {
		Ssdeep ssdeep = new Ssdeep(data.remaining());
		ssdeep.update(data);
		return ssdeep.digest();
	}

	public static String of(byte[] data) {
		Ssdeep ssdeep = new Ssdeep(data.length);
		ssdeep.update(data, 0, data.length);
		return ssdeep.digest();
	}

	/** Adds the bytes from the buffer's position to its limit; the buffer itself is not moved. */
	public void update(ByteBuffer data) {
		ByteBuffer view = data.duplicate();
		while (view.hasRemaining()) {
			Deadline.check();
			int n = Math.min(buffer.length - WINDOW, view.remaining());
			view.get(buffer, WINDOW, n);
			consume(n);
		}
	}

	public void update(byte[] data, int offset, int length) {
		while (length > 0) {
			Deadline.check();
			int n = Math.min(buffer.length - WINDOW, length);
			System.arraycopy(data, offset, buffer, WINDOW, n);
			consume(n);
			offset += n;
			length -= n;
		}
	}

	/** Hashes {@code buffer[WINDOW, WINDOW + n)}, the 7 bytes before it being the previous ones. */
	private void consume(int n) {
		total = Math.min(total + n, MAX_INPUT + 1);
		int i = WINDOW;
		int stop = WINDOW + n;
		while (i < stop) {
			int span = end - start;
			if (needLast || span > 2 * LANES || (span > LANES && !upperHalvesEqual())) {
				i = stepArrays(i, stop);
			}
			else if (span <= LANES / 2) {
				i = stepPacked(i, stop);
			}
			else if (span <= LANES) {
				i = stepOneWord(i, stop);
			}
			else {
				i = stepTwoWords(i, stop);
			}
		}
		System.arraycopy(buffer, n, buffer, 0, WINDOW);
	}

	/** Whether every block size in lanes 6 to 11 has its truncated hash equal to its full one (under 32 digits). */
	private boolean upperHalvesEqual() {
		for (int k = start + LANES; k < end; k++) {
			if (count[k] >= HALF) {
				return false;
			}
		}
		return true;
	}

	/*
	 * The four step loops hash bytes until the end of the slice or the next trigger (a byte that ends a piece for
	 * the smallest block size in play), which they hand to trigger() with the lanes stored back; they return the
	 * index of the next byte. They differ only in how many words of lanes they keep in locals.
	 */

	/** Up to three block sizes: their full hashes in lanes 0 to 2 and their truncated ones in lanes 3 to 5. */
	private int stepPacked(int i, int stop) {
		byte[] b = buffer;
		int a1 = h1, a2 = h2, a3 = h3;
		long f0 = (full[0] & LOW_HALF) | ((half[0] & LOW_HALF) << HALF_SHIFT);
		int mask = rollMask;
		while (i < stop) {
			int c = b[i] & 0xff;
			a2 += WINDOW * c - a1;
			a1 += c - (b[i - WINDOW] & 0xff);
			a3 = (a3 << 5) ^ c;
			f0 = (f0 * FNV_PRIME_LOW ^ SPREAD[c]) & MASK;
			i++;
			int t = a1 + a2 + a3 + 1;
			if ((t & mask) == 0 && t != 0 && Integer.compareUnsigned(t * INVERSE_OF_3, 0x55555555) <= 0) {
				h1 = a1; h2 = a2; h3 = a3;
				full[0] = f0; half[0] = f0 >>> HALF_SHIFT;
				trigger(Integer.numberOfTrailingZeros(t));
				return i;
			}
		}
		h1 = a1; h2 = a2; h3 = a3;
		full[0] = f0; half[0] = f0 >>> HALF_SHIFT;
		return i;
	}

	private int stepOneWord(int i, int stop) {
		byte[] b = buffer;
		int a1 = h1, a2 = h2, a3 = h3;
		long f0 = full[0], g0 = half[0];
		int mask = rollMask;
		while (i < stop) {
			int c = b[i] & 0xff;
			a2 += WINDOW * c - a1;
			a1 += c - (b[i - WINDOW] & 0xff);
			a3 = (a3 << 5) ^ c;
			long s = SPREAD[c];
			f0 = (f0 * FNV_PRIME_LOW ^ s) & MASK;
			g0 = (g0 * FNV_PRIME_LOW ^ s) & MASK;
			i++;
			int t = a1 + a2 + a3 + 1;
			if ((t & mask) == 0 && t != 0 && Integer.compareUnsigned(t * INVERSE_OF_3, 0x55555555) <= 0) {
				h1 = a1; h2 = a2; h3 = a3;
				full[0] = f0; half[0] = g0;
				trigger(Integer.numberOfTrailingZeros(t));
				return i;
			}
		}
		h1 = a1; h2 = a2; h3 = a3;
		full[0] = f0; half[0] = g0;
		return i;
	}

	private int stepTwoWords(int i, int stop) {
		byte[] b = buffer;
		int a1 = h1, a2 = h2, a3 = h3;
		long f0 = full[0], f1 = full[1], g0 = half[0];
		int mask = rollMask;
		while (i < stop) {
			int c = b[i] & 0xff;
			a2 += WINDOW * c - a1;
			a1 += c - (b[i - WINDOW] & 0xff);
			a3 = (a3 << 5) ^ c;
			long s = SPREAD[c];
			f0 = (f0 * FNV_PRIME_LOW ^ s) & MASK;
			f1 = (f1 * FNV_PRIME_LOW ^ s) & MASK;
			g0 = (g0 * FNV_PRIME_LOW ^ s) & MASK;
			i++;
			int t = a1 + a2 + a3 + 1;
			if ((t & mask) == 0 && t != 0 && Integer.compareUnsigned(t * INVERSE_OF_3, 0x55555555) <= 0) {
				h1 = a1; h2 = a2; h3 = a3;
				full[0] = f0; full[1] = f1; half[0] = g0; half[1] = f1;
				trigger(Integer.numberOfTrailingZeros(t));
				return i;
			}
		}
		h1 = a1; h2 = a2; h3 = a3;
		full[0] = f0; full[1] = f1; half[0] = g0; half[1] = f1;
		return i;
	}

	/** The general case: every word of lanes in play, and the extra hash for the 31st block size. */
	private int stepArrays(int i, int stop) {
		byte[] b = buffer;
		int words = (end - start + LANES - 1) / LANES;
		while (i < stop) {
			int c = b[i] & 0xff;
			h2 += WINDOW * c - h1;
			h1 += c - (b[i - WINDOW] & 0xff);
			h3 = (h3 << 5) ^ c;
			long s = SPREAD[c];
			for (int w = 0; w < words; w++) {
				full[w] = (full[w] * FNV_PRIME_LOW ^ s) & MASK;
				half[w] = (half[w] * FNV_PRIME_LOW ^ s) & MASK;
			}
			if (needLast) {
				last = (last * FNV_PRIME_LOW ^ c) & 63;
			}
			i++;
			int t = h1 + h2 + h3 + 1;
			if ((t & rollMask) == 0 && t != 0 && Integer.compareUnsigned(t * INVERSE_OF_3, 0x55555555) <= 0) {
				trigger(Integer.numberOfTrailingZeros(t));
				return i;
			}
		}
		return i;
	}

	/** The byte just hashed ends a piece for block sizes {@code start} up to {@code top} (those in play). */
	private void trigger(int top) {
		int k = start;
		while (true) {
			if (count[k] == 0) {
				fork();
			}
			int lane = k - start;
			digits[k][count[k]] = BASE64[lane(full, lane)];
			halfDigit[k] = BASE64[lane(half, lane)];
			if (count[k] < DIGITS - 1) {
				count[k]++;
				digits[k][count[k]] = 0;
				setLane(full, lane, HASH_INIT);
				if (count[k] < HALF) {
					setLane(half, lane, HASH_INIT);
					halfDigit[k] = 0;
				}
			}
			else {
				reduce();
			}
			if (k >= top || ++k >= end) {
				return;
			}
		}
	}

	/** The block size that has just had its first piece starts the next one, from the same state. */
	private void fork() {
		if (end <= levelLimit) {
			int lane = end - start;
			setLane(full, lane, lane(full, lane - 1));
			setLane(half, lane, lane(half, lane - 1));
			count[end] = 0;
			// allocated when first needed: a small input uses a few block sizes of the 31
			digits[end] = new byte[DIGITS];
			halfDigit[end] = 0;
			end++;
		}
		else if (end == LEVELS && !needLast) {
			needLast = true;
			last = lane(full, end - 1 - start);
		}
	}

	/** Drops the smallest block size once it can no longer be the one chosen. */
	private void reduce() {
		if (end - start < 2) {
			return;
		}
		if (reduceBorder >= (fixedSize >= 0 ? fixedSize : total)) {
			return;
		}
		if (count[start + 1] < HALF) {
			return;
		}
		start++;
		reduceBorder *= 2;
		rollMask = rollMask * 2 + 1;
		shiftDown(full);
		shiftDown(half);
	}

	private static void shiftDown(long[] words) {
		for (int w = 0; w < WORDS; w++) {
			long next = w + 1 < WORDS ? words[w + 1] & 63 : 0;
			words[w] = (words[w] >>> LANE_BITS) | (next << (LANE_BITS * (LANES - 1)));
		}
	}

	private static int lane(long[] words, int lane) {
		return (int) (words[lane / LANES] >>> (LANE_BITS * (lane % LANES))) & 63;
	}

	private static void setLane(long[] words, int lane, int value) {
		int shift = LANE_BITS * (lane % LANES);
		int w = lane / LANES;
		words[w] = (words[w] & ~(63L << shift)) | ((long) value << shift);
	}

	/** The hash, {@code blocksize:digits:digits}; throws if the input was over {@link #MAX_INPUT} or not its size. */
	public String digest() {
		if (total > MAX_INPUT) {
			throw new IllegalStateException("ssdeep cannot hash more than " + MAX_INPUT + " bytes");
		}
		if (fixedSize >= 0 && fixedSize != total) {
			throw new IllegalStateException("the input was " + total + " bytes, not the " + fixedSize + " announced");
		}
		int roll = h1 + h2 + h3;
		int bi = start;
		while ((3L << bi) * DIGITS < total) {
			bi++;
		}
		if (bi >= end) {
			bi = end - 1;
		}
		while (bi > start && count[bi] < HALF) {
			bi--;
		}
		StringBuilder out = new StringBuilder(2 * DIGITS + 20);
		out.append(3L << bi).append(':');
		appendDigits(out, digits[bi], count[bi]);
		int lane = bi - start;
		if (roll != 0) {
			out.append((char) BASE64[lane(full, lane)]);
		}
		else if (digits[bi][count[bi]] != 0) {
			out.append((char) digits[bi][count[bi]]);
		}
		out.append(':');
		if (bi < end - 1) {
			int next = bi + 1;
			appendDigits(out, digits[next], Math.min(count[next], HALF - 1));
			if (roll != 0) {
				out.append((char) BASE64[lane(half, lane + 1)]);
			}
			else if (halfDigit[next] != 0) {
				out.append((char) halfDigit[next]);
			}
		}
		else if (roll != 0) {
			out.append((char) BASE64[bi == 0 ? lane(full, lane) : last]);
		}
		return out.toString();
	}

	private static void appendDigits(StringBuilder out, byte[] digits, int n) {
		for (int j = 0; j < n; j++) {
			out.append((char) digits[j]);
		}
	}
}
