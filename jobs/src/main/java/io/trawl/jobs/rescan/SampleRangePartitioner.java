package io.trawl.jobs.rescan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;

/**
 * Splits the source's sorted locations into contiguous ranges of about equal bytes, one per partition. A range is
 * {@code (after, last]}: it survives a restart unchanged, and works the same for folder paths and S3 keys.
 */
class SampleRangePartitioner implements Partitioner {

	static final String AFTER = "range.after";
	static final String LAST = "range.last";
	static final String COUNT = "range.count";

	private final SampleSource source;
	private final ProgressMeter.Progress progress;

	SampleRangePartitioner(SampleSource source, ProgressMeter.Progress progress) {
		this.source = source;
		this.progress = progress;
	}

	@Override
	public Map<String, ExecutionContext> partition(int gridSize) {
		List<SampleRef> refs;
		try (var listing = source.list(null)) {
			refs = listing.toList();
		}
		long totalBytes = refs.stream().mapToLong(r -> Math.max(r.size(), 1)).sum();
		progress.totalSamples.set(refs.size());
		progress.totalBytes.set(totalBytes);
		Map<String, ExecutionContext> partitions = new HashMap<>();
		long share = Math.max(1, totalBytes / Math.max(1, gridSize));
		String after = null;
		long bytes = 0;
		int count = 0;
		List<ExecutionContext> ranges = new ArrayList<>();
		for (int i = 0; i < refs.size(); i++) {
			bytes += Math.max(refs.get(i).size(), 1);
			count++;
			boolean lastRef = i == refs.size() - 1;
			if (lastRef || (bytes >= share && ranges.size() < gridSize - 1)) {
				ExecutionContext range = new ExecutionContext();
				if (after != null) {
					range.putString(AFTER, after);
				}
				range.putString(LAST, refs.get(i).location());
				range.putLong(COUNT, count);
				ranges.add(range);
				after = refs.get(i).location();
				bytes = 0;
				count = 0;
			}
		}
		for (int i = 0; i < ranges.size(); i++) {
			partitions.put("partition" + i, ranges.get(i));
		}
		return partitions;
	}
}
