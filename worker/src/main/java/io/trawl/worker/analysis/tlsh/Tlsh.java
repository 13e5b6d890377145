package io.trawl.worker.analysis.tlsh;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.trawl.worker.analysis.Deadline;

/**
 * TLSH (Oliver, Cheng and Chen, 2013), in the 4.x format: {@code T1}, a 1-byte checksum, the length and quartile
 * bytes, then a 32-byte body from 128 buckets. Fed in pieces with {@link #update}; not thread-safe, one per sample.
 * <p>
 * A 5-byte window slides over the data. Six triplets of window bytes are each hashed with a salted Pearson hash into
 * one of 256 buckets, of which the first 128 count. The body encodes each bucket as its quartile (two bits).
 * <p>
 * Two things make {@link #update(byte[], int, int)} cheaper than the textbook loop while giving the same digest. Each
 * triplet hash {@code T[T[T[salt ^ c] ^ a] ^ b]} starts from the newest byte {@code c} and one older byte {@code a},
 * so the first two look-ups are read from pair tables indexed by {@code (a, c)}, one entry holding the values for all
 * the salts that share that pair. And because {@code T} is a permutation, the last look-up is left out: the loop
 * counts {@code x = T[T[salt ^ c] ^ a] ^ b} and the counts move to bucket {@code T[x]} after the loop.
 */
public final class Tlsh {

	/** The value for data too short or too uniform to hash. */
	public static final String NULL = "TNULL";

	static final int MIN_LENGTH = 50;

	/** The most bytes one call of {@link #count} takes. */
	private static final int PIECE = 4096;

	private static final int BUCKETS = 128;
	private static final int CODE_SIZE = 32;

	/** Pearson's permutation of 0..255 (CACM 33(6), 1990), the table TLSH specifies. */
	private static final int[] T = { 1, 87, 49, 12, 176, 178, 102, 166, 121, 193, 6, 84, 249, 230, 44, 163, 14, 197,
			213, 181, 161, 85, 218, 80, 64, 239, 24, 226, 236, 142, 38, 200, 110, 177, 104, 103, 141, 253, 255, 50, 77,
			101, 81, 18, 45, 96, 31, 222, 25, 107, 190, 70, 86, 237, 240, 34, 72, 242, 20, 214, 244, 227, 149, 235, 97,
			234, 57, 22, 60, 250, 82, 175, 208, 5, 127, 199, 111, 62, 135, 248, 174, 169, 211, 58, 66, 154, 106, 195,
			245, 171, 17, 187, 182, 179, 0, 243, 132, 56, 148, 75, 128, 133, 158, 100, 130, 126, 91, 13, 153, 246, 216,
			219, 119, 68, 223, 78, 83, 88, 201, 99, 122, 11, 92, 32, 136, 114, 52, 10, 138, 30, 48, 183, 156, 35, 61, 26,
			143, 74, 251, 94, 129, 162, 63, 152, 170, 7, 115, 167, 241, 206, 3, 150, 55, 59, 151, 220, 90, 53, 23, 131,
			125, 173, 15, 238, 79, 95, 89, 16, 105, 137, 225, 224, 217, 160, 37, 123, 118, 73, 2, 157, 46, 116, 9, 145,
			134, 228, 207, 212, 202, 215, 69, 229, 27, 188, 67, 124, 168, 252, 42, 4, 29, 108, 21, 247, 19, 205, 39,
			203, 233, 40, 186, 147, 198, 192, 155, 33, 164, 191, 98, 204, 165, 180, 117, 76, 140, 36, 210, 172, 41, 54,
			159, 8, 185, 232, 113, 196, 231, 47, 146, 120, 51, 65, 28, 144, 254, 221, 93, 189, 194, 139, 112, 43, 71,
			109, 184, 209 };

	/** The salts mixed in first, so that T[salt] is the starting state of each triplet's hash. */
	private static final int S2 = T[2], S3 = T[3], S5 = T[5], S7 = T[7], S11 = T[11], S13 = T[13], S0 = T[0];

	/** {@link #T} as bytes: a smaller table for the checksum, the one look-up chain that is left. */
	private static final byte[] T_BYTES = new byte[256];

