package io.trawl.jobs.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.properties.StepRegistryProperties;

/**
 * The aws profile's CloudWatch export, under {@code management.cloudwatch.metrics.export.*} as Boot names its other
 * push registries' settings (Boot 4 has no CloudWatch auto-configuration of its own): {@code step} (1m),
 * {@code enabled}, {@code batch-size} (at most 1000, CloudWatch's limit) and {@code namespace}, which
 * config/application-aws.yml takes from {@code TRAWL_METRICS_NAMESPACE}; a blank namespace means no CloudWatch
 * registry at all ({@code trawl aws-local}).
 */
@ConfigurationProperties("management.cloudwatch.metrics.export")
public class CloudWatchProperties extends StepRegistryProperties {

	/** The namespace of the published metrics, as in Terraform's alarms. */
	private String namespace;

	public String getNamespace() {
		return namespace;
	}

	public void setNamespace(String namespace) {
		this.namespace = namespace;
	}
}
