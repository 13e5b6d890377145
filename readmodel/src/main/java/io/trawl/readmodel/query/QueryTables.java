package io.trawl.readmodel.query;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The query side: tables rebuilt from events by the projection, read by status and result queries. Every write is
 * an idempotent upsert, so projecting the same events again, or in another order, gives the same tables.
 */
public interface QueryTables {

	/** Upserts the per-job rows and, where newer than what is there, each sample's latest result. */
	void putSamples(List<SampleView> samples);

	/** Records that these samples matched this rule in this job. */
	void putRuleHits(long jobInstanceId, String rule, List<String> sha256s);

	void putSummary(JobSummary summary);

	/**
	 * Deletes every row of every query table (each job's samples, each sample's latest result, rule hits and
	 * summaries), leaving the events alone: the first step of rebuilding the tables from the events.
	 */
	void clear();

	/**
	 * The samples of a job instance, ordered by sample key, streamed: an adapter holds a bounded number of rows at a
	 * time whatever the job's size.
	 */
	void forEachSample(long jobInstanceId, Consumer<SampleView> action);

	/**
	 * At most {@code limit} samples of a job instance matching the filter, ordered by sample key, starting after
	 * the sample key {@code after} (null: from the start). The last row's key is the cursor of the next page.
	 */
	List<SampleView> page(long jobInstanceId, ResultFilter filter, String after, int limit);

	/**
	 * A page of a job's rows for a diff ({@link JobDiff}): as {@link #page} with no filter. A table that stores the
	 * analysis text of its rows once, by key, may give that key and read the documents only when one is asked for.
	 */
	default List<DiffRow> diffPage(long jobInstanceId, String after, int limit) {
		return page(jobInstanceId, ResultFilter.NONE, after, limit).stream().map(DiffRow::of).toList();
	}

	/** The newest result for a sample, whichever job produced it. */
	Optional<SampleView> latest(String sha256);

	Optional<JobSummary> summary(long jobInstanceId);

	/** The sha256 of every sample that matched a rule in a job. */
	List<String> ruleHits(long jobInstanceId, String rule);

	/**
	 * Records each rule's hit count in a job of {@code samples} samples: one row per rule and job, replaced when the
	 * job is projected again.
	 */
	void putRuleCounts(long jobInstanceId, long samples, Map<String, Long> hits);

	/** Every rule that has hit a sample, by rule name, each with its hits per job, oldest job first. */
	List<RuleHistory> ruleHistory();

	/**
	 * Whether writes must come from the caller's own thread, so that they are part of its transaction (JDBC: a
	 * rescan's projection runs in its step's transaction and leaves no rows if it fails). The projection then reads
	 * its slices on threads of their own but writes on the caller's. False (DynamoDB, which has no such transaction):
	 * each slice writes on its own thread.
	 */
	default boolean singleWriter() {
		return false;
	}
}
