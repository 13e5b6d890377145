package io.trawl.jobs.rescan;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

/**
 * The base job's ANALYSED events of one partition's step, looked up a batch of contents at a time: the reader asks
 * for the contents of the unchanged locations it is about to hand out ({@link SampleRangeReader}), so the processor
 * finds them here rather than one query each. A content it was not asked for (a changed location, an archive member)
 * is looked up alone. The base job is complete, so what is kept cannot go stale. A chunk is read whole before it is
 * processed, so the batches a chunk spans are kept ({@link #batchesFor}): keeping two when chunks of 500 spanned four
 * looked up a chunk's first 100 to 300 contents again one by one (bench/README.md, session 20).
 */
class BaseResults {

	private final EventStore events;
	private final long base;
	private final int kept;
	private final Deque<Map<String, List<ResultEvent>>> batches = new ArrayDeque<>();

	/** For chunks of up to {@link SampleRangeReader#AHEAD} samples. */
	BaseResults(EventStore events, long base) {
		this(events, base, batchesFor(SampleRangeReader.AHEAD));
	}

	BaseResults(EventStore events, long base, int kept) {
		this.events = events;
		this.base = base;
		this.kept = kept;
	}

	/** The most batches of {@link SampleRangeReader#AHEAD} locations that a chunk of {@code chunkSize} spans. */
	static int batchesFor(int chunkSize) {
		return (Math.max(1, chunkSize) - 1) / SampleRangeReader.AHEAD + 2;
	}

	/** Looks up the ANALYSED events of these contents in one go. */
	void prefetch(Collection<String> sha256s) {
		if (sha256s.isEmpty()) {
			return;
		}
		Map<String, List<ResultEvent>> found = new HashMap<>(events.findAll(base, sha256s, EventKind.ANALYSED));
		sha256s.forEach(sha256 -> found.putIfAbsent(sha256, List.of())); // known to have none
		batches.addFirst(found);
		while (batches.size() > kept) {
			batches.removeLast();
		}
	}

	/** The base job's ANALYSED event of a content, if it has one. */
	Optional<ResultEvent> analysed(String sha256) {
		for (Map<String, List<ResultEvent>> batch : batches) {
			List<ResultEvent> found = batch.get(sha256);
			if (found != null) {
				return found.stream().findFirst();
			}
		}
		return events.find(base, sha256, EventKind.ANALYSED).stream().findFirst();
	}
}
