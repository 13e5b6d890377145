package io.trawl.jobs.rescan;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Records which process runs a job execution (host and pid), so {@code trawl restart} can tell a job that is still
 * running from one whose process was killed.
 */
public final class OwnerListener implements JobExecutionListener {

	public static final String HOST = "trawl.owner.host";
	public static final String PID = "trawl.owner.pid";

	private final JobRepository jobRepository;

	OwnerListener(JobRepository jobRepository) {
		this.jobRepository = jobRepository;
	}

	@Override
	public void beforeJob(JobExecution jobExecution) {
		jobExecution.getExecutionContext().putString(HOST, hostName());
		jobExecution.getExecutionContext().putLong(PID, ProcessHandle.current().pid());
		jobRepository.updateExecutionContext(jobExecution);
	}

	public static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException e) {
			return "unknown";
		}
	}
}
