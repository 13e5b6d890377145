package io.trawl.worker.yara.delta;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A sha256 over fields, each length-prefixed so that no two different lists of fields hash alike. */
final class Sha256 {

	private final MessageDigest digest = digest();

	private static MessageDigest digest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	Sha256 add(String field) {
		return add(field.getBytes(StandardCharsets.UTF_8));
	}

	Sha256 add(byte[] field) {
		digest.update(ByteBuffer.allocate(Long.BYTES).putLong(field.length).array());
		digest.update(field);
		return this;
	}

	String hex() {
		return HexFormat.of().formatHex(digest.digest());
	}
}
