package io.trawl.jobs.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.S3Client;

import io.trawl.worker.source.s3.S3Rules;
import io.trawl.worker.yara.RuleCompilationException;
import io.trawl.worker.yara.YaraRules;

/**
 * Rulesets that may also live in S3: one object ({@code s3://bucket/rules.yar}) or every rule under a prefix.
 * <p>
 * The job parameter records the {@code s3://} location itself, not a local copy: a temporary path would differ
 * between managers and processes, so the same request would not be recognised as a duplicate, and a restart on
 * another host would not find the rules. Each launch downloads the location again (rules are small), so the next
 * job sees an updated ruleset; downloads are kept under a folder named by their content digest, so an unchanged
 * ruleset is compiled only once per process.
 */
final class S3Rulesets extends Rulesets {

	private static final Logger log = LoggerFactory.getLogger(S3Rulesets.class);

	private final S3Client s3;
	private final Path cache;
	private final Map<String, Path> latest = new ConcurrentHashMap<>();

	S3Rulesets(S3Client s3, int timeoutSeconds, Path cache) {
		super(timeoutSeconds);
		this.s3 = s3;
		this.cache = cache.toAbsolutePath().normalize();
	}

	/** For s3:// locations: fetches the current rules and returns the location itself, which the job records. */
	@Override
	public String localPath(String location) {
		if (!isS3(location)) {
			return super.localPath(location);
		}
		latest.put(location, download(location));
		return location;
	}

	@Override
	public YaraRules get(String location) {
		if (!isS3(location)) {
			return super.get(location);
		}
		// a restart in a process that has not launched this job yet downloads the rules now
		Path local = latest.computeIfAbsent(location, this::download);
		try {
			return super.get(local.toString());
		}
		catch (RuleCompilationException e) {
			// name the S3 location, not the local copy
			Path root = local.getParent().equals(cache) && Files.isDirectory(local) ? local : local.getParent();
			throw new RuleCompilationException(location,
					e.problems().stream().map(p -> p.replace(root + "/", "")).toList());
		}
	}

	private static boolean isS3(String location) {
		return location != null && location.startsWith("s3://");
	}

	private Path download(String location) {
		Path staging;
		try {
			Files.createDirectories(cache);
			staging = Files.createTempDirectory(cache, "download-");
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot create a folder for the rules from " + location + " under " + cache, e);
		}
		try {
			Path fetched = S3Rules.download(s3, location, staging);
			String relative = staging.relativize(fetched).toString();
			Path target = cache.resolve(digest(staging));
			if (!Files.isDirectory(target)) {
				try {
					Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
				}
				catch (FileAlreadyExistsException raced) {
					// another launch fetched the same content meanwhile
				}
			}
			log.debug("Rules {} are in {}", location, target);
			return relative.isEmpty() ? target : target.resolve(relative);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot store the rules from " + location + " under " + cache, e);
		}
		finally {
			deleteTree(staging);
		}
	}

	/** A digest over every file's relative path and bytes. */
	private static String digest(Path folder) throws IOException {
		MessageDigest sha;
		try {
			sha = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
		List<Path> files;
		try (Stream<Path> walk = Files.walk(folder)) {
			files = walk.filter(Files::isRegularFile).sorted().toList();
		}
		for (Path file : files) {
			sha.update(folder.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
			sha.update((byte) 0);
			sha.update(Files.readAllBytes(file));
			sha.update((byte) 0);
		}
		return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
	}

	private static void deleteTree(Path folder) {
		if (!Files.exists(folder)) {
			return;
		}
		try (Stream<Path> walk = Files.walk(folder)) {
			walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException | UncheckedIOException e) {
			log.debug("Could not delete {}: {}", folder, e.getMessage());
		}
	}
}
