package io.trawl.jobs.rescan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.trawl.readmodel.manifest.Manifests;
import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.RuleFingerprints;
import io.trawl.worker.yara.delta.RulesetSource;

/**
 * The fingerprints of the rulesets the jobs run, read once per version for all partitions, and stored in the
 * manifests so a later job can compute its delta against them. The last {@value #KEPT} versions are kept: a service
 * that runs other rules between two nights of the same ones (a scan on demand, a full night under a copy of the
 * rules) does not read the nightly rules again each night (bench/README.md, session 25). Not more: each holds its
 * ruleset's source (the ReversingLabs set: 3.4 MB of text).
 */
final class CurrentFingerprints {

	private static final Logger log = LoggerFactory.getLogger(CurrentFingerprints.class);

	static final int KEPT = 2;

	private final Manifests manifests;
	/** By ruleset version, the least recently used first; empty: the version's source could not be parsed. */
	private final Map<String, Optional<RuleFingerprints>> kept = new LinkedHashMap<>(8, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Optional<RuleFingerprints>> eldest) {
			return size() > KEPT;
		}
	};

	CurrentFingerprints(Manifests manifests) {
		this.manifests = manifests;
	}

	/** The rules' fingerprints; empty (no YARA result is then reused) when their source cannot be parsed. */
	synchronized Optional<RuleFingerprints> of(YaraRules rules) {
		Optional<RuleFingerprints> known = kept.get(rules.version());
		if (known == null) {
			known = read(rules);
			kept.put(rules.version(), known);
		}
		return known;
	}

	private Optional<RuleFingerprints> read(YaraRules rules) {
		try {
			RuleFingerprints read = RuleFingerprints.of(RulesetSource.read(rules.source()));
			manifests.putRuleset(rules.version(), read.sha256s());
			return Optional.of(read);
		}
		catch (RuntimeException e) {
			log.warn("The rules at {} have no fingerprints ({}): jobs with them rescan every sample with YARA",
					rules.source(), e.getMessage());
			return Optional.empty();
		}
	}
}
