package io.trawl.jobs;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * A one-shot command's context ({@code ./trawl rescan}, {@code status}, ...: Trawl's application without a web
 * server) leaves out the auto-configurations that only a running service uses: actuator endpoints and health, the
 * JVM, system and logging meter binders and the Prometheus registry (meters then go to Micrometer's simple registry;
 * the aws profile's CloudWatch registry is Trawl's own), Spring Security's event publisher and method validation
 * ({@code @Validated} settings are still checked when they bind). Their post-processors ran in every command, and
 * their configuration classes were parsed in every command (bench/README.md, "After the third cuts").
 * {@code trawl serve}, a web application, keeps all of them. Exclusions set by the user are kept.
 */
class OneShotCommandContext implements EnvironmentPostProcessor {

	static final String EXCLUDE = "spring.autoconfigure.exclude";

	/** Auto-configurations a command without a web server never uses. */
	static final List<String> SERVICE_ONLY = List.of(
			"org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration",
			"org.springframework.boot.actuate.autoconfigure.endpoint.jackson.Jackson2EndpointAutoConfiguration",
			"org.springframework.boot.actuate.autoconfigure.endpoint.jackson.JacksonEndpointAutoConfiguration",
			"org.springframework.boot.actuate.autoconfigure.info.InfoEndpointAutoConfiguration",
			"org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration",
			"org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration",
			"org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration",
			"org.springframework.boot.health.autoconfigure.application.DiskSpaceHealthContributorAutoConfiguration",
			"org.springframework.boot.health.autoconfigure.application.SslHealthContributorAutoConfiguration",
			"org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration",
			"org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsEndpointAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.jvm.JvmMetricsAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.ssl.SslMetricsAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.startup.StartupTimeMetricsListenerAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.system.SystemMetricsAutoConfiguration",
			"org.springframework.boot.micrometer.metrics.autoconfigure.task.TaskExecutorMetricsAutoConfiguration",
			"org.springframework.boot.micrometer.observation.autoconfigure.ScheduledTasksObservationAutoConfiguration",
			"org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
			"org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (application.getWebApplicationType() != WebApplicationType.NONE
				|| !application.getAllSources().contains(TrawlApplication.class)) {
			return;
		}
		Set<String> excluded = new LinkedHashSet<>(
				Binder.get(environment).bind(EXCLUDE, Bindable.listOf(String.class)).orElse(List.of()));
		excluded.addAll(SERVICE_ONLY);
		environment.getPropertySources()
			.addFirst(new MapPropertySource("trawlOneShotCommand", Map.of(EXCLUDE, String.join(",", excluded))));
	}
}
