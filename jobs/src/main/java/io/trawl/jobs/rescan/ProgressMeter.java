package io.trawl.jobs.rescan;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** In-process progress of running rescans, for the progress bar: totals from the partitioner, done from the writer. */
public final class ProgressMeter {

	private final Map<Long, Progress> byExecution = new ConcurrentHashMap<>();
	private volatile Progress latest;

	public Progress of(long jobExecutionId) {
		return byExecution.computeIfAbsent(jobExecutionId, id -> latest = new Progress());
	}

	/** The progress of the execution that started last in this process, for a command that runs one job. */
	public Progress latest() {
		return latest;
	}

	public static final class Progress {
		public final AtomicLong totalSamples = new AtomicLong(-1);
		public final AtomicLong totalBytes = new AtomicLong();
		public final AtomicLong doneSamples = new AtomicLong();
		public final AtomicLong doneBytes = new AtomicLong();
	}
}
