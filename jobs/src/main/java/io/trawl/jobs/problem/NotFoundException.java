package io.trawl.jobs.problem;

/** What the caller named does not exist: a 404, or a sentence and exit 2 on the command line. */
public class NotFoundException extends RuntimeException {

	public NotFoundException(String message) {
		super(message);
	}
}
