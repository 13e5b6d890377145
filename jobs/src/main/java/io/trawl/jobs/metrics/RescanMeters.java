package io.trawl.jobs.metrics;

import org.springframework.batch.core.configuration.annotation.BatchObservabilityBeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Batch's own job and step timers ({@code spring.batch.job}, {@code spring.batch.step}, ...) for actuator's
 * {@code /actuator/metrics} and {@code /actuator/prometheus}, which Batch records only when given the observation
 * registry. The analyse step counts its samples itself ({@code rescan.SampleMeters}).
 */
@Configuration(proxyBeanMethods = false)
class RescanMeters {

	@Bean
	static BatchObservabilityBeanPostProcessor batchObservability() {
		return new BatchObservabilityBeanPostProcessor();
	}
}
