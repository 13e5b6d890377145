package io.trawl.readmodel.query;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How many samples a job has that its base lacks ({@code new}), the base has that it lacks ({@code gone}), both have
 * with another verdict or other YARA hits ({@code changed}) or with the same ones ({@code unchanged}).
 * @param base the base's job execution id, as the caller named it (the latest COMPLETED execution in a summary)
 * @param baseJobInstanceId the base's job instance, whose query tables were compared
 */
public record DiffCounts(long base, long baseJobInstanceId, @JsonProperty("new") long added, long gone, long changed,
		long unchanged) {
}