	/*
	 * The pair tables, indexed by (older byte << 8) | newest byte. Each value is placed at the byte position of the
	 * window word (p1 | p2 << 8 | p3 << 16 | p4 << 24) that it is next mixed with, so one XOR with that word mixes
	 * them all. The checksum's value is stored already XORed with p1, which cancels p1 in byte 0.
	 */
	/** Pair (c, p1): the checksum (salt 0), and salts 2, 3 and 11, to be mixed with sum, p2, p3 and p4. */
	private static final int[] PAIR1 = new int[1 << 16];
	/** Pair (c, p2): salts 5 and 7, to be mixed with p3 and p4 (bytes 2 and 3 once shifted left by 16). */
	private static final char[] PAIR2 = new char[1 << 16];
	/** Pair (c, p3): salt 13, to be mixed with p4 (byte 3 once shifted left by 24). */
	private static final byte[] PAIR3 = new byte[1 << 16];

	static {
		for (int i = 0; i < 256; i++) {
			T_BYTES[i] = (byte) T[i];
		}
		for (int at = 0; at < 1 << 16; at++) {
			pairs(at);
		}
	}

	/**
	 * The pair tables' entries at {@code at}. A method of its own, called once per entry, so that the JIT compiles it
	 * after a few thousand calls: the same loop inside the static initializer ran interpreted to the end, 0.22 CPU s
	 * in every job JVM at the launcher's {@code -XX:CompileThresholdScaling=10}, against 0.01 s this way.
	 */
	private static void pairs(int at) {
		int older = at >>> 8, c = at & 0xff;
		PAIR1[at] = (T[T[S0 ^ c] ^ older] ^ older) | (T[T[S2 ^ c] ^ older] << 8)
				| (T[T[S3 ^ c] ^ older] << 16) | (T[T[S11 ^ c] ^ older] << 24);
		PAIR2[at] = (char) (T[T[S5 ^ c] ^ older] | (T[T[S7 ^ c] ^ older] << 8));
		PAIR3[at] = (byte) T[T[S13 ^ c] ^ older];
	}

	private final long[] buckets = new long[256];
	private int checksum;
	private long length;
	// the four bytes before the current one: p1 | p2 << 8 | p3 << 16 | p4 << 24, p1 the most recent
	private int window;

	/** The TLSH of a whole buffer (from its position to its limit), or {@link #NULL}. */
	public static String of(ByteBuffer data) {
		Tlsh tlsh = new Tlsh();
		tlsh.update(data);
		return tlsh.digest();
	}

	public static String of(byte[] data) {
		return of(ByteBuffer.wrap(data));
	}

	/** Adds the bytes from the buffer's position to its limit; the buffer itself is not moved. */
	public void update(ByteBuffer data) {
		ByteBuffer view = data.duplicate();
		byte[] chunk = new byte[Math.min(64 * 1024, Math.max(view.remaining(), 1))];
		while (view.hasRemaining()) {
			Deadline.check();
			int n = Math.min(chunk.length, view.remaining());
			view.get(chunk, 0, n);
			update(chunk, 0, n);
		}
	}

	public void update(byte[] data, int offset, int count) {
		int end = offset + count;
		int i = offset;
		// the first four bytes only fill the window
		for (; i < end && length < 4; i++, length++) {
			window = (window << 8) | (data[i] & 0xff);
		}
		if (i == end) {
			return;
		}
		// six counters per byte, one array per salt: an int cannot overflow, a counter gets one per byte of count
		int[] counts = new int[6 * 256];
		long state = ((long) window << 32) | checksum;
		for (int from = i, to; from < end; from = to) {
			to = end - from > PIECE ? from + PIECE : end; // cannot overflow, unlike from + PIECE
			state = count(data, from, to, counts, state);
		}
		for (int k = 0; k < counts.length; k++) {
			buckets[T[k & 0xff]] += counts[k];
		}
		window = (int) (state >>> 32);
		checksum = (int) state;
		length += end - i;
	}

