package io.trawl.jobs.rescan;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.trawl.readmodel.manifest.Manifests;
import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.RuleFingerprints;
import io.trawl.worker.yara.delta.RulesetSource;

/**
 * The fingerprints of the ruleset the jobs run, read once per version for all partitions, and stored in the
 * manifests so a later job can compute its delta against them.
 */
final class CurrentFingerprints {

	private static final Logger log = LoggerFactory.getLogger(CurrentFingerprints.class);

	private final Manifests manifests;
	private String version;
	private Optional<RuleFingerprints> fingerprints;

	CurrentFingerprints(Manifests manifests) {
		this.manifests = manifests;
	}

	/** The rules' fingerprints; empty (no YARA result is then reused) when their source cannot be parsed. */
	synchronized Optional<RuleFingerprints> of(YaraRules rules) {
		if (!rules.version().equals(version)) {
			try {
				RuleFingerprints read = RuleFingerprints.of(RulesetSource.read(rules.source()));
				manifests.putRuleset(rules.version(), read.sha256s());
				fingerprints = Optional.of(read);
			}
			catch (RuntimeException e) {
				log.warn("The rules at {} have no fingerprints ({}): jobs with them rescan every sample with YARA",
						rules.source(), e.getMessage());
				fingerprints = Optional.empty();
			}
			version = rules.version();
		}
		return fingerprints;
	}
}
