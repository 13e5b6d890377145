package io.trawl.jobs.rescan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.trawl.readmodel.manifest.Manifests;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.RuleFingerprints;
import io.trawl.worker.yara.delta.RuleGate;
import io.trawl.worker.yara.delta.RulesetDelta;

/**
 * The delta rulesets of running jobs: per job execution and earlier ruleset version, what YARA must still scan on a
 * result of that version, compiled once for all the execution's partitions (they share the native hosts of its
 * version) and freed when the execution ends ({@link IncrementalBase}).
 */
final class DeltaRulesets implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(DeltaRulesets.class);

	/**
	 * What YARA must still run on a result of one earlier ruleset: nothing when {@code analysis} is null.
	 * @param gate the first bytes its rules need to match anything ({@link RuleGate}); null when they can match anything
	 * @param counts the contents this delta scanned or skipped in its execution, for the log
	 */
	record Delta(RulesetDelta delta, Path folder, YaraRules rules, SampleAnalysis analysis, RuleGate gate,
			Counts counts) {

		Delta(RulesetDelta delta, Path folder, YaraRules rules, SampleAnalysis analysis) {
			this(delta, folder, rules, analysis, null, new Counts());
		}

		/**
		 * True when the delta has rules to scan, none of which can match a content whose stored first bytes and size
		 * are these (a result's {@code fileType} and {@code size}).
		 */
		boolean excludes(Object storedFileType, Object storedSize) {
			return analysis != null && gate != null && gate.excludesStored(
					storedFileType instanceof Map<?, ?> fileType ? fileType.get("magic") : null, storedSize);
		}
	}

	/**
	 * Contents a delta scanned (and their bytes), contents its gate let skip the scan, and layers of the archives it
	 * scanned (the archive or a member) that its gate spared a scan.
	 */
	record Counts(AtomicLong scanned, AtomicLong scannedBytes, AtomicLong skipped, AtomicLong spared) {

		Counts() {
			this(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong());
		}
	}

	private final Manifests manifests;
	private final Map<Long, Map<String, Optional<Delta>>> byExecution = new HashMap<>();

	DeltaRulesets(Manifests manifests) {
		this.manifests = manifests;
	}

	/**
	 * The delta from the ruleset {@code previousVersion} to {@code current}; empty when the earlier ruleset's
	 * fingerprints are unknown. With a rule that reads the location in the ruleset, those rules are always in the
	 * delta: a result may have been computed at another location.
	 */
	synchronized Optional<Delta> delta(long jobExecutionId, String previousVersion, YaraRules rules,
			RuleFingerprints current, Function<YaraRules, SampleAnalysis> yaraOnly) {
		return byExecution.computeIfAbsent(jobExecutionId, id -> new HashMap<>())
			.computeIfAbsent(previousVersion, version -> manifests.ruleset(version).map(previous -> {
				RulesetDelta delta = RulesetDelta.between(previous, current);
				if (current.all().values().stream().anyMatch(RuleFingerprints.Fingerprint::locationDependent)) {
					delta = delta.forNewLocation();
				}
				log.info("YARA delta from ruleset {}: {} rules to scan, {} carried forward, {} removed",
						shortVersion(version), delta.scanned().size(),
						delta.unchanged().size(), delta.removed().size());
				if (delta.isEmpty()) {
					return new Delta(delta, null, null, null);
				}
				RuleGate gate = RuleGate.of(delta, current).orElse(null);
				log.info("YARA delta from ruleset {}: {}", shortVersion(version), gate == null
						? "a rule of it can match any content: every reused content is scanned"
						: "its rules match only contents with given first bytes: the others are not read for it");
				try {
					Path folder = Files.createTempDirectory("trawl-delta-"); // owner only
					delta.writeTo(folder);
					YaraRules compiled = YaraRules.compile(folder, rules.timeoutSeconds());
					return new Delta(delta, folder, compiled, yaraOnly.apply(compiled), gate, new Counts());
				}
				catch (IOException e) {
					throw new UncheckedIOException("Cannot write the delta ruleset: " + e.getMessage(), e);
				}
			}));
	}

	/** Frees the delta rulesets of an execution that ended. */
	synchronized void release(long jobExecutionId) {
		Map<String, Optional<Delta>> deltas = byExecution.remove(jobExecutionId);
		if (deltas != null) {
			deltas.forEach((version, delta) -> delta.ifPresent(d -> {
				if (d.analysis() != null) {
					log.info("YARA delta from ruleset {} in job execution {}: {} contents scanned ({} bytes), {} "
							+ "skipped by the rule gate, {} layers of archives spared by it", shortVersion(version),
							jobExecutionId, d.counts().scanned(), d.counts().scannedBytes(), d.counts().skipped(),
							d.counts().spared());
				}
				free(d);
			}));
		}
	}

	private static String shortVersion(String version) {
		return version.substring(0, Math.min(12, version.length()));
	}

	private static void free(Delta delta) {
		if (delta.rules() == null) {
			return;
		}
		delta.rules().close();
		try (Stream<Path> files = Files.walk(delta.folder())) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException e) {
			log.warn("Could not delete the delta ruleset in {}: {}", delta.folder(), e.toString());
		}
	}

	@Override
	public synchronized void close() {
		new HashMap<>(byExecution).keySet().forEach(this::release);
	}
}
