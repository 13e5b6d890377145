package io.trawl.readmodel.query;

import java.time.Instant;

/**
 * One sample's result as a query reads it: the analysis report merged with its sources, as a JSON document.
 * {@code sha256} is null for a location that could not be read.
 */
public record SampleView(long jobInstanceId, String sampleKey, String sha256, String verdict, Instant analysedAt,
		String document) {
}
