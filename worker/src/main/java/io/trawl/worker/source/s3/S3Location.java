package io.trawl.worker.source.s3;

import java.util.regex.Pattern;

/**
 * A bucket and a key prefix, written {@code s3://bucket/prefix}. The prefix may be empty (the whole bucket) and is
 * used as given: {@code s3://b/2026} also matches {@code 2026-archive/x}, while {@code s3://b/2026/} does not.
 */
public record S3Location(String bucket, String prefix) {

	// S3's rules for new buckets: 3-63 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric
	private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

	public S3Location {
		if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
			throw new IllegalArgumentException("'" + bucket + "' is not a valid S3 bucket name; use 3 to 63 lowercase "
					+ "letters, digits, dots or hyphens.");
		}
		prefix = prefix == null ? "" : prefix;
	}

	/** Parses {@code s3://bucket} or {@code s3://bucket/prefix}. */
	public static S3Location parse(String uri) {
		if (uri == null || !uri.startsWith("s3://") || uri.length() == "s3://".length()) {
			throw new IllegalArgumentException("'" + uri + "' is not an S3 location; write it as s3://bucket/prefix.");
		}
		String rest = uri.substring("s3://".length());
		int slash = rest.indexOf('/');
		String bucket = slash < 0 ? rest : rest.substring(0, slash);
		String prefix = slash < 0 ? "" : rest.substring(slash + 1);
		try {
			return new S3Location(bucket, prefix);
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("'" + uri + "' is not a valid S3 location: " + e.getMessage(), e);
		}
	}

	/** The URI of one object in this bucket. */
	public String uri(String key) {
		return "s3://" + bucket + "/" + key;
	}

	@Override
	public String toString() {
		return uri(prefix);
	}
}
