package io.trawl.jobs.web;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;

import jakarta.validation.constraints.NotBlank;

import io.trawl.jobs.problem.ClientErrors;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /api/jobs}. Sizes are bounded so that no value can fill a log line, the job repository or
 * an error message.
 * @param source a folder, or {@code s3://bucket/prefix} in the aws profile; must be under trawl.sources.allowed
 * @param rules optional YARA rules, likewise; absent means trawl.rules
 * @param requestId optional idempotency key, scoped to the caller: the same request twice is one job
 * @param full optional, false by default: true analyses every sample again instead of redoing only what changed
 */
record LaunchRequest(@NotBlank(message = "is required: a folder or s3://bucket/prefix") @Size(max = 4096,
		message = "must be at most 4096 characters") String source,
		@Size(max = 4096, message = "must be at most 4096 characters") String rules,
		@Size(max = 256, message = "must be 1 to 256 printable ASCII characters without spaces") @Pattern(
				regexp = "[\\x21-\\x7e]+",
				message = "must be 1 to 256 printable ASCII characters without spaces") String requestId,
		Boolean full, @JsonAnySetter Map<String, Object> unknown) {

	/** Refuses a field this request does not have: a misspelt {@code "rule"} must not be ignored silently. */
	void checkFields() {
		if (unknown != null && !unknown.isEmpty()) {
			throw new IllegalArgumentException("The request has an unknown field "
					+ ClientErrors.echo(unknown.keySet().iterator().next())
					+ "; the fields are source, rules, requestId and full.");
		}
	}
}
