package io.trawl.jobs.rescan;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.batch.core.job.JobExecutionException;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.partition.support.SimpleStepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Spring Batch's splitter, with its partitions handed out in the partitioner's order ({@code partition0} first)
 * rather than a hash set's. The partition handler starts them in the order it gets them, and
 * {@link SampleRangePartitioner} makes the first ranges the largest: so the small ones run last.
 */
public final class InPartitionOrder implements StepExecutionSplitter {

	private static final String PREFIX = ":partition";

	private final StepExecutionSplitter splitter;

	/** @param stepName the partitions' step, whose executions are named {@code stepName:partitionN} */
	public InPartitionOrder(JobRepository jobRepository, String stepName, Partitioner partitioner) {
		this.splitter = new SimpleStepExecutionSplitter(jobRepository, stepName, partitioner);
	}

	@Override
	public String getStepName() {
		return splitter.getStepName();
	}

	@Override
	public Set<StepExecution> split(StepExecution stepExecution, int gridSize) throws JobExecutionException {
		return splitter.split(stepExecution, gridSize)
			.stream()
			.sorted(Comparator.comparingLong((StepExecution partition) -> number(partition.getStepName()))
				.thenComparing(StepExecution::getStepName))
			.collect(Collectors.toCollection(LinkedHashSet::new));
	}

	/** N of a name ending in {@code :partitionN}; after every such name for any other. */
	static long number(String stepName) {
		int at = stepName.lastIndexOf(PREFIX);
		String digits = at < 0 ? "" : stepName.substring(at + PREFIX.length());
		if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
			return Long.MAX_VALUE;
		}
		return Long.parseLong(digits);
	}
}
