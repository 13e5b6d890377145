package io.trawl.readmodel.query;

import java.time.Instant;
import java.util.Map;

/**
 * What a job found, as projected from its events.
 * @param samples distinct samples (by content), archive members included
 * @param files locations read from the source
 * @param resultEvents analysis results stored (ANALYSED plus FAILED events): equal to {@code samples} when nothing
 * was lost or duplicated
 * @param errors samples whose result carries at least one error
 * @param verdicts sample count per verdict
 * @param ruleHits sample count per YARA rule
 * @param diff what changed since the previous COMPLETED job of the same source; null for a source's first job
 */
public record JobSummary(long jobInstanceId, long samples, long files, long resultEvents, long errors,
		Map<String, Long> verdicts, Map<String, Long> ruleHits, Instant projectedAt, DiffCounts diff) {

	public JobSummary(long jobInstanceId, long samples, long files, long resultEvents, long errors,
			Map<String, Long> verdicts, Map<String, Long> ruleHits, Instant projectedAt) {
		this(jobInstanceId, samples, files, resultEvents, errors, verdicts, ruleHits, projectedAt, null);
	}

	public JobSummary withDiff(DiffCounts diff) {
		return new JobSummary(jobInstanceId, samples, files, resultEvents, errors, verdicts, ruleHits, projectedAt,
				diff);
	}
}
