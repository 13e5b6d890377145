package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.test.MetaDataInstanceFactory;

/**
 * A partition of an incremental job runs in larger chunks, and its careful first chunk after a crash is as large as
 * its chunks; a full job's keeps {@code chunk-size}.
 */
class ChunksByBaseTests {

	private final List<String> ran = new ArrayList<>();
	private final Step steps = new ChunksByBase(step("full"), step("incremental"));

	@Test
	void aFullJobsPartitionRunsTheFullStepInChunksOfChunkSize() throws Exception {
		StepExecution partition = partition(IncrementalBase.NONE);

		steps.execute(partition);

		assertThat(ran).containsExactly("full");
		assertThat(RescanJobConfiguration.chunkSize(partition, 20, 200)).isEqualTo(20);
	}

	@Test
	void anIncrementalJobsPartitionRunsTheIncrementalStepAndIsCarefulOverItsWholeChunk() throws Exception {
		StepExecution partition = partition(41);

		steps.execute(partition);

		assertThat(ran).containsExactly("incremental");
		assertThat(RescanJobConfiguration.chunkSize(partition, 20, 200)).isEqualTo(200);
		assertThat(RescanJobConfiguration.chunkSize(partition, 500, 200)).as("never smaller than chunk-size")
			.isEqualTo(500);
	}

	@Test
	void bothAreOneStepByName() {
		assertThat(steps.getName()).isEqualTo(RescanJobConfiguration.WORKER_STEP);
	}

	private static StepExecution partition(long base) {
		JobExecution job = MetaDataInstanceFactory.createJobExecution();
		job.getExecutionContext().putLong(IncrementalBase.BASE, base);
		return new StepExecution(RescanJobConfiguration.WORKER_STEP + ":partition0", job);
	}

	private Step step(String name) {
		return new Step() {
			@Override
			public String getName() {
				return RescanJobConfiguration.WORKER_STEP;
			}

			@Override
			public void execute(StepExecution stepExecution) {
				ran.add(name);
			}
		};
	}
}
