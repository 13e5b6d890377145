package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./trawl api-key create|list|revoke} on the local database, as a user runs them. */
class ApiKeyCliTests {

	@TempDir
	Path data;

	@Test
	void aKeyIsPrintedOnceAloneOnTheLastLineListedWithoutItAndRevoked() throws Exception {
		CliRunner.Run created = trawl("api-key", "create", "--role", "operator", "--name", "ci-runner");

		assertThat(created.exitCode()).as(created.stderr()).isZero();
		String key = created.lastLine();
		assertThat(key).matches("trawl_[A-Za-z0-9_-]{43}");
		assertThat(created.stdout().split(key, -1)).hasSize(2); // printed once

		CliRunner.Run listed = trawl("api-key", "list");
		assertThat(listed.exitCode()).isZero();
		assertThat(listed.stdout()).contains("ci-runner").contains("operator").doesNotContain(key);
		assertThat(listed.stdout().lines().filter(line -> line.startsWith("ci-runner")).findFirst().orElseThrow())
			.endsWith("-");
		CliRunner.Run json = trawl("api-key", "list", "--json");
		assertThat(json.stdout()).contains("\"name\":\"ci-runner\"").contains("\"revoked\":null").doesNotContain(key);

		CliRunner.Run revoked = trawl("api-key", "revoke", "ci-runner");
		assertThat(revoked.exitCode()).isZero();
		assertThat(revoked.stdout()).contains("Revoked API key 'ci-runner'.");
		assertThat(trawl("api-key", "list", "--json").stdout()).doesNotContain("\"revoked\":null");
		assertThat(Files.readString(data.resolve("trawl.log"))).contains("action=\"api-key.create\"")
			.contains("action=\"api-key.revoke\"")
			.contains("name=\"ci-runner\"")
			.doesNotContain(key);
	}

	@Test
	void mistakesGetOneSentenceAndExit2() {
		assertThat(trawl("api-key", "create", "--role", "root", "--name", "x")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr().strip()).isEqualTo(
					"trawl: The role must be one of viewer, operator, admin, not 'root'.");
		});
		assertThat(trawl("api-key", "create", "--role", "viewer", "--name", "bad name/..")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).contains("The key name must be 1 to 64 letters, digits");
			assertThat(run.stderr().strip().lines()).hasSize(1);
		});
		assertThat(trawl("api-key", "create", "--role", "viewer", "--name", "dup").exitCode()).isZero();
		assertThat(trawl("api-key", "create", "--role", "viewer", "--name", "dup")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr().strip()).isEqualTo(
					"trawl: An API key named 'dup' already exists; choose another name.");
		});
		assertThat(trawl("api-key", "revoke", "nobody")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr().strip()).isEqualTo("trawl: There is no API key named 'nobody'.");
		});
		assertThat(trawl("api-key", "rotate")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr().strip()).isEqualTo("trawl: api-key needs create, list or revoke, not 'rotate'.");
		});
	}

	private CliRunner.Run trawl(String... args) {
		String[] all = java.util.Arrays.copyOf(args, args.length + 3);
		all[args.length] = "--trawl.data-dir=" + data;
		all[args.length + 1] = "--spring.datasource.url=jdbc:h2:file:" + data + "/trawl";
		all[args.length + 2] = "--trawl.rules=../config/rules";
		return CliRunner.run(Map.of(), all);
	}
}
