package io.trawl.jobs.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.trawl.worker.yara.YaraRules;

/**
 * Compiled rulesets, one per rules location, compiled once per process and shared by every partition. A location
 * whose content changed (a new ruleset version) is compiled again. A long-running process sees many versions of the
 * same rules, so the jobs scanning with a version hold a {@link Lease} on it: a version that is no longer the newest
 * is freed when its last lease ends, never under a running job.
 */
public class Rulesets implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(Rulesets.class);

	/** One compiled version of one location, and the jobs using it. */
	private static final class Version {
		final String path;
		final YaraRules rules;
		int leases;
		boolean superseded;

		Version(String path, YaraRules rules) {
			this.path = path;
			this.rules = rules;
		}
	}

	/** A job's hold on one compiled version; closing it lets a superseded version be freed. */
	public static final class Lease implements AutoCloseable {

		private final YaraRules rules;
		private Runnable release;

		private Lease(YaraRules rules, Runnable release) {
			this.rules = rules;
			this.release = release;
		}

		public YaraRules rules() {
			return rules;
		}

		@Override
		public synchronized void close() {
			if (release != null) {
				release.run();
				release = null;
			}
		}
	}

	/**
	 * What the rule files of a location were when their version was last read ({@link #identities}), and that
	 * version.
	 */
	private record Stamp(List<List<Object>> files, String version) {
	}

	/**
	 * A file changed within this long of a stamp may change again with the same times (the kernel's file clock ticks
	 * in milliseconds), so such a stamp is not trusted: the rules are read again, as git treats a "racily clean" file.
	 */
	private static final Duration SETTLED = Duration.ofSeconds(2);

	// keyed by location and content, so edited rules are compiled again
	private final Map<String, Version> compiled = new HashMap<>();
	private final Map<Path, Stamp> stamps = new HashMap<>();
	private final int timeoutSeconds;

	public Rulesets(int timeoutSeconds) {
		this.timeoutSeconds = timeoutSeconds;
	}

	/** The newest version of the rules at a location, compiled if needed; refuses rules that do not compile. */
	public synchronized YaraRules get(String location) {
		Path path = Path.of(location).toAbsolutePath().normalize();
		String key = path + "@" + version(path);
		Version version = compiled.get(key);
		if (version == null) {
			long start = System.nanoTime();
			YaraRules rules = YaraRules.compile(path, timeoutSeconds);
			log.info("Compiled {} YARA rule files from {} in {} ms (version {})", rules.files().size(), path,
					(System.nanoTime() - start) / 1_000_000, rules.version().substring(0, 12));
			rules.warnings().forEach(w -> log.warn("YARA warning: {}", w));
			supersede(path.toString());
			version = new Version(path.toString(), rules);
			compiled.put(key, version);
		}
		return version.rules;
	}

	/**
	 * The version of the rules at {@code path} ({@link YaraRules#versionOf}: a hash of every rule file's name and
	 * bytes), read again only when a rule file was added, removed, renamed or written since it was last read: each job
	 * asks for it a few times (its launch, each partition), and the ReversingLabs set is 274 files and 3.4 MB, which
	 * cost a nothing-changed night in a service about 0.1 of its 3 to 4 CPU s (bench/README.md, "Session 19").
	 */
	private String version(Path path) {
		Instant now = Instant.now();
		List<List<Object>> files = identities(path);
		Stamp stamp = stamps.get(path);
		if (stamp != null && files != null && stamp.files().equals(files)) {
			return stamp.version();
		}
		String version = YaraRules.versionOf(path);
		stamps.remove(path);
		if (files != null && files.stream().allMatch(file -> settled((FileTime) file.get(5), now))) {
			stamps.put(path, new Stamp(files, version));
		}
		return version;
	}

	private static boolean settled(FileTime changed, Instant now) {
		return changed.toInstant().isBefore(now.minus(SETTLED));
	}

	/**
	 * Each rule file's path, device, inode, size, modification and change times, in order; null when the file system
	 * does not tell them. Any write to a file moves its change time, which no one can set back.
	 */
	private static List<List<Object>> identities(Path path) {
		List<List<Object>> files = new ArrayList<>();
		try {
			for (Path file : YaraRules.ruleFiles(path)) {
				Map<String, Object> seen = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
				files.add(Arrays.asList(file.toString(), seen.get("dev"), seen.get("ino"), seen.get("size"),
						seen.get("lastModifiedTime"), seen.get("ctime")));
			}
			return files;
		}
		catch (IOException | UncheckedIOException | UnsupportedOperationException | IllegalArgumentException e) {
			return null; // the version is read from the files, which says what is wrong with them
		}
	}

	/** {@link #get}, held until the lease is closed: for a job's whole use of the rules. */
	public synchronized Lease lease(String location) {
		YaraRules rules = get(location);
		Version version = compiled.values().stream().filter(v -> v.rules == rules).findFirst().orElseThrow();
		version.leases++;
		return new Lease(rules, () -> release(version));
	}

	/** How many versions are compiled and held in memory (for tests and diagnostics). */
	public synchronized int versionsHeld() {
		return compiled.size();
	}

	private void supersede(String path) {
		List<String> freed = new ArrayList<>();
		compiled.forEach((key, version) -> {
			if (version.path.equals(path)) {
				version.superseded = true;
				if (version.leases == 0) {
					freed.add(key);
				}
			}
		});
		freed.forEach(key -> free(compiled.remove(key)));
	}

	private synchronized void release(Version version) {
		version.leases--;
		if (version.leases == 0 && version.superseded && compiled.values().remove(version)) {
			free(version);
		}
	}

	private static void free(Version version) {
		log.info("Freeing an older version ({}) of the YARA rules from {}: no job uses it any more",
				version.rules.version().substring(0, 12), version.path);
		version.rules.close();
	}

	/**
	 * The local path of a rules location, as recorded in the job parameters. Remote locations (s3://) are
	 * materialised by the aws profile's subclass.
	 */
	public String localPath(String location) {
		if (location.contains("://")) {
			throw new IllegalArgumentException("The rules location " + location
					+ " is remote, but this Trawl runs the embedded profile; use a local file or folder.");
		}
		return Path.of(location).toAbsolutePath().normalize().toString();
	}

	@Override
	public synchronized void close() {
		compiled.values().forEach(version -> version.rules.close());
		compiled.clear();
	}
}
