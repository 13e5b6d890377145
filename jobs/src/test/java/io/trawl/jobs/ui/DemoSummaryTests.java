package io.trawl.jobs.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.cli.CliRunner;

/**
 * {@code trawl demo} ends with a summary for a person on stderr (verdicts, top rule hits, the next two commands),
 * and the JSON summary is still the last line of stdout.
 */
class DemoSummaryTests {

	@TempDir
	Path folder;

	@Test
	void theDemoEndsWithAHumanSummaryAndKeepsItsJsonLineLast() {
		CliRunner.Run run = CliRunner.run(Map.of(), "demo", "--dir", folder.resolve("corpus").toString(),
				"--trawl.data-dir=" + folder.resolve("data"), "--trawl.rules=../config/rules",
				"--spring.datasource.url=jdbc:h2:mem:demo-summary;DB_CLOSE_DELAY=-1");

		assertThat(run.exitCode()).as(run.stderr()).isZero();
		JsonNode summary = JsonMapper.builder().build().readTree(run.lastLine());
		long job = summary.get("jobExecutionId").asLong();
		long malicious = summary.get("verdicts").get("malicious").asLong();
		long eicarHits = summary.get("ruleHits").get("EICAR_Test_File").asLong();
		assertThat(malicious).isPositive();

		String human = run.stderr().substring(run.stderr().lastIndexOf("\nJob " + job + " COMPLETED: ") + 1);
		assertThat(human).startsWith("Job " + job + " COMPLETED: " + summary.get("samples").asLong() + " samples, ")
			.contains(malicious + " malicious")
			.contains("Top rule hits:\n")
			.containsPattern("\n +" + eicarHits + "  EICAR_Test_File\n")
			.contains("  ./trawl results --job " + job + " --format table\n")
			.contains("  ./trawl serve     then open http://127.0.0.1:8080/ui/jobs");
		assertThat(human.strip().lines().count()).isLessThanOrEqualTo(12);
	}

	/**
	 * {@code trawl demo --nights 3}: a full night, a night with one rule added (it hits exactly the distinct contents
	 * that start as a Windows executable does, every other rule's hits stay, no verdict changes), and a night with
	 * nothing changed (the same hits, a diff of nothing changed); each night's JSON summary is a stdout line.
	 */
	@Test
	void threeNightsAddARuleThenChangeNothing() throws Exception {
		Path corpus = folder.resolve("corpus");
		CliRunner.Run run = CliRunner.run(Map.of(), "demo", "--nights", "3", "--dir", corpus.toString(),
				"--trawl.data-dir=" + folder.resolve("data"), "--trawl.rules=../config/rules",
				"--spring.datasource.url=jdbc:h2:mem:demo-nights;DB_CLOSE_DELAY=-1");

		assertThat(run.exitCode()).as(run.stderr()).isZero();
		JsonMapper json = JsonMapper.builder().build();
		List<JsonNode> nights = run.stdout().lines().filter(line -> line.startsWith("{")).map(json::readTree).toList();
		assertThat(nights).hasSize(3);
		assertThat(run.stderr()).contains("Night 2 of 3: one rule added").contains("Night 3 of 3: nothing changed");

		Map<String, Object> first = json.convertValue(nights.get(0).get("ruleHits"), Map.class);
		Map<String, Object> second = json.convertValue(nights.get(1).get("ruleHits"), Map.class);
		Map<String, Object> third = json.convertValue(nights.get(2).get("ruleHits"), Map.class);
		assertThat(first).doesNotContainKey("Trawl_Demo_Added_Rule");
		assertThat(second).containsEntry("Trawl_Demo_Added_Rule", executables(corpus));
		assertThat(second).containsAllEntriesOf(first).hasSize(first.size() + 1);
		assertThat(third).isEqualTo(second);
		// the added rule scores nothing: no verdict changes, only the executables' hits
		assertThat(nights.get(1).get("verdicts")).isEqualTo(nights.get(0).get("verdicts"));
		assertThat(nights.get(1).get("diff").get("changed").asLong()).isEqualTo(executables(corpus));
		assertThat(nights.get(2).get("diff").get("changed").asLong()).isZero();
		long nightTwo = nights.get(1).get("jobExecutionId").asLong();
		assertThat(run.stderr()).contains("Since job " + nightTwo + ": 0 new, 0 gone, 0 changed, "
				+ nights.get(2).get("samples").asLong() + " unchanged (./trawl diff " + nightTwo + " "
				+ nights.get(2).get("jobExecutionId").asLong() + ").");
		assertThat(run.stderr().split("\nNext:\n", -1)).as("the next commands, after the last night only").hasSize(2);
		assertThat(nights.get(2).get("samples").asLong()).isEqualTo(nights.get(0).get("samples").asLong());
	}

	@Test
	void nightsOutOfRangeAreRefusedInOneSentence() {
		CliRunner.Run run = CliRunner.run(Map.of(), "demo", "--nights", "0", "--dir", folder.resolve("c").toString(),
				"--trawl.data-dir=" + folder.resolve("data"),
				"--spring.datasource.url=jdbc:h2:mem:demo-nights-0;DB_CLOSE_DELAY=-1");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.stderr()).contains("--nights takes a number of nights from 1 to 10, not 0.")
			.doesNotContain("Exception");
	}

	/** The distinct contents of the corpus's files that begin with "MZ". */
	private static int executables(Path corpus) throws IOException {
		Set<String> contents = new HashSet<>();
		try (Stream<Path> files = Files.walk(corpus)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				byte[] bytes = Files.readAllBytes(file);
				if (bytes.length >= 2 && bytes[0] == 'M' && bytes[1] == 'Z') {
					contents.add(sha256(bytes));
				}
			}
		}
		return contents.size();
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
