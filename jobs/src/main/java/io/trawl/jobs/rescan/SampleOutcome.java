package io.trawl.jobs.rescan;

import java.util.List;

import io.trawl.readmodel.event.ResultEvent;

/**
 * The events one source location produced (its own result, its source, its archive members'), its size, and what
 * its results found: a verdict per result, each rule hit, and how many results are FAILED or carry analyzer errors,
 * so the writer and the metrics count them without reading the events back ({@link Found}). {@code identity} (the
 * listing's) and {@code sha256} (null when it could not be read) make the location's manifest entry.
 */
record SampleOutcome(String location, long bytes, List<ResultEvent> events, List<String> verdicts,
		List<String> ruleHits, int errors, String identity, String sha256) {

	/** A location with no analysed result, only a FAILED one: its verdict is error. */
	static SampleOutcome failed(String location, long bytes, ResultEvent failed) {
		return new SampleOutcome(location, bytes, List.of(failed), List.of("error"), List.of(), 1, null, null);
	}

	/** The same outcome with the listing's identity of its location. */
	SampleOutcome listedAs(String listedIdentity) {
		return new SampleOutcome(location, bytes, events, verdicts, ruleHits, errors, listedIdentity, sha256);
	}
}
