package io.trawl.jobs.rescan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * The first analyzer of a YARA delta scan of a reused archive ({@link Incremental}): it names each layer by its
 * sha256 and gives it the MIME type its stored result has (YARA's {@code filetype} external), so the members are
 * scanned as a full analysis scans them without running the other analyzers again. A layer whose content the stored
 * results do not list is an error, and the archive is then analysed in full.
 */
final class StoredContent extends AbstractAnalyzer {

	/** sha256 of every content of the stored tree to its stored MIME type (null when it has none). */
	private final Map<String, Object> mimeTypes;

	StoredContent(Map<String, Object> mimeTypes) {
		super("storedContent", "1");
		this.mimeTypes = mimeTypes;
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws IOException {
		String sha256 = findings.get("sha256") instanceof String given ? given : sha256(sample);
		if (!mimeTypes.containsKey(sha256)) {
			throw new IllegalStateException("content " + sha256 + " is not in the stored result of its archive");
		}
		findings.put("sha256", sha256);
		if (mimeTypes.get(sha256) != null) {
			findings.put("mimeType", mimeTypes.get(sha256));
		}
	}

	private static String sha256(Sample sample) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
		if (sample.bytes().isPresent()) {
			digest.update(sample.bytes().get().duplicate());
		}
		else {
			try (InputStream in = new DigestInputStream(sample.openStream(), digest)) {
				in.transferTo(OutputStream.nullOutputStream());
			}
		}
		return HexFormat.of().formatHex(digest.digest());
	}
}
