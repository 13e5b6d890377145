package io.trawl.jobs.rescan;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.stream.Stream;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import io.trawl.readmodel.manifest.Manifests;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;

/**
 * Reads one partition's range of locations in order. It saves the last location of each committed chunk, so a
 * restart resumes right after it, by location rather than by count: samples added to the source since do not shift
 * the range. In an incremental job it walks the base job's manifest over the same range beside the listing (a
 * merge-join, both in location order), handing each location with the base job's entry for it: memory stays bounded
 * whatever the range's size. An entry out of the listing's order is skipped, which only costs reuse. It reads
 * {@value #AHEAD} locations ahead, and has the base job's results of the unchanged ones looked up together
 * ({@link BaseResults}); what it saves for a restart is still the last location it handed out.
 */
class SampleRangeReader implements ItemStreamReader<ListedSample> {

	private static final String LAST_READ = "reader.lastRead";
	static final int AHEAD = 200;

	private final SampleSource source;
	private final String after;
	private final String last;
	private Manifests manifests;
	private Long base;
	private Stream<SampleRef> stream;
	private Iterator<SampleRef> refs;
	private Stream<Manifests.Entry> previousStream;
	private Iterator<Manifests.Entry> previous = Collections.emptyIterator();
	private Manifests.Entry next;
	private String lastRead;
	private BaseResults baseResults;
	private final Deque<ListedSample> ahead = new ArrayDeque<>();

	SampleRangeReader(SampleSource source, String after, String last) {
		this.source = source;
		this.after = after;
		this.last = last;
	}

	/** Joins the listing with the manifest of job {@code baseJob} (null: a full job, nothing to join). */
	SampleRangeReader joining(Manifests entries, Long baseJob) {
		this.manifests = entries;
		this.base = baseJob;
		return this;
	}

	/** Looks up, a batch at a time, the base job's results of the unchanged locations it reads (null: none). */
	SampleRangeReader prefetching(BaseResults results) {
		this.baseResults = results;
		return this;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		lastRead = context.containsKey(LAST_READ) ? context.getString(LAST_READ) : after;
		ahead.clear();
		stream = source.list(lastRead, last);
		refs = stream.iterator();
		if (manifests != null && base != null) {
			previousStream = manifests.range(base, lastRead, last);
			previous = previousStream.iterator();
		}
	}

	@Override
	public ListedSample read() {
		if (ahead.isEmpty()) {
			readAhead();
		}
		ListedSample listed = ahead.poll();
		if (listed != null) {
			lastRead = listed.ref().location();
		}
		return listed;
	}

	private void readAhead() {
		while (refs != null && ahead.size() < AHEAD && refs.hasNext()) {
			SampleRef ref = refs.next();
			ahead.add(new ListedSample(ref, previousAt(ref.location())));
		}
		if (baseResults != null) {
			baseResults.prefetch(ahead.stream().filter(ListedSample::unchanged).map(l -> l.previous().sha256())
				.distinct().toList());
		}
	}

	/** Moves the manifest past every entry before {@code location}; the entry at it, or null. */
	private Manifests.Entry previousAt(String location) {
		while (next != null || previous.hasNext()) {
			if (next == null) {
				next = previous.next();
			}
			int order = next.location().compareTo(location);
			if (order > 0) {
				return null;
			}
			Manifests.Entry at = next;
			next = null;
			if (order == 0) {
				return at;
			}
		}
		return null;
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		if (lastRead != null) {
			context.putString(LAST_READ, lastRead);
		}
	}

	@Override
	public void close() throws ItemStreamException {
		if (stream != null) {
			stream.close();
		}
		if (previousStream != null) {
			previousStream.close();
		}
	}
}
