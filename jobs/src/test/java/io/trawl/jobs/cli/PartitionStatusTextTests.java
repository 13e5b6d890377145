package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.trawl.jobs.status.JobStatus;

/** {@code trawl status ID} on a cluster's job: per partition its worker, how far it is, and what the cluster does. */
class PartitionStatusTextTests {

	@Test
	void eachRemotePartitionShowsItsWorkerProgressAndALostWorkerOrAPendingTakeover() {
		LocalDateTime start = LocalDateTime.of(2026, 12, 5, 21, 0);
		JobStatus job = new JobStatus(7, 3, "rescanJob", "STARTED", "UNKNOWN", "", start, null, "s3://b/p", "rules",
				"r-1", 30, 30, 30, 0, Map.of(), Map.of(), new JobStatus.Progress(30, 60, 50.0), List.of(
						new JobStatus.StepProgress("analyseStep", "STARTED", 0, 0, 0, 0, start, null, -1, 0, null,
								null, null),
						new JobStatus.StepProgress("analyseWorkerStep:partition0", "STARTED", 10, 10, 5, 0, start, null,
								20, 50.0, "host-a:41", 31L, "lost worker"),
						new JobStatus.StepProgress("analyseWorkerStep:partition1", "STARTED", 4, 4, 2, 0, start, null,
								20, 20.0, "host-a:41", 40L, "takeover pending"),
						new JobStatus.StepProgress("analyseWorkerStep:partition2", "STARTED", 16, 16, 8, 0, start, null,
								20, 80.0, "host-b:77", 2L, "running"),
						new JobStatus.StepProgress("analyseWorkerStep:partition3", "STOPPED", 6, 6, 3, 0, start, start,
								20, 30.0, "host-b:78", 1L, "handed back")),
				"sqs", null);

		String text = StatusText.describe(job);

		assertThat(text).contains("analyseWorkerStep:partition0     STARTED    read 10, written 10, commits 5, "
				+ "rollbacks 0; 50.0% of 20, worker host-a:41, heard 31 s ago [lost worker]");
		assertThat(text).contains("partition1").contains("20.0% of 20, worker host-a:41, heard 40 s ago [takeover pending]");
		assertThat(text).contains("80.0% of 20, worker host-b:77, heard 2 s ago\n");
		assertThat(text).contains("30.0% of 20, worker host-b:78 [handed back]");
		assertThat(text).contains("analyseStep                      STARTED    read 0, written 0, commits 0, "
				+ "rollbacks 0\n");
	}
}
