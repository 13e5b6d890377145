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

	/**
	 * The events of one of {@code slices} disjoint slices of a job instance, ordered as {@link #forEach}: the slices
	 * together hold every event of the job, and all the events of one sample key are in one slice. Reading the
	 * slices on several threads at once is how the projection runs in parallel. This default reads the whole job
	 * and keeps the sample keys of the slice (by their hash), which is correct but reads the job once per slice; an
	 * adapter that can read a part of a job overrides it.
	 * @param slice from 0 to {@code slices - 1}
	 * @param slices from 1 to {@value #MAX_SLICES}
	 */
	default void forEachSlice(long jobInstanceId, int slice, int slices, Consumer<ResultEvent> action) {
		checkSlice(slice, slices);
		if (slices == 1) {
			forEach(jobInstanceId, action);
			return;
		}
		forEach(jobInstanceId, event -> {
			if (Math.floorMod(event.sampleKey().hashCode(), slices) == slice) {
				action.accept(event);
			}
		});
	}

	/** The most slices a job's events can be read in (DynamoDB's 256 shards). */
	int MAX_SLICES = 256;

	/** Refuses a slice outside {@code 0..slices-1} or a count of slices outside {@code 1..MAX_SLICES}. */
	static void checkSlice(int slice, int slices) {
		if (slices < 1 || slices > MAX_SLICES || slice < 0 || slice >= slices) {
			throw new IllegalArgumentException("A job's events are read in 1 to " + MAX_SLICES + " slices, slice "
					+ slice + " of " + slices + " is none of them.");
		}
	}

	/**
	 * How many slices the projection reads at once when not told: what suits the store (JDBC: one a core, up to
	 * four, their rows written in the caller's transaction; DynamoDB: several, as each slice mostly waits on round
	 * trips).
	 */
	default int defaultSlices() {
		return 1;
	}

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
