package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code ./trawl} reads its command line: every mistake is a sentence and the command's usage, exit 2. */
class CommandLineTests {

	@TempDir
	Path data;

	@Test
	void anUnknownOptionIsAMistakeNotTheValueOfTheOptionBeforeIt() {
		// given an option rescan does not have, between two it has
		CliRunner.Run run = trawl("rescan", "--source", "D", "--fast", "--request-id", "X");

		// then nothing runs: one sentence naming it, and rescan's usage
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.stdout()).isEmpty();
		assertThat(run.stderr().lines().findFirst().orElseThrow()).isEqualTo(
				"trawl: rescan has no option --fast (a Spring setting is written --name.with.dots=value).");
		assertThat(run.stderr()).contains("Usage: trawl rescan").contains(" --source=DIR");
		assertThat(run.stderr()).doesNotContain("Exception").doesNotContain("Unknown option");
	}

	@Test
	void aLoneUnknownOptionIsNamedNotSaidToNeedAValue() {
		CliRunner.Run run = trawl("rescan", "--bogus");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.stderr()).startsWith("trawl: rescan has no option --bogus").doesNotContain("needs a value");
	}

	@Test
	void anUnknownOptionBesideAPositionalIsAMistakeToo() {
		assertThat(trawl("status", "7", "--bogus")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: status has no option --bogus").contains("Usage: trawl status");
		});
		assertThat(trawl("api-key", "create", "--role", "viewer", "--name", "x", "--bogus")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: api-key create has no option --bogus")
				.contains("Usage: trawl api-key create");
		});
		assertThat(trawl("stop", "1", "2")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: stop does not take the argument '2'.");
		});
	}

	@Test
	void aMissingValueIsNamed() {
		assertThat(trawl("rescan", "--source")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: rescan: --source needs a value.\n")
				.contains("Usage: trawl rescan");
		});
		// an option name is never taken as the value of the one before it
		assertThat(trawl("rescan", "--source", "--rules", "r.yar")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: rescan: --source needs a value.\n");
		});
		// and a required option that is absent is named before anything starts
		assertThat(trawl("rescan", "--rules", "r.yar")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: rescan needs --source.\n").contains("Usage: trawl rescan");
		});
		assertThat(trawl("results").stderr()).startsWith("trawl: results needs --job.\n");
		assertThat(trawl("stop")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: stop needs a JOB_EXECUTION_ID.\nUsage: trawl stop");
		});
		assertThat(trawl("api-key", "revoke").stderr()).startsWith("trawl: api-key revoke needs a NAME.\n");
	}

	@Test
	void eachCommandsHelpListsItsOptions() {
		CliRunner.Run rescan = trawl("rescan", "--help");
		assertThat(rescan.exitCode()).isZero();
		assertThat(rescan.stdout()).contains("Usage: trawl rescan").contains("--source=DIR").contains("--rules=PATH")
			.contains("--request-id=ID");
		assertThat(rescan.stderr()).isEmpty();

		assertThat(trawl("api-key", "create", "-h").stdout()).contains("--role=viewer|operator|admin")
			.contains("--name=NAME");
		assertThat(trawl("api-key", "--help").stdout()).contains("create").contains("list").contains("revoke");
		assertThat(trawl("results", "--help").stdout()).contains("--job=JOB_EXECUTION_ID").contains("--format");
	}

	@Test
	void theCommandListStaysTheAnswerToNoArgumentsAndToHelp() {
		assertThat(trawl()).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stdout()).startsWith("usage: trawl <command>");
		});
		assertThat(trawl("help").exitCode()).isZero();
		assertThat(trawl("--help").stdout()).contains("api-key create");
		assertThat(trawl("rescue")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: unknown command rescue\nusage: trawl <command>");
		});
	}

	@Test
	void aDottedSettingReachesSpringAndAnOptionMayBeWrittenWithAnEqualsSign() throws Exception {
		// given Spring settings beside the command's own options, one of them written --name=value
		CliRunner.Run run = trawl("status", "--json", "--limit=3", "--trawl.data-dir=" + data,
				"--spring.datasource.url=jdbc:h2:file:" + data + "/trawl", "--trawl.rules=../config/rules");

		// then the command runs on the database those settings name
		assertThat(run.exitCode()).as(run.stderr()).isZero();
		assertThat(run.stdout().strip()).isEqualTo("[]");
		assertThat(Files.exists(data.resolve("trawl.mv.db"))).isTrue();
	}

	@Test
	void theParsedArgumentsAreWhatTheCommandsRead() {
		Arguments rescan = Arguments.parse(new String[] { "rescan", "--source=D", "--rules", "r.yar",
				"--trawl.analysis.chunk-size=5" });
		assertThat(rescan.options()).containsEntry("--source", "D").containsEntry("--rules", "r.yar");
		assertThat(rescan.springArguments()).containsExactly("--trawl.analysis.chunk-size=5");

		Arguments revoke = Arguments.parse(new String[] { "api-key", "revoke", "ci" });
		assertThat(revoke.positionals()).containsExactly("revoke", "ci");

		Arguments list = Arguments.parse(new String[] { "api-key", "list", "--json" });
		assertThat(list.positionals()).containsExactly("list");
		assertThat(list.flag("--json")).isTrue();
	}

	@Test
	void diffTakesTwoJobIdsInOrderAndRulesAFlag() {
		assertThat(Arguments.parse(new String[] { "diff", "3", "7", "--format", "table" })).satisfies(diff -> {
			assertThat(DiffCommand.base(diff)).isEqualTo(3);
			assertThat(DiffCommand.job(diff)).isEqualTo(7);
			assertThat(diff.tableFormat()).isTrue();
		});
		assertThat(Arguments.parse(new String[] { "rules", "--json" }).flag("--json")).isTrue();
		assertThat(trawl("diff", "3")).satisfies(run -> {
			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.stderr()).startsWith("trawl: diff needs a JOB_ID.\nUsage: trawl diff");
		});
		assertThat(trawl("diff", "3", "7", "9").stderr()).startsWith("trawl: diff does not take the argument '9'.");
		assertThat(trawl("rules", "--table").stderr()).startsWith("trawl: rules has no option --table");
		assertThat(trawl("diff", "--help").stdout()).contains("BASE_JOB_ID").contains("JOB_ID").contains("--format");
		assertThat(trawl("--help").stdout()).contains("diff BASE_JOB_ID JOB_ID").contains("rules [--json]");
	}

	private static CliRunner.Run trawl(String... args) {
		return CliRunner.run(Map.of(), args);
	}
}
