package io.trawl.worker.analysis.strings;

import java.util.Arrays;

/**
 * The byte loop of the strings analyzer: finds the runs long enough to report in one chunk and only records them, as
 * (start, length) pairs, so that the loop stays small and compiles on its own; {@link StringsAnalyzer.Collector}
 * reads the recorded runs afterwards. A run still open at the end of a chunk carries over into the next one.
 */
final class Runs {

	/** 1 for the bytes a string may hold (printable ASCII and tab), else 0. */
	private static final byte[] PRINTABLE = new byte[256];

	/** 1 for the bytes that no run may hold: neither printable nor zero. */
	private static final byte[] BREAKER = new byte[256];

	static {
		for (int c = 0x20; c < 0x7f; c++) {
			PRINTABLE[c] = 1;
		}
		PRINTABLE['\t'] = 1;
		for (int c = 1; c < 256; c++) {
			BREAKER[c] = (byte) (1 - PRINTABLE[c]);
		}
	}

	private final int min;

	/** The skip-ahead stride: {@code min} rounded down to even, so a skip keeps the byte parity; 0 for none. */
	private final int stride;

	/** The lengths, in characters, of the runs open so far: ASCII, UTF-16LE at even and at odd offsets. */
	private int ascii;
	private int wideEven;
	private int wideOdd;

	/** Start and length of each run found in the chunk, in the order they ended; a UTF-16LE length is negated. */
	private int[] found = new int[256];
	private int size;

	Runs(int min) {
		this.min = min;
		this.stride = min >= 2 ? min & ~1 : 0;
	}

	/**
	 * Finds the runs that end in {@code chunk[0, end)}, which starts at {@code base} (even) in the sample;
	 * {@code chunk[end]} is the byte after, or non-zero past the sample's end.
	 * <p>
	 * Each byte updates the three run lengths without branching; a run that just ended has its length in an "ended"
	 * value, else that is 0, so one rare branch a byte records it. When no run is open the loop first skips ahead:
	 * a run to report covers at least {@code min} bytes, counted with the zero after a wide character, and no run
	 * covers a byte that is neither printable nor zero, nor both of two bytes in a row that are not printable. So
	 * when the byte at {@code i + stride - 1} is such a breaker, no run to report starts before it, and every run
	 * length is 0 after it: the loop jumps past it. That skips much of machine code and random data.
	 */
	void find(byte[] chunk, int base, int end) {
		byte[] printable = PRINTABLE;
		int min = this.min;
		int stride = this.stride;
		int ascii = this.ascii;
		int wideEven = this.wideEven;
		int wideOdd = this.wideOdd;
		size = 0;
		int i = 0;
		while (i + 1 < end) {
			if ((ascii | wideEven | wideOdd) == 0 && stride > 0) {
				i = skip(chunk, i, end, stride);
			}
			// a counted loop (no range checks), left for the skip when no run is open
			for (; i + 1 < end; i += 2) {
				int p = printable[chunk[i] & 0xff];
				int w = p & (chunk[i + 1] == 0 ? 1 : 0);
				int endedAscii = ascii & (p - 1);
				int endedWide = wideEven & (w - 1);
				ascii = (ascii + 1) & -p;
				wideEven = (wideEven + 1) & -w;
				if ((endedAscii | endedWide) >= min) {
					ended(base + i, endedAscii, endedWide);
				}
				p = printable[chunk[i + 1] & 0xff];
				w = p & (chunk[i + 2] == 0 ? 1 : 0);
				endedAscii = ascii & (p - 1);
				endedWide = wideOdd & (w - 1);
				ascii = (ascii + 1) & -p;
				wideOdd = (wideOdd + 1) & -w;
				if ((endedAscii | endedWide) >= min) {
					ended(base + i + 1, endedAscii, endedWide);
				}
				// with no run open, leave only if the skip can jump: else (in text) staying is cheaper
				if ((ascii | wideEven | wideOdd) == 0 && stride > 0 && i + stride + 1 < end
						&& breaks(chunk, i + stride + 1)) {
					i += 2;
					break;
				}
			}
		}
		if (i < end) { // the last byte of a sample of odd length
			int p = printable[chunk[i] & 0xff];
			int w = p & (chunk[i + 1] == 0 ? 1 : 0);
			int endedAscii = ascii & (p - 1);
			int endedWide = wideEven & (w - 1);
			ascii = (ascii + 1) & -p;
			wideEven = (wideEven + 1) & -w;
			if ((endedAscii | endedWide) >= min) {
				ended(base + i, endedAscii, endedWide);
			}
		}
		this.ascii = ascii;
		this.wideEven = wideEven;
		this.wideOdd = wideOdd;
	}

	/**
	 * With no run open at {@code i}, the first even offset from which a run to report may start, or the offset of the
	 * last probe window that reaches {@code end}. A window of {@code stride} bytes from {@code i} that holds a breaker
	 * holds no start of a run to report before it, and no run is open after it: a breaker at the window's end moves
	 * the window past it; otherwise the window is searched backwards, and the next one starts at the last breaker
	 * found (even, so that {@link #find} keeps its parity), as no run is open there either. Only a window without
	 * a breaker is left to the exact loop.
	 */
	private static int skip(byte[] chunk, int i, int end, int stride) {
		while (i + stride - 1 < end) {
			int probe = i + stride - 1;
			if (breaks(chunk, probe)) {
				i = probe + 1;
				continue;
			}
			int at = probe - 1;
			while (at > i && !breaks(chunk, at)) {
				at--;
			}
			if (at == i) {
				break;
			}
			i = at + 1 & ~1;
		}
		return i;
	}

	/**
	 * Whether no run covers the byte at {@code at} and the byte before it together: it is neither printable nor zero,
	 * or it is zero after a byte that is not printable. A wide run alternates printable and zero bytes, and an ASCII
	 * run holds only printable ones.
	 */
	private static boolean breaks(byte[] chunk, int at) {
		int c = chunk[at] & 0xff;
		return BREAKER[c] != 0 || c == 0 && PRINTABLE[chunk[at - 1] & 0xff] == 0;
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
