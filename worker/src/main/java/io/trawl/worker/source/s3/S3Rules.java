package io.trawl.worker.source.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Fetches YARA rules from S3 to a local folder, so they compile like local rules: one object
 * ({@code s3://bucket/rules.yar}), or every {@code .yar}/{@code .yara} object under a prefix, keeping the key
 * layout below the prefix so that relative {@code include}s and rule namespaces stay the same.
 */
public final class S3Rules {

	private S3Rules() {
	}

	/**
	 * Downloads into a new temporary folder, which the caller deletes when done.
	 * @return the rule file for a single object, otherwise the folder holding the rules
	 * @throws IllegalArgumentException when the location is malformed, unreadable or holds no rules
	 */
	public static Path download(S3Client s3, String uri) {
		try {
			return download(s3, uri, Files.createTempDirectory("trawl-rules-"));
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot create a temporary folder for the rules from " + uri, e);
		}
	}

	/** Downloads into {@code folder}, which must exist. */
	public static Path download(S3Client s3, String uri, Path folder) {
		S3Location location = S3Location.parse(uri);
		try {
			if (isRuleFile(location.prefix())) {
				Path single = singleObject(s3, location, folder);
				if (single != null) {
					return single;
				}
			}
			List<String> keys = new ArrayList<>();
			s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(location.prefix()))
				.contents()
				.stream()
				.map(S3Object::key)
				.filter(S3Rules::isRuleFile)
				.forEach(keys::add);
			if (keys.isEmpty()) {
				throw new IllegalArgumentException("No .yar or .yara rules were found at " + location
						+ "; upload the rules there or fix the rules location.");
			}
			String base = location.prefix().isEmpty() || location.prefix().endsWith("/") ? location.prefix()
					: location.prefix().substring(0, location.prefix().lastIndexOf('/') + 1);
			for (String key : keys) {
				fetch(s3, location, key, inside(folder, key.substring(base.length())));
			}
			return folder;
		}
		catch (NoSuchBucketException e) {
			throw unreadable(location, e);
		}
		catch (S3Exception e) {
			if (e.statusCode() == 403 || e.statusCode() == 404 || e.statusCode() == 301) {
				throw unreadable(location, e);
			}
			throw new IllegalArgumentException("Fetching the rules from " + location + " failed ("
					+ S3SampleSource.reason(e) + ").", e);
		}
		catch (SdkException e) {
			throw new IllegalArgumentException("Fetching the rules from " + location + " failed: " + e.getMessage(),
					e);
		}
	}

	private static Path singleObject(S3Client s3, S3Location location, Path folder) {
		String key = location.prefix();
		Path target = inside(folder, key.substring(key.lastIndexOf('/') + 1));
		try {
			fetch(s3, location, key, target);
			return target;
		}
		catch (NoSuchKeyException notAnObject) {
			return null; // perhaps a prefix that happens to end in .yar; list it
		}
	}

	private static void fetch(S3Client s3, S3Location location, String key, Path target) {
		try {
			Files.createDirectories(target.getParent());
			Files.deleteIfExists(target);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot write the rule file " + target, e);
		}
		s3.getObject(b -> b.bucket(location.bucket()).key(key), target);
	}

	/** Refuses keys such as {@code ../../etc/x.yar} that would land outside the folder. */
	private static Path inside(Path folder, String relative) {
		Path target = folder.resolve(relative).normalize();
		if (relative.isEmpty() || !target.startsWith(folder.normalize()) || target.equals(folder.normalize())) {
			throw new IllegalArgumentException("The rule key '" + relative + "' would be written outside " + folder
					+ "; rename it.");
		}
		return target;
	}

	private static boolean isRuleFile(String key) {
		String lower = key.toLowerCase(Locale.ROOT);
		return lower.endsWith(".yar") || lower.endsWith(".yara");
	}

	private static IllegalArgumentException unreadable(S3Location location, S3Exception e) {
		return new IllegalArgumentException("The bucket " + location.bucket() + " does not exist or is not readable "
				+ "with these credentials (" + S3SampleSource.reason(e) + "); check the rules location " + location
				+ ".", e);
	}
}
