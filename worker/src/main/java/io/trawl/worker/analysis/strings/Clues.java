package io.trawl.worker.analysis.strings;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What a string holds that each indicator pattern needs, as necessary conditions of a match: a URL has {@code ://};
 * a domain ends in a dot and a TLD that is the whole run of {@code [a-z0-9-]} after that dot, an email in a dot and a
 * TLD that is the whole run of word characters after it, and an {@code @}; an IPv4 address has a dot between digits;
 * an IPv6 address two colons with at most four hex digits between them; a registry key a backslash and {@code HK}; a
 * Windows path a backslash after a colon, a percent sign or a backslash; a Unix path a slash, one of the listed top
 * folders and a slash.
 * <p>
 * Checked on the bytes of a string (one byte a character), before any {@code String} is made: most strings hold none
 * of it, and so cost neither an allocation nor a regex. The answer is a set of the bits below.
 */
final class Clues {

	static final int URL = 1;
	static final int EMAIL = 1 << 1;
	static final int DOMAIN = 1 << 2;
	static final int IPV4 = 1 << 3;
	static final int IPV6 = 1 << 4;
	static final int REGISTRY_KEY = 1 << 5;
	static final int WINDOWS_PATH = 1 << 6;
	static final int UNIX_PATH = 1 << 7;

	/** The characters that start a check; every other character is passed over with one table look-up. */
	private static final boolean[] SPECIAL = new boolean[256];

	/** The TLDs, each packed into a long one letter a byte, in an open-addressing table (0 is empty). */
	private static final long[] TLD_TABLE = new long[512];

	private static final byte[][] UNIX_TOP = List.of("tmp", "etc", "bin", "usr", "var", "home", "dev", "proc", "root",
			"opt", "lib", "lib64", "sbin", "boot", "run", "srv", "mnt", "media", "sys", "Library", "Users", "System",
			"Applications").stream().map(top -> top.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

	static {
		for (char c : ".@\\:/%".toCharArray()) {
			SPECIAL[c] = true;
		}
		for (String tld : StringsAnalyzer.TLDS.split("\\|")) {
			long key = 0;
			for (byte b : tld.getBytes(StandardCharsets.US_ASCII)) {
				key = key << 8 | b;
			}
			int slot = slot(key);
			while (TLD_TABLE[slot] != 0) {
				slot = slot + 1 & TLD_TABLE.length - 1;
			}
			TLD_TABLE[slot] = key;
		}
	}

	private Clues() {
	}

	/** Whether {@code text[from, to)} holds a character that starts a check: else it has no clues. */
	static boolean any(byte[] text, int from, int to) {
		boolean[] special = SPECIAL;
		for (int i = from; i < to; i++) {
			if (special[text[i] & 0xff]) {
				return true;
			}
		}
		return false;
	}

	/** Whether {@code c} starts a check: a string without any such character has no clues. */
	static boolean special(byte c) {
		return SPECIAL[c & 0xff];
	}

	/**
	 * The clues in {@code text[from, to)}, which holds only printable ASCII and tabs, and whose first {@link #special}
	 * character is at {@code first}.
	 */
	static int from(byte[] text, int from, int to, int first) {
		boolean url = false, domainTld = false, emailTld = false, at = false, ipv4 = false, ipv6 = false;
		boolean backslash = false, windowsPath = false, unixPath = false;
		int lastColon = -1;
		for (int i = first; i < to; i++) {
			byte c = text[i];
			if (!SPECIAL[c & 0xff]) {
				continue;
			}
			switch (c) {
				case '.' -> {
					if (!ipv4 && i > from && i + 1 < to && isDigit(text[i - 1]) && isDigit(text[i + 1])) {
						ipv4 = true;
					}
					// every TLD is 2 to 8 letters
					if (!(domainTld && emailTld) && i + 2 < to && isLetter(text[i + 1]) && isLetter(text[i + 2])) {
						int tld = tld(text, i + 1, to);
						domainTld |= (tld & DOMAIN) != 0;
						emailTld |= (tld & EMAIL) != 0;
					}
				}
				case '@' -> at = true;
				case '\\' -> {
					backslash = true;
					// a Windows path has "X:\", "%VAR%\" or "\\\\host"
					if (!windowsPath && i > from) {
						byte before = text[i - 1];
						windowsPath = before == ':' || before == '%' || before == '\\';
					}
				}
				case ':' -> {
					if (!url && i + 2 < to && text[i + 1] == '/' && text[i + 2] == '/') {
						url = true;
					}
					if (!ipv6 && lastColon >= 0 && i - lastColon - 1 <= 4 && allHex(text, lastColon + 1, i)) {
						ipv6 = true;
					}
					lastColon = i;
				}
				case '/' -> {
					if (!unixPath) {
						int end = i + 1;
						while (end < to && isAlnum(text[end])) {
							end++;
						}
						unixPath = end < to && text[end] == '/' && isUnixTop(text, i + 1, end);
					}
				}
				default -> {
				}
			}
		}
		int clues = (url ? URL : 0) | (at && emailTld ? EMAIL : 0) | (domainTld ? DOMAIN : 0) | (ipv4 ? IPV4 : 0)
				| (ipv6 ? IPV6 : 0) | (unixPath ? UNIX_PATH : 0);
		if (backslash) {
			clues |= (windowsPath ? WINDOWS_PATH : 0) | (containsHk(text, from, to) ? REGISTRY_KEY : 0);
		}
		return clues;
	}

	/**
	 * Whether the letters from {@code from} are a TLD that ends the run of {@code [a-z0-9-]} there ({@link #DOMAIN})
	 * and the run of word characters ({@link #EMAIL}): a TLD is all letters, so either run ends with the letters, or
	 * goes on with a digit or its own extra character and is no TLD. The letters, lowercased, are looked up packed in
	 * a long.
	 */
	private static int tld(byte[] text, int from, int to) {
		int limit = Math.min(to, from + 9);
		int end = from;
		long key = 0;
		while (end < limit && isLetter(text[end])) {
			key = key << 8 | (text[end] | 0x20);
			end++;
		}
		if (end - from > 8 || !isTld(key)) {
			return 0;
		}
		if (end == to) {
			return DOMAIN | EMAIL;
		}
		byte next = text[end];
		if (isDigit(next)) {
			return 0;
		}
		return next == '-' ? EMAIL : next == '_' ? DOMAIN : DOMAIN | EMAIL;
	}

	private static boolean isTld(long key) {
		long[] table = TLD_TABLE;
		for (int slot = slot(key); table[slot] != 0; slot = slot + 1 & table.length - 1) {
			if (table[slot] == key) {
				return true;
			}
		}
		return false;
	}

	private static int slot(long key) {
		return (int) (key * 0x9E3779B97F4A7C15L >>> 55);
	}

	private static boolean isUnixTop(byte[] text, int from, int to) {
		int length = to - from;
		if (length < 3 || length > 12) {
			return false;
		}
		for (byte[] top : UNIX_TOP) {
			if (top.length == length && Arrays.equals(text, from, to, top, 0, length)) {
				return true;
			}
		}
		return false;
	}

	private static boolean containsHk(byte[] text, int from, int to) {
		for (int i = from; i + 1 < to; i++) {
			// | 0x20 folds exactly 'H' onto 'h' and 'K' onto 'k'
			if ((text[i] | 0x20) == 'h' && (text[i + 1] | 0x20) == 'k') {
				return true;
			}
		}
		return false;
	}

	private static boolean allHex(byte[] text, int from, int to) {
		for (int i = from; i < to; i++) {
			if (!isHex(text[i])) {
				return false;
			}
		}
		return true;
	}

	private static boolean isLetter(byte c) {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
	}

	private static boolean isDigit(byte c) {
		return c >= '0' && c <= '9';
	}

	private static boolean isAlnum(byte c) {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
	}

	private static boolean isHex(byte c) {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
	}
}
