package io.trawl.readmodel.dynamodb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A location as a manifest's sort key, so that DynamoDB's order is Java's String order (the order the sources list
 * in, and the merge-join's) and any location fits the 1,024-byte key limit.
 * <p>
 * DynamoDB orders strings by their UTF-8 bytes, which is code point order; Java orders by UTF-16 code units, so the
 * two disagree where a supplementary character (a surrogate pair) meets U+E000 to U+FFFF. The key therefore keeps
 * code units below U+D800 as they are and writes each one from U+D800 up as two characters: a lead in
 * U+E000..U+E09F for its high bits and an ASCII trail for its low six. Every character of a key is then a BMP
 * character, whose UTF-8 order, UTF-16 order and code unit order agree, and lone surrogates survive.
 * <p>
 * A key stops at the first code unit that takes it past {@link #BUDGET} bytes. A longer location's key is that
 * prefix, {@code #} and the sha256 of the whole location, and the location itself is kept in the item. Two long
 * locations that share the prefix may then come back in hash order, next to each other, and the reader sorts such a
 * run; every other pair of keys is in the locations' order.
 */
final class LocationKey {

	/** Room for the start mark, the one code unit that crosses the budget (4 bytes) and the {@code #sha256}. */
	static final int BUDGET = 900;

	/** Every key starts with it, so that an empty location still has a non-empty key. */
	private static final char START = '!';
	private static final char HASH_MARK = '#';
	/** Above {@link #HASH_MARK}: an upper bound for every long key with the same prefix. */
	private static final char ABOVE_HASHES = '$';
	private static final int HASH_LENGTH = 1 + 64;
	private static final char LEAD = '\uE000';
	private static final char TRAIL = '@';

	/**
	 * @param key the sort key
	 * @param prefix the key without the hash of a long location; null for a short one
	 * @param whole the whole location encoded as a key is (with no length limit), kept in a long location's item
	 */
	record Encoded(String key, String prefix, String whole) {

		boolean isLong() {
			return prefix != null;
		}
	}

	private LocationKey() {
	}

	static Encoded of(String location) {
		StringBuilder whole = new StringBuilder(location.length() + 8).append(START);
		int bytes = 1;
		int prefixLength = -1;
		for (int i = 0; i < location.length(); i++) {
			char c = location.charAt(i);
			if (c < Character.MIN_SURROGATE) {
				whole.append(c);
				bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
			}
			else {
				int above = c - Character.MIN_SURROGATE;
				whole.append((char) (LEAD + (above >> 6))).append((char) (TRAIL + (above & 0x3F)));
				bytes += 4;
			}
			if (bytes > BUDGET && prefixLength < 0 && i + 1 < location.length()) {
				prefixLength = whole.length();
			}
		}
		String encoded = whole.toString();
		if (prefixLength < 0) {
			return new Encoded(encoded, null, encoded);
		}
		String prefix = encoded.substring(0, prefixLength);
		return new Encoded(prefix + HASH_MARK + sha256(encoded.getBytes(StandardCharsets.UTF_8)), prefix, encoded);
	}

	/** The location that {@link Encoded#whole} was made from. */
	static String decode(String key) {
		StringBuilder location = new StringBuilder(key.length());
		for (int i = 1; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c < LEAD) {
				location.append(c);
			}
			else {
				char trail = key.charAt(++i);
				location.append((char) (Character.MIN_SURROGATE + ((c - LEAD) << 6) + (trail - TRAIL)));
			}
		}
		return location.toString();
	}

	/** A key at or below the key of every location after {@code location}. */
	static String lowerBound(String location) {
		Encoded encoded = of(location);
		return encoded.isLong() ? encoded.prefix() : encoded.key();
	}

	/** A key at or above the key of every location up to {@code location}. */
	static String upperBound(String location) {
		Encoded encoded = of(location);
		return encoded.isLong() ? encoded.prefix() + ABOVE_HASHES : encoded.key();
	}

	/** The prefix of a long location's key. */
	static String prefixOf(String longKey) {
		return longKey.substring(0, longKey.length() - HASH_LENGTH);
	}

	/** The sha256 of {@code bytes} in lowercase hex. */
	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("Every JDK has SHA-256", e);
		}
	}
}
