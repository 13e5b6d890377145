package io.trawl.jobs.ui;

import java.time.Duration;
import java.time.LocalDateTime;

import io.trawl.jobs.rescan.ProgressMeter;
import io.trawl.jobs.status.JobStatus;

/**
 * A job as the jobs page shows it: where it is, and, while it runs, samples done out of total, MB/s and the time
 * left. MB/s and the time left come from this process's progress meter when the job runs here (the embedded store
 * always; a job of another process has only its counts).
 */
record JobRow(JobStatus job, long done, long total, double percent, String rate, String eta, boolean running) {

	static JobRow of(JobStatus job, ProgressMeter meter, LocalDateTime now) {
		boolean running = "STARTED".equals(job.status()) || "STARTING".equals(job.status())
				|| "STOPPING".equals(job.status());
		long done = job.progress().doneFiles();
		long total = job.progress().totalFiles();
		String rate = "";
		String eta = "";
		if (running && job.startTime() != null) {
			double seconds = Math.max(0.001, Duration.between(job.startTime(), now).toMillis() / 1000.0);
			// only read the meter of a job that runs: reading creates an entry
			ProgressMeter.Progress progress = meter.of(job.jobExecutionId());
			long doneBytes = progress.doneBytes.get();
			long totalBytes = progress.totalBytes.get();
			if (progress.totalSamples.get() >= 0) {
				done = Math.max(done, progress.doneSamples.get());
				total = Math.max(total, progress.totalSamples.get());
			}
			double bytesPerSecond = doneBytes / seconds;
			if (doneBytes > 0) {
				rate = bytesPerSecond >= 1e5 ? String.format("%.1f MB/s", bytesPerSecond / 1e6)
						: String.format("%.1f kB/s", bytesPerSecond / 1e3);
			}
			if (doneBytes > 0 && totalBytes > doneBytes) {
				eta = duration(Math.round((totalBytes - doneBytes) / bytesPerSecond));
			}
			else if (done > 0 && total > done) {
				eta = duration(Math.round((total - done) * seconds / done));
			}
		}
		double percent = total > 0 ? Math.min(100.0, Math.round(1000.0 * done / total) / 10.0)
				: job.progress().percent();
		return new JobRow(job, done, total, percent, rate, eta, running);
	}

	static String duration(long seconds) {
		if (seconds < 60) {
			return seconds + " s";
		}
		if (seconds < 3600) {
			return seconds / 60 + " min " + seconds % 60 + " s";
		}
		return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
	}

	/** Samples done of the total, as the page prints it ("12 / 40", or "12" before the total is known). */
	public String counts() {
		return total >= 0 ? done + " / " + total : String.valueOf(done);
	}
}
