package io.trawl.readmodel.query;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A YARA rule's hits, one entry per job that it hit, oldest job first (never empty).
 */
public record RuleHistory(String rule, List<JobHits> jobs) {

	public RuleHistory {
		jobs = List.copyOf(jobs);
	}

	/** @param samples the job's samples (by content), the denominator of the noisy share */
	public record JobHits(long jobInstanceId, long hits, long samples) {

		/** More than {@code share} of the job's samples matched the rule. */
		public boolean noisy(double share) {
			return hits > share * samples;
		}
	}

	/** The histories of the rules in a table's rows, by rule name, each rule's jobs oldest first. */
	public static List<RuleHistory> byRule(Map<String, List<JobHits>> rows) {
		return rows.entrySet().stream()
			.sorted(Map.Entry.comparingByKey())
			.map(rule -> new RuleHistory(rule.getKey(), rule.getValue().stream()
				.sorted(Comparator.comparingLong(JobHits::jobInstanceId)).toList()))
			.toList();
	}

	public JobHits first() {
		return jobs.get(0);
	}

	public JobHits last() {
		return jobs.get(jobs.size() - 1);
	}
}
