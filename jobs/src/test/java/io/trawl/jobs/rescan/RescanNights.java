package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.test.JobOperatorTestUtils;

/** What the incremental rescans' functional tests share to run their nights: a rules folder, a night, a sample. */
final class RescanNights {

	private RescanNights() {
	}

	/** A rules folder; the comment naming the test's folder makes its version this test's own. */
	static Path rules(Path workspace, String name, String source) throws IOException {
		Path folder = Files.createDirectories(workspace.resolve(name));
		Files.writeString(folder.resolve("main.yar"), source + "\n// " + workspace.getFileName() + "\n");
		return folder;
	}

	/** One rescan of {@code corpus} with {@code rules}, incremental unless {@code full}, which must complete. */
	static JobExecution night(JobOperatorTestUtils jobs, Path corpus, Path rules, boolean full) throws Exception {
		JobExecution execution = jobs.startJob(new JobParametersBuilder().addString("source", corpus.toString())
			.addString("rules", rules.toString())
			.addString("requestId", "night-" + System.nanoTime())
			.addString("full", Boolean.toString(full), false)
			.toJobParameters());
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		return execution;
	}

	/** {@code head} with ASCII {@code tail} after it: a sample with a string of its own. */
	static byte[] withText(byte[] head, String tail) {
		byte[] text = tail.getBytes(StandardCharsets.US_ASCII);
		byte[] out = Arrays.copyOf(head, head.length + text.length);
		System.arraycopy(text, 0, out, head.length, text.length);
		return out;
	}
}
