package io.trawl.worker.analysis.strings;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The byte loop of the strings analyzer: finds the runs long enough to report in one chunk and only records them, as
 * (start, length) pairs, so that the loop stays small and compiles on its own; {@link StringsAnalyzer.Collector}
 * reads the recorded runs afterwards. A run still open at the end of a chunk carries over into the next one.
 */
final class Runs {

	/** 1 for the bytes a string may hold (printable ASCII and tab), else 0. */
	private static final byte[] PRINTABLE = new byte[256];

	/** Reads eight bytes of a chunk at any offset as one long, the first byte lowest. */
	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
	private static final long HIGH = 0x8080808080808080L;
	private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;

	static {
		for (int c = 0x20; c < 0x7f; c++) {
			PRINTABLE[c] = 1;
		}
		PRINTABLE['\t'] = 1;
	}

	private final int min;

	/** The lengths, in characters, of the runs open so far: ASCII, UTF-16LE at even and at odd offsets. */
	private int ascii;
	private int wideEven;
	private int wideOdd;

	/** Start and length of each run found in the chunk, in the order they ended; a UTF-16LE length is negated. */
	private int[] found = new int[256];
	private int size;

	Runs(int min) {
		this.min = min;
	}

	/**
	 * Finds the runs that end in {@code chunk[0, end)}, which starts at {@code base} (even) in the sample;
	 * {@code chunk[end]} is the byte after, or non-zero past the sample's end.
	 * <p>
	 * Each byte updates the three run lengths without branching; a run that just ended has its length in an "ended"
	 * value, else that is 0, so one rare branch a byte records it. Two stretches are crossed eight bytes a step
	 * instead: with no run open, the bytes no run to report can start in ({@link #skip}, most of machine code and
	 * random data), and with only an ASCII run open, its printable bytes ({@link #printableUntil}, text).
	 * <p>
	 * The loop takes two bytes a step, but may start at either parity after a jump, so the UTF-16LE lengths are kept
	 * as {@code here}, for the runs at the parity of {@code i}, and {@code next}; a jump only happens when both are
	 * 0, so it never needs to swap them.
	 */
	void find(byte[] chunk, int base, int end) {
		byte[] printable = PRINTABLE;
		int min = this.min;
		boolean jumps = min >= 1; // with min 0 even an empty run is recorded, so every byte counts
		int ascii = this.ascii;
		int here = wideEven;
		int next = wideOdd;
		size = 0;
		int i = 0;
		while (i + 1 < end) {
			if ((here | next) == 0 && jumps && i + Long.BYTES <= end) {
				if (ascii == 0) {
					i = skip(chunk, i, end, min);
				}
				else {
					int to = printableUntil(chunk, i, end);
					ascii += to - i;
					i = to;
				}
				if (i + 1 >= end) {
					break;
				}
			}
			int p = printable[chunk[i] & 0xff];
			int w = p & (chunk[i + 1] == 0 ? 1 : 0);
			int endedAscii = ascii & (p - 1);
			int endedWide = here & (w - 1);
			ascii = (ascii + 1) & -p;
			here = (here + 1) & -w;
			if ((endedAscii | endedWide) >= min) {
				ended(base + i, endedAscii, endedWide);
			}
			p = printable[chunk[i + 1] & 0xff];
			w = p & (chunk[i + 2] == 0 ? 1 : 0);
			endedAscii = ascii & (p - 1);
			endedWide = next & (w - 1);
			ascii = (ascii + 1) & -p;
			next = (next + 1) & -w;
			if ((endedAscii | endedWide) >= min) {
				ended(base + i + 1, endedAscii, endedWide);
			}
			i += 2;
		}
		if (i < end) { // one byte left: the chunk's last after a jump to an odd offset, or a sample's of odd length
			int p = printable[chunk[i] & 0xff];
			int w = p & (chunk[i + 1] == 0 ? 1 : 0);
			int endedAscii = ascii & (p - 1);
			int endedWide = here & (w - 1);
			ascii = (ascii + 1) & -p;
			here = (here + 1) & -w;
			if ((endedAscii | endedWide) >= min) {
				ended(base + i, endedAscii, endedWide);
			}
			i++;
			int swap = here;
			here = next;
			next = swap;
		}
		this.ascii = ascii;
		this.wideEven = (i & 1) == 0 ? here : next;
		this.wideOdd = (i & 1) == 0 ? next : here;
	}

