package io.trawl.readmodel.dynamodb;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The names of Trawl's DynamoDB tables, all derived from one prefix so that several deployments (or tests) can share
 * an account. Terraform creates tables with exactly these names.
 */
public record DynamoDbTableNames(String prefix) {

	public static final String DEFAULT_PREFIX = "trawl";

	private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

	public DynamoDbTableNames {
		if (prefix == null || !ALLOWED.matcher(prefix).matches()) {
			throw new IllegalArgumentException("The DynamoDB table prefix '" + prefix
					+ "' is not valid; use 1 to 200 letters, digits, '_', '-' or '.'.");
		}
	}

	public static DynamoDbTableNames defaults() {
		return new DynamoDbTableNames(DEFAULT_PREFIX);
	}

	/** Result events: hash {@code pk = job#shard}, range {@code sk = eventId}. */
	public String events() {
		return prefix + "-events";
	}

	/** A job's sample rows: hash {@code pk = job#shard}, range {@code sk = sampleKey}. */
	public String jobSamples() {
		return prefix + "-job-samples";
	}

	/** Each sample's latest result: hash {@code sha256}. */
	public String samples() {
		return prefix + "-samples";
	}

	/** Job summaries: hash {@code jobInstanceId}. */
	public String jobs() {
		return prefix + "-jobs";
	}

	/** Rule hits: hash {@code pk = job#rule}, range {@code sk = sha256}. */
	public String ruleHits() {
		return prefix + "-rule-hits";
	}

	/** Per-rule history, one small item per rule and job: hash {@code rule}, range {@code job} (zero-padded). */
	public String ruleJobs() {
		return prefix + "-rule-jobs";
	}

	/** Each job's manifest: hash {@code pk = job#shard}, range {@code sk = the location's sort key}. */
	public String manifests() {
		return prefix + "-manifests";
	}

	/** Ruleset fingerprints: hash {@code pk = rulesetVersion}, range {@code sk = part}. */
	public String rulesets() {
		return prefix + "-rulesets";
	}

	/** Each source's basis: hash {@code pk = sha256 of the source}. */
	public String bases() {
		return prefix + "-bases";
	}

	public List<String> all() {
		return List.of(events(), jobSamples(), samples(), jobs(), ruleHits(), ruleJobs(), manifests(), rulesets(),
				bases());
	}
}
