package io.trawl.jobs.rescan;

import java.nio.file.Path;

import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.SampleSource;

/** Turns a job's {@code source} parameter into a {@link SampleSource}. */
public interface SampleSources {

	SampleSource resolve(String source);

	/** The embedded default: local folders only, walked down to {@code maxDepth} levels. */
	static SampleSources folders(long inMemoryLimit, int maxDepth) {
		return source -> {
			if (source.startsWith("s3://")) {
				throw new IllegalArgumentException("The source " + source
						+ " is in S3, but this Trawl runs the embedded profile; start it with SPRING_PROFILES_ACTIVE=aws.");
			}
			return new FolderSampleSource(Path.of(source), inMemoryLimit, maxDepth);
		};
	}
}
