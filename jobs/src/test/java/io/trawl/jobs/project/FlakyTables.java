package io.trawl.jobs.project;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.RuleHistory;
import io.trawl.readmodel.query.SampleView;

/**
 * Real query tables that fail one job's summary once, when a test asks, and count the summaries written per job: a
 * projection that dies mid-way, after its rows and before its summary.
 */
final class FlakyTables implements QueryTables {

	private final QueryTables tables;
	private final AtomicLong failSummaryOf = new AtomicLong(-1);
	final Map<Long, AtomicLong> summaries = new ConcurrentHashMap<>();

	FlakyTables(QueryTables tables) {
		this.tables = tables;
	}

	/** The next summary of this job fails, once. */
	void failNextSummaryOf(long jobInstanceId) {
		failSummaryOf.set(jobInstanceId);
	}

	@Override
	public void putSummary(JobSummary summary) {
		if (failSummaryOf.compareAndSet(summary.jobInstanceId(), -1)) {
			throw new IllegalStateException("injected: the summary of job " + summary.jobInstanceId() + " failed");
		}
		summaries.computeIfAbsent(summary.jobInstanceId(), job -> new AtomicLong()).incrementAndGet();
		tables.putSummary(summary);
	}

	@Override
	public boolean singleWriter() {
		return tables.singleWriter();
	}

	@Override
	public void putSamples(List<SampleView> samples) {
		tables.putSamples(samples);
	}

	@Override
	public void putRuleHits(long jobInstanceId, String rule, List<String> sha256s) {
		tables.putRuleHits(jobInstanceId, rule, sha256s);
	}

	@Override
	public void putRuleCounts(long jobInstanceId, long samples, Map<String, Long> hits) {
		tables.putRuleCounts(jobInstanceId, samples, hits);
	}

	@Override
	public List<RuleHistory> ruleHistory() {
		return tables.ruleHistory();
	}

	@Override
	public void clear() {
		tables.clear();
	}

	@Override
	public void forEachSample(long jobInstanceId, Consumer<SampleView> action) {
		tables.forEachSample(jobInstanceId, action);
	}

	@Override
	public List<SampleView> page(long jobInstanceId, ResultFilter filter, String after, int limit) {
		return tables.page(jobInstanceId, filter, after, limit);
	}

	@Override
	public Optional<SampleView> latest(String sha256) {
		return tables.latest(sha256);
	}

	@Override
	public Optional<JobSummary> summary(long jobInstanceId) {
		return tables.summary(jobInstanceId);
	}

	@Override
	public List<String> ruleHits(long jobInstanceId, String rule) {
		return tables.ruleHits(jobInstanceId, rule);
	}
}