	/**
	 * The loop, called once per piece of at most {@link #PIECE} bytes rather than once per 64 KB chunk: measured in
	 * fresh JVMs with the launcher's JIT setting ({@code TlshLoopBench}, bench/README.md "Per-byte loops, session
	 * 10"), the same loop over whole 64 KB chunks was 1.15 to 1.2 times slower in each JVM's second pass over a store
	 * corpus, and no faster in its first. The window and the checksum go in and out as one long,
	 * {@code window << 32 | checksum}.
	 */
	private static long count(byte[] data, int from, int to, int[] counts, long state) {
		int w = (int) (state >>> 32);
		int sum = (int) state;
		for (int i = from; i < to; i++) {
			int c = data[i] & 0xff;
			int next = (w << 8) | c;
			int x1 = PAIR1[next & 0xffff] ^ w;
			int x2 = (PAIR2[((next >>> 8) & 0xff00) | c] << 16) ^ w;
			int x3 = (PAIR3[((next >>> 16) & 0xff00) | c] << 24) ^ w;
			sum = T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
			counts[(x1 >>> 8) & 0xff]++;
			counts[256 + ((x1 >>> 16) & 0xff)]++;
			counts[512 + (x1 >>> 24)]++;
			counts[768 + ((x2 >>> 16) & 0xff)]++;
			counts[1024 + (x2 >>> 24)]++;
			counts[1280 + (x3 >>> 24)]++;
			w = next;
		}
		return ((long) w << 32) | sum;
	}

	/** The 256 bucket counts so far (the live array), for the loop's benchmark and tests. */
	long[] buckets() {
		return buckets;
	}

	int checksum() {
		return checksum;
	}

	/** {@code T1} followed by 70 hex digits, or {@link #NULL} when the data is too short or too uniform. */
	public String digest() {
		if (length < MIN_LENGTH) {
			return NULL;
		}
		long[] sorted = Arrays.copyOf(buckets, BUCKETS);
		Arrays.sort(sorted);
		long q1 = sorted[BUCKETS / 4 - 1];
		long q2 = sorted[BUCKETS / 2 - 1];
		long q3 = sorted[3 * BUCKETS / 4 - 1];
		int nonZero = 0;
		for (int i = 0; i < BUCKETS; i++) {
			if (buckets[i] > 0) {
				nonZero++;
			}
		}
		// at most half the buckets filled: too little variety for a meaningful hash
		if (nonZero <= BUCKETS / 2 || q3 == 0) {
			return NULL;
		}
		StringBuilder hex = new StringBuilder(72).append("T1");
		swappedHex(hex, checksum);
		swappedHex(hex, lengthCode(length));
		int q1Ratio = quartileRatio(q1, q3);
		int q2Ratio = quartileRatio(q2, q3);
		hex.append(HEX[q1Ratio]).append(HEX[q2Ratio]);
		for (int i = CODE_SIZE - 1; i >= 0; i--) {
			int code = 0;
			for (int j = 0; j < 4; j++) {
				long k = buckets[4 * i + j];
				int quartile = k > q3 ? 3 : k > q2 ? 2 : k > q1 ? 1 : 0;
				code |= quartile << (j * 2);
			}
			hex.append(HEX[code >> 4]).append(HEX[code & 0xf]);
		}
		return hex.toString();
	}

	/** A quartile as a percentage of the third, mod 16, in 32-bit unsigned and single-precision float like the reference. */
	static int quartileRatio(long quartile, long q3) {
		float percent = (float) ((quartile * 100) & 0xffffffffL) / (float) q3;
		return (int) ((long) percent % 16);
	}

	/** The logarithmic length byte: finer steps for short inputs, coarser for long ones. */
	static int lengthCode(long length) {
		double log = Math.log(length);
		double code;
		if (length <= 656) {
			code = Math.floor(log / Math.log(1.5));
		}
		else if (length <= 3199) {
			code = Math.floor(log / Math.log(1.3) - 8.72777);
		}
		else {
			code = Math.floor(log / Math.log(1.1) - 62.5472);
		}
		return ((int) code) & 0xff;
	}

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	/** A byte written low nibble first, as the format stores the checksum and length. */
	private static void swappedHex(StringBuilder out, int value) {
		out.append(HEX[value & 0xf]).append(HEX[(value >> 4) & 0xf]);
	}
}
