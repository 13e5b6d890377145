package io.trawl.jobs.rescan;

import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.infrastructure.item.Chunk;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Micrometer counters per written chunk of the analyse step: {@code trawl.samples} (source locations analysed; its
 * rate is samples per second), {@code trawl.sample.bytes} and {@code trawl.sample.errors} (results FAILED or with
 * analyzer errors). Shared by the partitions running at once; it keeps no state but the counters.
 */
final class SampleMeters implements ItemWriteListener<SampleOutcome> {

	private final Counter samples;
	private final Counter bytes;
	private final Counter errors;

	SampleMeters(MeterRegistry registry) {
		this.samples = Counter.builder("trawl.samples")
			.description("Source locations analysed and written by rescans")
			.register(registry);
		this.bytes = Counter.builder("trawl.sample.bytes")
			.baseUnit("bytes")
			.description("Bytes of the source locations analysed")
			.register(registry);
		this.errors = Counter.builder("trawl.sample.errors")
			.description("Results that are FAILED or carry analyzer errors")
			.register(registry);
	}

	@Override
	public void afterWrite(Chunk<? extends SampleOutcome> chunk) {
		long size = 0;
		long failed = 0;
		for (SampleOutcome outcome : chunk) {
			size += outcome.bytes();
			failed += outcome.errors();
		}
		samples.increment(chunk.size());
		bytes.increment(size);
		errors.increment(failed);
	}
}
