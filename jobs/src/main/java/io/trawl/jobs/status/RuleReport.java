package io.trawl.jobs.status;

import java.util.List;

import io.trawl.readmodel.query.RuleHistory;

/**
 * A rule's history as {@code trawl rules --json} and {@code GET /api/rules} give it. Jobs are job instance ids.
 * @param hits samples it hit in {@code latestJob}, the newest job in the history (0 when it hit none there)
 * @param firstJob the first job that it hit
 * @param lastJob the last job that it hit
 * @param noisy it hit more than {@code trawl.rules.noisy-share} of the samples of its last job
 * @param jobs its hits in each job that it hit, oldest first
 */
public record RuleReport(String rule, long hits, long latestJob, long firstJob, long lastJob, boolean noisy,
		List<JobHits> jobs) {

	public record JobHits(long job, long hits, long samples, boolean noisy) {
	}

	static RuleReport of(RuleHistory history, long latestJob, double noisyShare) {
		long hits = history.last().jobInstanceId() == latestJob ? history.last().hits() : 0;
		return new RuleReport(history.rule(), hits, latestJob, history.first().jobInstanceId(),
				history.last().jobInstanceId(), history.last().noisy(noisyShare),
				history.jobs().stream()
					.map(job -> new JobHits(job.jobInstanceId(), job.hits(), job.samples(), job.noisy(noisyShare)))
					.toList());
	}
}