	/**
	 * With no run open at {@code i}, the offset from which the exact loop must go on. Every run to report covers at
	 * least {@code min} "good" bytes in a row (printable, or zero after a printable byte), so the skip reads eight
	 * bytes a step, at a fixed stride so that the next read never waits for this one, and keeps the number of good
	 * bytes at the end of the last word: it stops at the start of the first good stretch of {@code min}, which comes
	 * right after a bad byte (or at {@code i}), so no run is open there. A word with more than {@code 8 - min} bad
	 * bytes holds no such stretch inside it, which spares looking for one in most of machine code and random data.
	 */
	private static int skip(byte[] chunk, int i, int end, int min) {
		int good = 0; // the good bytes in a row just before at
		// the high bit of the byte before at if printable; assumed so at first, which can only skip less
		long before = HIGH;
		int at = i;
		for (; at + Long.BYTES <= end; at += Long.BYTES) {
			long word = (long) LONGS.get(chunk, at);
			long printable = printable(word);
			long bad = ~printable & ~(zeros(word) & (printable << 8 | before >>> 56)) & HIGH;
			before = printable;
			int leading = Long.numberOfTrailingZeros(bad) >>> 3; // 8 when none is bad
			if (good + leading >= min) {
				return at - good;
			}
			if (Long.bitCount(bad) <= Long.BYTES - min) {
				long starts = stretches(~bad & HIGH, min);
				if (starts != 0) {
					return at + (Long.numberOfTrailingZeros(starts) >>> 3);
				}
			}
			good = bad == 0 ? good + Long.BYTES : Long.numberOfLeadingZeros(bad) >>> 3;
		}
		return at - good;
	}

	/**
	 * The high bit of each byte that starts {@code min} (1 to 8) good bytes in a row inside the word, given the high
	 * bits of the good bytes; bytes past the word count as bad. Pairs, then fours, are and-ed with themselves shifted,
	 * and two overlapping stretches of k cover any length from k to 2k.
	 */
	private static long stretches(long good, int min) {
		long pairs = good & good >>> 8;
		long fours = pairs & pairs >>> 16;
		if (min > 4) {
			return fours & fours >>> 8 * (min - 4);
		}
		return min > 1 ? pairs & pairs >>> 8 * (min - 2) : good;
	}

	/**
	 * With an ASCII run and no UTF-16LE run open at {@code i}, the offset from which the exact loop must go on: the
	 * last printable byte before the first that is not, as only the last one may have a zero after it and so start
	 * a UTF-16LE run; the run grows by the bytes passed over.
	 */
	private static int printableUntil(byte[] chunk, int i, int end) {
		int at = i;
		while (at + Long.BYTES <= end) {
			long other = ~printable((long) LONGS.get(chunk, at)) & HIGH;
			if (other != 0) {
				at += Long.numberOfTrailingZeros(other) >>> 3;
				break;
			}
			at += Long.BYTES;
		}
		return Math.max(i, at - 1);
	}

	/** The high bit of each byte of {@code word} that is printable: 0x20 to 0x7e, or a tab. */
	private static long printable(long word) {
		long low = word & LOW7;
		long fromSpace = low + 0x6060606060606060L; // high bit set from 0x20 up
		long delete = low + 0x0101010101010101L; // high bit set only for 0x7f
		long tab = word ^ 0x0909090909090909L;
		long notTab = (tab & LOW7) + LOW7 | tab; // high bit set unless the byte was a tab
		return (fromSpace & ~delete & ~word | ~notTab) & HIGH;
	}

	/** The high bit of each byte of {@code word} that is zero. */
	private static long zeros(long word) {
		return ~((word & LOW7) + LOW7 | word) & HIGH;
	}

	/** Records the runs that ended at {@code at}: the ASCII one first, as the byte order has it. */
	private void ended(int at, int endedAscii, int endedWide) {
		if (endedAscii >= min) {
			add(at - endedAscii, endedAscii);
		}
		if (endedWide >= min) {
			add(at - 2 * endedWide, -endedWide);
		}
	}

	/** Records the runs still open at the end of a sample of {@code total} bytes, after its last chunk. */
	void finish(int total) {
		size = 0;
		if (ascii >= min) {
			add(total - ascii, ascii);
		}
		// a wide run still open ended at the last position of its parity, total - 1 or total - 2
		int lastEven = (total - 1 & 1) == 0 ? total - 1 : total - 2;
		int lastOdd = (total - 1 & 1) == 1 ? total - 1 : total - 2;
		if (wideEven >= min) {
			add(lastEven - 2 * (wideEven - 1), -wideEven);
		}
		if (wideOdd >= min) {
			add(lastOdd - 2 * (wideOdd - 1), -wideOdd);
		}
	}

	private void add(int start, int length) {
		if (size + 2 > found.length) {
			found = Arrays.copyOf(found, 2 * found.length);
		}
		found[size] = start;
		found[size + 1] = length;
		size += 2;
	}

	/** The number of runs recorded. */
	int count() {
		return size >> 1;
	}

	/** The start, in the sample, of the k-th run recorded. */
	int start(int k) {
		return found[2 * k];
	}

	/** The k-th run's length in characters: positive for ASCII, negative for UTF-16LE. */
	int length(int k) {
		return found[2 * k + 1];
	}
}
