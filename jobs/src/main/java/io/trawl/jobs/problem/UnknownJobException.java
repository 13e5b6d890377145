package io.trawl.jobs.problem;

/** No job execution has this id. */
public class UnknownJobException extends NotFoundException {

	public UnknownJobException(long id) {
		super("There is no job execution " + id + ". List the jobs with: trawl status");
	}
}
