package io.trawl.worker.yara;

/** One scan failed (a timeout, a libyara error); the sample records it and the job goes on. */
public class YaraScanException extends RuntimeException {

	public YaraScanException(String message) {
		super(message);
	}
}
