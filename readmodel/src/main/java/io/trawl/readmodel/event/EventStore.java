package io.trawl.readmodel.event;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The append-only store of result events: the write side of the read model. */
public interface EventStore {

	/**
	 * Appends events whose id is not stored yet and ignores the others, so appending the same events twice is
	 * harmless. Safe to call concurrently.
	 * @return how many events were new
	 */
	int append(List<ResultEvent> events);

	/** Every event of a job instance, ordered by sample key, then kind, then event id. */
	void forEach(long jobInstanceId, Consumer<ResultEvent> action);

	long count(long jobInstanceId, EventKind kind);

	/**
	 * The events of one kind of one sample key in a job instance, ordered by event id: a point lookup (one index
	 * range, or one DynamoDB partition), so it is cheap whatever the size of the job. Reads what is committed.
	 */
	List<ResultEvent> find(long jobInstanceId, String sampleKey, EventKind kind);

	/**
	 * {@link #find} for many sample keys at once: the events of one kind of each key that has any, by key. An
	 * adapter answers it in fewer round trips than one look-up per key (an incremental rescan looks up a chunk's
	 * previous results this way).
	 */
	default Map<String, List<ResultEvent>> findAll(long jobInstanceId, Collection<String> sampleKeys, EventKind kind) {
		Map<String, List<ResultEvent>> found = new LinkedHashMap<>();
		for (String key : sampleKeys) {
			List<ResultEvent> events = find(jobInstanceId, key, kind);
			if (!events.isEmpty()) {
				found.put(key, events);
			}
		}
		return found;
	}
}
