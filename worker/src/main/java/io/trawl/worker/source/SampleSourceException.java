package io.trawl.worker.source;

/** The source as a whole cannot be used: a missing folder or bucket, denied listing. */
public class SampleSourceException extends RuntimeException {

	public SampleSourceException(String message, Throwable cause) {
		super(message, cause);
	}

	public SampleSourceException(String message) {
		super(message);
	}
}
