package io.trawl.jobs.rescan;

import java.util.Collection;
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
 * is looked up alone. The base job is complete, so what is kept cannot go stale; the last two batches are kept, as
 * a chunk may span two.
 */
class BaseResults {

	private final EventStore events;
	private final long base;
	private Map<String, List<ResultEvent>> current = Map.of();
	private Map<String, List<ResultEvent>> previous = Map.of();

	BaseResults(EventStore events, long base) {
		this.events = events;
		this.base = base;
	}

	/** Looks up the ANALYSED events of these contents in one go. */
	void prefetch(Collection<String> sha256s) {
		if (sha256s.isEmpty()) {
			return;
		}
		Map<String, List<ResultEvent>> found = new HashMap<>(events.findAll(base, sha256s, EventKind.ANALYSED));
		sha256s.forEach(sha256 -> found.putIfAbsent(sha256, List.of())); // known to have none
		previous = current;
		current = found;
	}

	/** The base job's ANALYSED event of a content, if it has one. */
	Optional<ResultEvent> analysed(String sha256) {
		List<ResultEvent> found = current.get(sha256);
		if (found == null) {
			found = previous.get(sha256);
		}
		if (found == null) {
			found = events.find(base, sha256, EventKind.ANALYSED);
		}
		return found.stream().findFirst();
	}
}
