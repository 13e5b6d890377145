package io.trawl.jobs.rescan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.trawl.jobs.problem.ClientErrors;

/**
 * Where REST and SQS launches may read samples and rules: {@code trawl.sources.allowed}, local roots and
 * {@code s3://bucket/prefix} entries. Local paths are compared after resolving symlinks and {@code ..}, so a link
 * inside an allowed root cannot lead out of it; S3 locations match a bucket and a prefix on a {@code /} boundary.
 * The configured default rules ({@code trawl.rules}) are always allowed. The CLI is not held to this list.
 */
final class AllowedSources {

	static final String SETTING = "trawl.sources.allowed (TRAWL_SOURCES_ALLOWED)";

	private final List<Path> roots = new ArrayList<>();
	private final List<String> s3 = new ArrayList<>();
	private final String defaultRules;

	AllowedSources(List<String> allowed, String defaultRules) {
		for (String entry : allowed) {
			String trimmed = entry.trim();
			if (trimmed.isEmpty()) {
				continue;
			}
			if (trimmed.startsWith("s3://")) {
				// compared on a "/" boundary: s3://bucket must not allow s3://bucket-evil, nor prefix allow prefix-evil
				s3.add(trimmed.endsWith("/") ? trimmed : trimmed + "/");
			}
			else {
				// a root that does not exist (yet) allows nothing, until it does
				real(trimmed).ifPresentOrElse(roots::add,
						() -> roots.add(Path.of(trimmed).toAbsolutePath().normalize()));
			}
		}
		this.defaultRules = defaultRules;
	}

	/** The location to scan, local paths resolved to their real path; refuses anything outside the list. */
	String source(String source) {
		return check("source", source);
	}

	/** The rules location to use, local paths resolved; the default rules are always allowed. */
	String rules(String rules) {
		if (rules.equals(defaultRules)) {
			return rules;
		}
		if (!rules.contains("://")) {
			var real = real(rules);
			var defaults = real(defaultRules);
			if (real.isPresent() && defaults.isPresent() && real.get().startsWith(defaults.get())) {
				return real.get().toString();
			}
		}
		return check("rules", rules);
	}

	private String check(String what, String location) {
		if (location.startsWith("s3://")) {
			String bucketAndKey = location.substring(5);
			for (String entry : s3) {
				String allowed = entry.substring(5);
				// "bucket/" allows the whole bucket; "bucket/prefix/" only under that prefix
				if (bucketAndKey.startsWith(allowed) || (bucketAndKey + "/").equals(allowed)) {
					return location;
				}
			}
			throw refused(what, location);
		}
		if (location.contains("://")) {
			throw refused(what, location);
		}
		var resolved = real(location);
		if (resolved.isEmpty()) {
			// say "does not exist" only inside the allowed roots, so the API is no probe for the rest of the disk
			Path lexical;
			try {
				lexical = Path.of(location).toAbsolutePath().normalize();
			}
			catch (InvalidPathException e) {
				throw refused(what, location);
			}
			if (roots.stream().noneMatch(lexical::startsWith)) {
				throw refused(what, location);
			}
			throw new IllegalArgumentException("The " + what + " " + ClientErrors.echo(location)
					+ " does not exist or cannot be read by the service.");
		}
		Path real = resolved.get();
		for (Path root : roots) {
			if (real.startsWith(root)) {
				return real.toString();
			}
		}
		throw refused(what, location);
	}

	private IllegalArgumentException refused(String what, String location) {
		return new IllegalArgumentException("The " + what + " " + ClientErrors.echo(location)
				+ " is not in the locations this service may read; an administrator can add it to " + SETTING
				+ (roots.isEmpty() && s3.isEmpty() ? ", which is empty." : "."));
	}

	private static java.util.Optional<Path> real(String location) {
		try {
			Path path = Path.of(location);
			return Files.exists(path) ? java.util.Optional.of(path.toRealPath()) : java.util.Optional.empty();
		}
		catch (IOException | InvalidPathException | SecurityException e) {
			return java.util.Optional.empty();
		}
	}
}
