package io.trawl.worker.analysis.hash;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.trawl.worker.analysis.Deadline;
import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/** md5, sha1, sha256 and sha512 in one pass over the bytes. */
public final class HashAnalyzer extends AbstractAnalyzer {

	private static final String[] ALGORITHMS = { "MD5", "SHA-1", "SHA-256", "SHA-512" };
	private static final String[] FIELDS = { "md5", "sha1", "sha256", "sha512" };
	private static final int SLICE = 64 * 1024;

	public HashAnalyzer() {
		super("hashes", "1");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		MessageDigest[] digests = new MessageDigest[ALGORITHMS.length];
		for (int i = 0; i < digests.length; i++) {
			digests[i] = digest(ALGORITHMS[i]);
		}
		// each slice is copied once to the heap and fed to every digest while it is still in the cache
		byte[] slice = new byte[SLICE];
		sample.forEachBlock(block -> {
			ByteBuffer view = block.duplicate();
			while (view.hasRemaining()) {
				Deadline.check();
				int n = Math.min(slice.length, view.remaining());
				view.get(slice, 0, n);
				for (MessageDigest digest : digests) {
					digest.update(slice, 0, n);
				}
			}
		});
		HexFormat hex = HexFormat.of();
		for (int i = 0; i < digests.length; i++) {
			findings.put(FIELDS[i], hex.formatHex(digests[i].digest()));
		}
	}

	private static MessageDigest digest(String algorithm) {
		try {
			return MessageDigest.getInstance(algorithm);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(algorithm + " is missing from this JDK", e);
		}
	}

	/** The sha256 of arbitrary bytes, hex-encoded; used for stable keys. */
	public static String sha256Hex(byte[] bytes) {
		return HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
	}
}
