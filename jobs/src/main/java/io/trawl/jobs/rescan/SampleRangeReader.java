package io.trawl.jobs.rescan;

import java.util.Iterator;
import java.util.stream.Stream;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;

/**
 * Reads one partition's range of locations in order. It saves the last location of each committed chunk, so a
 * restart resumes right after it, by location rather than by count: samples added to the source since do not shift
 * the range.
 */
class SampleRangeReader implements ItemStreamReader<SampleRef> {

	private static final String LAST_READ = "reader.lastRead";

	private final SampleSource source;
	private final String after;
	private final String last;
	private Stream<SampleRef> stream;
	private Iterator<SampleRef> refs;
	private String lastRead;

	SampleRangeReader(SampleSource source, String after, String last) {
		this.source = source;
		this.after = after;
		this.last = last;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		lastRead = context.containsKey(LAST_READ) ? context.getString(LAST_READ) : after;
		stream = source.list(lastRead, last);
		refs = stream.iterator();
	}

	@Override
	public SampleRef read() {
		if (refs == null || !refs.hasNext()) {
			return null;
		}
		SampleRef ref = refs.next();
		lastRead = ref.location();
		return ref;
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
	}
}
