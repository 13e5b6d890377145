package io.trawl.jobs.metrics;

import org.springframework.batch.core.configuration.annotation.BatchObservabilityBeanPostProcessor;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.step.item.ChunkOrientedStep;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trawl.jobs.rescan.SampleOutcome;
import io.trawl.worker.source.SampleRef;

/**
 * Micrometer meters for rescans (actuator's {@code /actuator/metrics} and {@code /actuator/prometheus}): Spring
 * Batch's own job and step timers ({@code spring.batch.job}, {@code spring.batch.step}, ...), which it records only
 * when given the observation registry, and per written chunk {@code trawl.samples} (source locations analysed; its
 * rate is samples per second), {@code trawl.sample.bytes} and {@code trawl.sample.errors} (results FAILED or with
 * analyzer errors).
 */
@Configuration(proxyBeanMethods = false)
class RescanMeters {

	@Bean
	static BatchObservabilityBeanPostProcessor batchObservability() {
		return new BatchObservabilityBeanPostProcessor();
	}

	@Bean
	static BeanPostProcessor sampleMeters(ObjectProvider<MeterRegistry> registry) {
		return new BeanPostProcessor() {
			@Override
			@SuppressWarnings("unchecked")
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof ChunkOrientedStep<?, ?> step && "analyseWorkerStep".equals(step.getName())) {
					registry.ifAvailable(meters -> ((ChunkOrientedStep<SampleRef, SampleOutcome>) step)
						.registerItemWriteListener(new Counting(meters)));
				}
				return bean;
			}
		};
	}

	/** Counts what each committed chunk wrote; shared by the partitions, it keeps no state but the counters. */
	static final class Counting implements ItemWriteListener<SampleOutcome> {

		private final Counter samples;
		private final Counter bytes;
		private final Counter errors;

		Counting(MeterRegistry registry) {
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
}
