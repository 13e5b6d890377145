package io.trawl.readmodel.query;

import java.util.List;

/**
 * One sample that differs between a base job and a job: {@code change} is {@code new}, {@code gone} or
 * {@code changed}. A new sample has no {@code verdictBefore}, a gone one no {@code verdict}; {@code locations} are
 * the job's sources (the base's for a gone sample). {@code sha256} is null for an unreadable location, whose
 * {@code sampleKey} ({@code "!" + sha256(location)}) identifies it instead.
 */
public record SampleChange(String change, String sampleKey, String sha256, List<String> locations,
		String verdictBefore, String verdict, List<String> rulesGained, List<String> rulesLost) {
}
