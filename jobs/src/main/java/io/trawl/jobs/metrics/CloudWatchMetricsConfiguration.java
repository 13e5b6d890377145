package io.trawl.jobs.metrics;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.properties.StepRegistryPropertiesConfigAdapter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.NamingConvention;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

import io.trawl.jobs.aws.AwsClients;
import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.rescan.RescanMeterNames;
import io.trawl.worker.source.s3.S3ClientSettings;

/**
 * The aws profile's Micrometer CloudWatch registry, which publishes exactly the metrics Terraform's alarms watch, in
 * the namespace they watch and without dimensions: the counters {@value RescanMeterNames#JOBS_FAILED} as
 * {@code JobsFailed} and {@value RescanMeterNames#WORKER_ERRORS} as {@code WorkerErrors}, each step (1m) the count
 * of that step, which the alarms sum. Every other meter stays with {@code /actuator/prometheus}. Closing the context
 * publishes the last, partial step, so a one-shot {@code trawl rescan} reports its job's end before the JVM exits. A
 * failed publication is one warning line ({@link OneLineFailures}) and never reaches the job. The CloudWatch client is here rather than in
 * {@code aws}: these metrics are its only use.
 */
@Configuration(proxyBeanMethods = false)
@Profile("aws")
@ConditionalOnExpression(CloudWatchMetricsConfiguration.PUBLISHES_METRICS)
@EnableConfigurationProperties(CloudWatchProperties.class)
class CloudWatchMetricsConfiguration {

	/** A blank namespace turns CloudWatch metrics off: {@code trawl aws-local} has no CloudWatch. */
	static final String PUBLISHES_METRICS = "!'${management.cloudwatch.metrics.export.namespace:}'.isBlank()";

	/** Micrometer name to CloudWatch name: what the alarms in terraform/modules/monitoring watch. */
	static final Map<String, String> ALARM_METRICS = Map.of(RescanMeterNames.JOBS_FAILED, "JobsFailed",
			RescanMeterNames.WORKER_ERRORS, "WorkerErrors");

	/** Few attempts and a short deadline: a lost data point costs little, and closing waits for the last one. */
	@Bean
	CloudWatchAsyncClient cloudWatchAsyncClient(AwsProperties aws) {
		return AwsClients.configure(CloudWatchAsyncClient.builder(), aws, aws.endpoints().cloudwatch())
			.overrideConfiguration(o -> o.retryStrategy(S3ClientSettings.retryStrategy(3))
				.apiCallTimeout(Duration.ofSeconds(10)))
			.build();
	}

	/** Destroyed before its client (it depends on it): its close publishes the last step through that client. */
	@Bean
	CloudWatchMeterRegistry cloudWatchMeterRegistry(CloudWatchProperties properties, Clock clock,
			CloudWatchAsyncClient cloudWatch) {
		CloudWatchMeterRegistry registry = new CloudWatchMeterRegistry(new Config(properties), clock,
				new OneLineFailures(cloudWatch));
		registry.config()
			.namingConvention(new AlarmNames())
			.meterFilter(MeterFilter.denyUnless(id -> ALARM_METRICS.containsKey(id.getName())));
		return registry;
	}

	/**
	 * The alarms watch metrics without dimensions, so the alarm meters carry no tags, whatever common tags
	 * ({@code management.metrics.tags.*}) or filters came before: a filter bean of the lowest precedence is applied
	 * after Boot's to every registry, the CloudWatch one included.
	 */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	MeterFilter alarmMetersWithoutTags() {
		return new MeterFilter() {
			@Override
			public Meter.Id map(Meter.Id id) {
				return ALARM_METRICS.containsKey(id.getName()) ? id.replaceTags(Tags.empty()) : id;
			}
		};
	}

	/**
	 * CloudWatch names: the registry names a counter's data {@code <name>.count}, which for the alarm meters becomes
	 * the alarm's metric name. Other meters never get here (denied above), but keep Micrometer's names.
	 */
	static final class AlarmNames implements NamingConvention {

		private static final String COUNT = ".count";

		@Override
		public String name(String name, Meter.Type type, String baseUnit) {
			if (type == Meter.Type.COUNTER && name.endsWith(COUNT)) {
				String alarmName = ALARM_METRICS.get(name.substring(0, name.length() - COUNT.length()));
				if (alarmName != null) {
					return alarmName;
				}
			}
			return name;
		}
	}

	/** {@link CloudWatchProperties} as Micrometer's {@link CloudWatchConfig}. */
	static final class Config extends StepRegistryPropertiesConfigAdapter<CloudWatchProperties>
			implements CloudWatchConfig {

		Config(CloudWatchProperties properties) {
			super(properties);
		}

		@Override
		public String prefix() {
			return "management.cloudwatch.metrics.export";
		}

		@Override
		public String namespace() {
			return obtain(CloudWatchProperties::getNamespace, CloudWatchConfig.super::namespace);
		}

		@Override
		public int batchSize() {
			return Math.min(super.batchSize(), MAX_BATCH_SIZE); // Boot's default, 10000, is above CloudWatch's limit
		}
	}
}
