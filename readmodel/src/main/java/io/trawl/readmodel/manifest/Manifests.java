package io.trawl.readmodel.manifest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What each rescan saw, the base of an incremental rescan (issue 14):
 * <ul>
 * <li>a manifest per job: for every location of its source, the location's identity and the sha256 read there,
 * streamed back in location order so the next job of the same source can merge-join it with its own listing in
 * bounded memory;</li>
 * <li>the fingerprints of every ruleset a job used, by ruleset version, so the next job can scan only the rules
 * that are new or changed;</li>
 * <li>per source, the basis: the last job that completed its analysis, which the next incremental job compares
 * with.</li>
 * </ul>
 * Every write is idempotent, so a retried chunk or a restarted job writes the same rows again harmlessly.
 */
public interface Manifests {

	/**
	 * What one job saw at one location.
	 * @param identity what the source says about the location without reading it (a folder: size, mtime and inode;
	 * S3: ETag, size and version id); two equal identities mean the bytes are the same
	 * @param sha256 the content read there; null when the location could not be read
	 */
	record Entry(String location, String identity, String sha256) {
	}

	/**
	 * The last job of a source whose analysis completed.
	 * @param rulesetVersion the version of the rules it ran ({@link #ruleset} has their fingerprints)
	 * @param settings a digest of the analysis settings that change results (sizes, analyzers left out); a job
	 * with other settings does not build on it
	 */
	record Basis(String source, long jobInstanceId, String rulesetVersion, String settings) {
	}

	/** Stores manifest entries of a job; an entry already stored for the same job and location is replaced. */
	void put(long jobInstanceId, List<Entry> entries);

	/**
	 * The entries of a job whose location is after {@code after} (null: from the first) up to and including
	 * {@code last} (null: to the end), in location order (String order, as the sources list them; PostgreSQL's
	 * differs for supplementary characters, which then lose their reuse, never their results). The adapter holds a
	 * bounded number of rows at a time whatever the job's size. The caller closes the stream.
	 */
	Stream<Entry> range(long jobInstanceId, String after, String last);

	/** Stores the fingerprints of a ruleset's rules, by rule id; storing the same version twice is harmless. */
	void putRuleset(String rulesetVersion, Map<String, String> fingerprints);

	/** The fingerprints stored for a ruleset version, by rule id. */
	Optional<Map<String, String>> ruleset(String rulesetVersion);

	/** Makes {@code basis} the source's basis, unless the source's basis is a later job already. */
	void putBasis(Basis basis);

	Optional<Basis> basis(String source);
}
