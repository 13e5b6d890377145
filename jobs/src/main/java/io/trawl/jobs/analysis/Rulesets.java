package io.trawl.jobs.analysis;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.trawl.worker.yara.YaraRules;

/**
 * Compiled rulesets, one per rules location, compiled once per process and shared by every partition. A location
 * whose content changed (a new ruleset version) is compiled again.
 */
public class Rulesets implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(Rulesets.class);

	// keyed by location and content, so edited rules are compiled again; an older version is left to the jobs still
	// scanning with it, never destroyed under them
	private final Map<String, YaraRules> compiled = new ConcurrentHashMap<>();
	private final int timeoutSeconds;

	public Rulesets(int timeoutSeconds) {
		this.timeoutSeconds = timeoutSeconds;
	}

	public YaraRules get(String location) {
		Path path = Path.of(location).toAbsolutePath().normalize();
		return compiled.computeIfAbsent(path + "@" + YaraRules.versionOf(path), key -> {
			long start = System.nanoTime();
			YaraRules rules = YaraRules.compile(path, timeoutSeconds);
			log.info("Compiled {} YARA rule files from {} in {} ms (version {})", rules.files().size(), path,
					(System.nanoTime() - start) / 1_000_000, rules.version().substring(0, 12));
			rules.warnings().forEach(w -> log.warn("YARA warning: {}", w));
			return rules;
		});
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
	public void close() {
		compiled.values().forEach(YaraRules::close);
		compiled.clear();
	}
}
