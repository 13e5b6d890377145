package io.trawl.worker.source;

import java.io.IOException;
import java.util.stream.Stream;

/** A place samples are read from: a local folder or an S3 prefix. */
public interface SampleSource {

	/** A URI a user would recognise, such as {@code /srv/samples} or {@code s3://bucket/prefix}. */
	String describe();

	/**
	 * Every sample in location order, starting strictly after {@code afterLocation} (null for the start).
	 * @throws SampleSourceException when the source itself cannot be listed
	 */
	Stream<SampleRef> list(String afterLocation);

	/**
	 * The samples after {@code afterLocation} up to and including {@code lastLocation} (null: to the end), in location
	 * order: one partition's range. A source that can leave the rest unread overrides this.
	 */
	default Stream<SampleRef> list(String afterLocation, String lastLocation) {
		return list(afterLocation)
			.takeWhile(ref -> lastLocation == null || ref.location().compareTo(lastLocation) <= 0);
	}

	/**
	 * Fails with a {@link SampleSourceException} naming the problem when the source cannot be listed; cheap, so a
	 * launch can refuse a bad source before it starts a job.
	 */
	default void check() {
		try (Stream<SampleRef> probe = list(null)) {
			probe.findFirst();
		}
	}

	/** Opens one sample for analysis. The caller closes it. */
	Sample open(SampleRef ref) throws IOException;
}
