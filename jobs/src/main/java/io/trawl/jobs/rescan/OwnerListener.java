package io.trawl.jobs.rescan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;

import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.local.StoreListener;

/**
 * Records which process runs a job execution (host and pid), so {@code trawl restart} can tell a job that is still
 * running from one whose process was killed; and, for the {@code trawl} launcher, which execution this process runs,
 * so it can restart it if the JVM crashes.
 */
public final class OwnerListener implements JobExecutionListener {

	public static final String HOST = "trawl.owner.host";
	public static final String PID = "trawl.owner.pid";
	private static final Logger log = LoggerFactory.getLogger(OwnerListener.class);

	private final JobRepository jobRepository;
	private final Path executionIdFile;

	/** @param executionIdFile where to write each execution's id as it starts (for the launcher); blank: nowhere */
	OwnerListener(JobRepository jobRepository, String executionIdFile) {
		this.jobRepository = jobRepository;
		this.executionIdFile = executionIdFile == null || executionIdFile.isBlank() ? null : Path.of(executionIdFile);
	}

	@Override
	public void beforeJob(JobExecution jobExecution) {
		jobExecution.getExecutionContext().putString(HOST, CrashEvidence.hostName());
		jobExecution.getExecutionContext().putLong(PID, ProcessHandle.current().pid());
		jobRepository.updateExecutionContext(jobExecution);
		// a command forwarded from another ./trawl is not the one this JVM's launcher restarts after a crash
		if (executionIdFile != null && !StoreListener.isForwarded()) {
			writeExecutionId(jobExecution.getId());
		}
	}

	/** Written whole or not at all: the launcher reads it after the JVM died, perhaps mid-write. */
	private void writeExecutionId(long id) {
		try {
			Path absolute = executionIdFile.toAbsolutePath();
			Files.createDirectories(absolute.getParent());
			Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
			Files.writeString(partial, id + "\n");
			Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException e) {
			log.warn("Could not write the job execution id to {} ({}); after a crash, restart it by hand",
					executionIdFile, e.toString());
		}
	}
}
