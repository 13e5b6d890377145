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
 */
public final class Tlsh {

	/** The value for data too short or too uniform to hash. */
	public static final String NULL = "TNULL";

	static final int MIN_LENGTH = 50;

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

	private final long[] buckets = new long[256];
	private int checksum;
	private long length;
	// the four bytes before the current one, most recent first
	private int b1, b2, b3, b4;

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
		int p1 = b1, p2 = b2, p3 = b3, p4 = b4;
		int sum = checksum;
		long[] bucket = buckets;
		long seen = length;
		for (int i = offset; i < offset + count; i++) {
			int c = data[i] & 0xff;
			if (seen >= 4) {
				int tc = c;
				sum = T[T[T[S0 ^ tc] ^ p1] ^ sum];
				bucket[T[T[T[S2 ^ tc] ^ p1] ^ p2]]++;
				bucket[T[T[T[S3 ^ tc] ^ p1] ^ p3]]++;
				bucket[T[T[T[S5 ^ tc] ^ p2] ^ p3]]++;
				bucket[T[T[T[S7 ^ tc] ^ p2] ^ p4]]++;
				bucket[T[T[T[S11 ^ tc] ^ p1] ^ p4]]++;
				bucket[T[T[T[S13 ^ tc] ^ p3] ^ p4]]++;
			}
			p4 = p3;
			p3 = p2;
			p2 = p1;
			p1 = c;
			seen++;
		}
		b1 = p1;
		b2 = p2;
		b3 = p3;
		b4 = p4;
		checksum = sum;
		length = seen;
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
