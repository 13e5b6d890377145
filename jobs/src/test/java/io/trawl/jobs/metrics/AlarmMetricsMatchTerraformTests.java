package io.trawl.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Meter;

import io.trawl.jobs.rescan.RescanMeterNames;

/**
 * The names the aws profile publishes are the ones terraform/ makes alarms on: the namespace Terraform gives the app
 * ({@code TRAWL_METRICS_NAMESPACE}) and the monitoring module, the metric names the alarms watch (the module's
 * defaults, which the root module keeps), and alarms without dimensions that sum, as the registry's per-step counts
 * without tags need. CloudWatch itself is in {@link MonitoringFunctionalTests}; this fails fast when a rename on
 * either side leaves the alarms watching a metric nobody publishes.
 */
class AlarmMetricsMatchTerraformTests {

	static final Path TERRAFORM = Path.of("../terraform");

	@Test
	void theRegistryPublishesTheCountersUnderTheMetricNamesTheAlarmsWatch() throws IOException {
		String variables = read("modules/monitoring/variables.tf");
		String root = read("main.tf");
		assertThat(root).as("the root module keeps the monitoring module's metric names")
			.doesNotContain("failed_jobs_metric")
			.doesNotContain("worker_errors_metric");
		String jobsFailed = variableDefault(variables, "failed_jobs_metric");
		String workerErrors = variableDefault(variables, "worker_errors_metric");
		assertThat(jobsFailed).isEqualTo("JobsFailed");
		assertThat(workerErrors).isEqualTo("WorkerErrors");

		assertThat(CloudWatchMetricsConfiguration.ALARM_METRICS).containsOnly(
				Map.entry(RescanMeterNames.JOBS_FAILED, jobsFailed),
				Map.entry(RescanMeterNames.WORKER_ERRORS, workerErrors));
		// the registry names a counter's data "<name>.count" before the naming convention
		var names = new CloudWatchMetricsConfiguration.AlarmNames();
		assertThat(names.name(RescanMeterNames.JOBS_FAILED + ".count", Meter.Type.COUNTER, null)).isEqualTo(jobsFailed);
		assertThat(names.name(RescanMeterNames.WORKER_ERRORS + ".count", Meter.Type.COUNTER, null))
			.isEqualTo(workerErrors);
	}

	@Test
	void theAppPublishesToTheNamespaceTerraformGivesItAndTheAlarmsWatch() throws IOException {
		String root = read("main.tf");
		Matcher local = Pattern.compile("(?m)^\\s*metrics_namespace\\s*=\\s*\"([^\"]+)\"").matcher(root);
		assertThat(local.find()).as("local.metrics_namespace in terraform/main.tf").isTrue();
		assertThat(root).containsPattern("TRAWL_METRICS_NAMESPACE\\s*=\\s*local\\.metrics_namespace")
			.containsPattern("module \"monitoring\"[^}]*metrics_namespace\\s*=\\s*local\\.metrics_namespace");
		String aws = Files.readString(Path.of("../config/application-aws.yml"));
		assertThat(aws).as("the aws profile reads it, with Terraform's value as the default")
			.containsPattern("(?s)management:\\s+cloudwatch:\\s+metrics:\\s+export:\\s+namespace: \\$\\{"
					+ "TRAWL_METRICS_NAMESPACE:" + Pattern.quote(local.group(1)) + "\\}");
	}

	@Test
	void theAlarmsOnTheAppsMetricsHaveNoDimensionsAndSum() throws IOException {
		String alarms = read("modules/monitoring/main.tf");
		for (String alarm : new String[] { "failed_jobs", "worker_errors" }) {
			String block = resource(alarms, "aws_cloudwatch_metric_alarm", alarm);
			assertThat(block).as(alarm).contains("namespace           = var.metrics_namespace")
				.doesNotContain("dimensions")
				.containsPattern("statistic\\s*=\\s*\"Sum\"");
		}
	}

	private static String read(String file) throws IOException {
		return Files.readString(TERRAFORM.resolve(file));
	}

	private static String variableDefault(String variables, String name) {
		Matcher matcher = Pattern.compile("variable \"" + name + "\" \\{[^}]*default\\s*=\\s*\"([^\"]+)\"")
			.matcher(variables);
		assertThat(matcher.find()).as("variable %s has a default", name).isTrue();
		return matcher.group(1);
	}

	/** A resource block, from its header to the next top-level closing brace. */
	private static String resource(String tf, String type, String name) {
		Matcher matcher = Pattern.compile("(?ms)^resource \"" + type + "\" \"" + name + "\" \\{.*?^\\}").matcher(tf);
		assertThat(matcher.find()).as("resource %s.%s", type, name).isTrue();
		return matcher.group();
	}
}
