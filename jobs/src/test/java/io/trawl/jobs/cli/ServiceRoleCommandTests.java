package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@code trawl worker} and {@code trawl serve --role}: a mistake is one sentence and exit 2, before anything starts. */
class ServiceRoleCommandTests {

	@Test
	void aWorkerRefusesTheEmbeddedStoreItCannotShareWithAManager() {
		CliRunner.Run run = CliRunner.run(Map.of(), "worker");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.stderr().strip()).isEqualTo("trawl: a worker needs the cluster's shared job repository: set "
				+ "SPRING_DATASOURCE_URL (and _USERNAME, _PASSWORD) to its PostgreSQL database, as for the manager.");
	}

	@Test
	void serveTakesTheManagerRoleNotTheWorkerOne() {
		assertThat(CliRunner.run(Map.of(), "serve", "--role", "worker")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr().strip())
				.isEqualTo("trawl: serve --role is all or manager; a worker is started with ./trawl worker.");
		});
		assertThat(CliRunner.run(Map.of(), "serve", "--role", "boss")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr().strip()).isEqualTo("trawl: serve --role is all or manager, not 'boss'.");
		});
	}

	@Test
	void theUsageNamesTheWorkerAndTheRole() {
		assertThat(CliRunner.run(Map.of(), "worker", "--help").stdout()).contains("Usage: trawl worker");
		assertThat(CliRunner.run(Map.of(), "serve", "--help").stdout()).contains("--role=all|manager");
		assertThat(CliRunner.run(Map.of(), "--help").stdout()).contains("serve [--role manager]").contains("worker");
	}

	@Test
	void aServiceWithARoleLogsToAFileOfItsOwnAndAQueueMakesPartitioningRemote() throws Exception {
		Arguments serve = Arguments.parse(new String[] { "serve", "--role", "manager", "--server.port=0" });
		String pid = Long.toString(ProcessHandle.current().pid());
		assertThat(ServiceRoles.springArguments(serve, "manager", Map.of())).containsExactly("--server.port=0",
				"--trawl.role=manager", "--logging.file.name=${trawl.data-dir}/trawl-manager-" + pid + ".log");
		assertThat(ServiceRoles.springArguments(serve, "manager", Map.of("TRAWL_LOG_FILE", "/var/log/t.log")))
			.containsExactly("--server.port=0", "--trawl.role=manager");
		Arguments plain = Arguments.parse(new String[] { "serve" });
		assertThat(ServiceRoles.springArguments(plain, null, Map.of())).as("serve as before: data/trawl.log").isEmpty();
		assertThat(ServiceRoles.springArguments(plain, null, Map.of("TRAWL_ROLE", "worker")))
			.containsExactly("--logging.file.name=${trawl.data-dir}/trawl-worker-" + pid + ".log");

		assertThat(ServiceRoles.defaults(Map.of("TRAWL_PARTITION_QUEUE_URL", "http://q"), true))
			.containsEntry("trawl.partitioning-default", "remote").containsEntry("trawl.service", "true");
		assertThat(ServiceRoles.defaults(Map.of(), false)).isEmpty();
	}
}
