package io.trawl.jobs.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.cli.CliRunner;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;
import io.trawl.jobs.security.TestApiKeys;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.worker.analysis.hash.HashAnalyzer;

/**
 * "What changed" end to end: two real rescans of one folder, between which files are added, removed, modified and
 * renamed and the rules are added, changed and removed; then the summary's diff, {@code ./trawl diff} in both formats
 * (in this process's store and through the service), the REST route and the per-rule history.
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=" + WhatChangedFunctionalTests.DATABASE,
				"trawl.data-dir=target/test-data-diff", "trawl.rules=../config/rules",
				"trawl.sources.allowed=${java.io.tmpdir}", "trawl.rules.noisy-share=0.25" })
class WhatChangedFunctionalTests {

	static final String DATABASE = "jdbc:h2:mem:what-changed;DB_CLOSE_DELAY=-1";
	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String RULES_BEFORE = """
			rule Alpha { strings: $a = "alpha" condition: $a }
			rule Beta { strings: $a = "beta" condition: $a }
			rule Gamma { strings: $a = "gamma" condition: $a }
			""";
	// Alpha only becomes less severe, Beta is narrowed, Gamma removed, Delta added
	private static final String RULES_AFTER = """
			rule Alpha { meta: severity = "low" strings: $a = "alpha" condition: $a }
			rule Beta { strings: $a = "beta-two" condition: $a }
			rule Delta { strings: $a = "delta" condition: $a }
			""";

	@TempDir
	Path workspace;
	@LocalServerPort
	int port;
	@Autowired
	RescanLauncher launcher;
	@Autowired
	JobStatusService status;
	@Autowired
	ApiKeys keys;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void twoRescansOfOneSourceSayExactlyWhatChanged() throws Exception {
		// given a first rescan
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		write(corpus, "keep.txt", "plain text, nothing to see");
		write(corpus, "alpha.txt", "alpha");
		write(corpus, "beta.txt", "beta only");
		write(corpus, "gamma.txt", "gamma and delta");
		write(corpus, "gone.txt", "alpha, then gone");
		write(corpus, "modified.txt", "version one");
		write(corpus, "old-name.txt", "renamed content");
		long first = rescan(corpus, rules("before.yar", RULES_BEFORE));
		// and a second one after the files and the rules changed
		Files.delete(corpus.resolve("gone.txt"));
		write(corpus, "modified.txt", "version two, beta-two");
		write(corpus, "added.txt", "a new delta file");
		Files.move(corpus.resolve("old-name.txt"), corpus.resolve("new-name.txt"));
		long second = rescan(corpus, rules("after.yar", RULES_AFTER));

		// when the second job's status is read, then its summary carries its diff against the first
		JobStatus job = status.get(second).orElseThrow();
		DiffCounts expected = new DiffCounts(first, status.get(first).orElseThrow().jobInstanceId(), 2, 2, 3, 2);
		assertThat(job.diff()).isEqualTo(expected);
		assertThat(status.get(first).orElseThrow().diff()).as("a source's first job has nothing to compare with")
			.isNull();

		// and the REST route lists exactly the changed samples with the rules gained and lost, counts first
		String viewer = TestApiKeys.create(keys, Role.VIEWER);
		HttpResponse<String> answer = get("/api/jobs/" + second + "/diff?base=" + first, viewer);
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(answer.body()).startsWith("{\"counts\":");
		JsonNode page = JSON.readTree(answer.body());
		assertThat(JSON.treeToValue(page.get("counts"), DiffCounts.class)).isEqualTo(expected);
		assertThat(page.get("next").isNull()).isTrue();
		List<String> changes = new ArrayList<>();
		page.get("changes").forEach(change -> changes.add(describe(change)));
		assertThat(changes).containsExactlyInAnyOrder(
				"new " + sha("version two, beta-two") + " [modified.txt] null>malicious +[Beta] -[]",
				"new " + sha("a new delta file") + " [added.txt] null>malicious +[Delta] -[]",
				"gone " + sha("alpha, then gone") + " [gone.txt] malicious>null +[] -[Alpha]",
				"gone " + sha("version one") + " [modified.txt] clean>null +[] -[]",
				"changed " + sha("alpha") + " [alpha.txt] malicious>suspicious +[] -[]",
				"changed " + sha("beta only") + " [beta.txt] malicious>clean +[] -[Beta]",
				"changed " + sha("gamma and delta") + " [gamma.txt] malicious>malicious +[Delta] -[Gamma]");
		// a page at a time, by the cursor the page gives
		List<String> paged = new ArrayList<>();
		String path = "/api/jobs/" + second + "/diff?limit=3&base=" + first;
		for (JsonNode next = JSON.readTree(get(path, viewer).body());; next = JSON.readTree(get(path + "&after="
				+ next.get("next").asString(), viewer).body())) {
			assertThat(next.get("changes").size()).isLessThanOrEqualTo(3);
			next.get("changes").forEach(change -> paged.add(describe(change)));
			if (next.get("next").isNull()) {
				break;
			}
		}
		assertThat(paged).isEqualTo(changes);
		// only for a caller with credentials, and with a base that is a job
		assertThat(get("/api/jobs/" + second + "/diff?base=" + first, null).statusCode()).isEqualTo(401);
		assertProblem(get("/api/jobs/" + second + "/diff", viewer), 400, "?base=ID");
		assertProblem(get("/api/jobs/" + second + "/diff?base=x1", viewer), 400, "?base=ID");
		assertProblem(get("/api/jobs/" + second + "/diff?base=987654321", viewer), 404, "987654321");
		// a page size or a cursor a page never gave is refused, not read
		assertProblem(get("/api/jobs/" + second + "/diff?base=" + first + "&limit=0", viewer), 400, "limit");
		assertProblem(get("/api/jobs/" + second + "/diff?base=" + first + "&limit=100000", viewer), 400, "limit");
		assertProblem(get("/api/jobs/" + second + "/diff?base=" + first + "&after=..%2F..%2Fetc%27%20OR%201%3D1", viewer),
				400, "cursor");

		// and ./trawl diff prints the same, in this process's store and through the service
		String[] local = { "--spring.datasource.url=" + DATABASE, "--trawl.data-dir=target/test-data-diff",
				"--trawl.rules.noisy-share=0.25" };
		Map<String, String> remote = Map.of("TRAWL_URL", "http://127.0.0.1:" + port, "TRAWL_API_KEY", viewer);
		CliRunner.Run jsonl = trawl(Map.of(), "diff", first, second, local);
		assertThat(jsonl.exitCode()).as(jsonl.stderr()).isZero();
		List<String> lines = jsonl.stdout().lines().toList();
		assertThat(JSON.readValue(lines.get(0), DiffCounts.class)).isEqualTo(expected);
		assertThat(lines.subList(1, lines.size()).stream().map(line -> describe(JSON.readTree(line))))
			.containsExactlyElementsOf(changes);
		assertThat(trawl(remote, "diff", first, second).stdout()).isEqualTo(jsonl.stdout());
		CliRunner.Run table = trawl(remote, "diff", first, second, "--format", "table");
		assertThat(table.exitCode()).as(table.stderr()).isZero();
		List<String> rows = table.stdout().lines().toList();
		assertThat(rows.get(0)).isEqualTo("2 new, 2 gone, 3 changed, 2 unchanged since job execution " + first);
		assertThat(rows.get(1)).startsWith("CHANGE").contains("GAINED").contains("LOST").contains("LOCATION");
		assertThat(rows.subList(2, rows.size())).hasSize(7)
			.anySatisfy(row -> assertThat(row).startsWith("changed  " + sha("gamma and delta").substring(0, 16))
				.contains("Delta").contains("Gamma").endsWith("gamma.txt"));
		assertThat(trawl(Map.of(), "diff", first, second, "--format", "table", local[0], local[1]).stdout())
			.isEqualTo(table.stdout());
		CliRunner.Run unknown = trawl(remote, "diff", first, 987654321L);
		assertThat(unknown.exitCode()).isEqualTo(2);
		assertThat(unknown.stderr()).isEqualTo("trawl: There is no job execution 987654321. List the jobs with: "
				+ "trawl status\n");
		assertThat(trawl(Map.of(), "status", second, local).stdout())
			.contains("diff     2 new, 2 gone, 3 changed, 2 unchanged since job execution " + first);

		// and each rule's history: first and last job, hits in the latest job, noisy above a quarter of a job
		long one = status.get(first).orElseThrow().jobInstanceId();
		long two = job.jobInstanceId();
		JsonNode rules = JSON.readTree(get("/api/rules", viewer).body());
		assertThat(get("/api/rules", null).statusCode()).isEqualTo(401);
		assertThat(rules.toString()).isEqualTo(JSON.readTree(trawl(Map.of(), "rules", "--json", local[0], local[1],
				local[2]).stdout()).toString());
		assertThat(rule(rules, "Alpha")).isEqualTo(row(1, two, one, two, false));
		assertThat(rule(rules, "Beta")).isEqualTo(row(1, two, one, two, false));
		assertThat(rule(rules, "Gamma")).isEqualTo(row(0, two, one, one, false));
		assertThat(rule(rules, "Delta")).isEqualTo(row(2, two, two, two, true)); // 2 of 7 samples
		assertThat(rules.get(0).get("jobs").toString()).isEqualTo("[{\"job\":" + one + ",\"hits\":2,\"samples\":7,"
				+ "\"noisy\":true},{\"job\":" + two + ",\"hits\":1,\"samples\":7,\"noisy\":false}]");
		CliRunner.Run rulesTable = trawl(remote, "rules");
		assertThat(rulesTable.stdout().lines().findFirst().orElseThrow()).startsWith("RULE").contains("HITS")
			.contains("FIRST").contains("LAST").endsWith("NOISY");
		assertThat(rulesTable.stdout()).containsPattern("(?m)^Delta +2 +" + two + " +" + two + "  noisy$")
			.containsPattern("(?m)^Gamma +0 +" + one + " +" + one + "  $");
	}

	private long rescan(Path corpus, Path rules) throws Exception {
		JobExecution execution = launcher.run(new RescanLauncher.Request(corpus.toString(), rules.toString(),
				"diff-" + System.nanoTime(), null));
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		return execution.getId();
	}

	private Path rules(String name, String text) throws Exception {
		return Files.writeString(workspace.resolve(name), text);
	}

	private static void write(Path corpus, String name, String text) throws Exception {
		Files.writeString(corpus.resolve(name), text);
	}

	private static String sha(String text) {
		return HashAnalyzer.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
	}

	/** One change as a line: change, sha256, file names, verdicts before and after, rules gained and lost. */
	private static String describe(JsonNode change) {
		List<String> names = new ArrayList<>();
		change.get("locations").forEach(location -> names.add(Path.of(location.asString()).getFileName().toString()));
		return change.get("change").asString() + " " + change.get("sha256").asString() + " " + names + " "
				+ change.get("verdictBefore").asString("null") + ">" + change.get("verdict").asString("null") + " +"
				+ change.get("rulesGained").valueStream().map(JsonNode::asString).toList() + " -"
				+ change.get("rulesLost").valueStream().map(JsonNode::asString).toList();
	}

	private static String rule(JsonNode rules, String name) {
		for (JsonNode rule : rules) {
			if (rule.get("rule").asString().equals(name)) {
				return row(rule.get("hits").asLong(), rule.get("latestJob").asLong(), rule.get("firstJob").asLong(),
						rule.get("lastJob").asLong(), rule.get("noisy").asBoolean());
			}
		}
		return "absent";
	}

	private static String row(long hits, long latest, long first, long last, boolean noisy) {
		return "hits " + hits + " in " + latest + ", first " + first + ", last " + last + (noisy ? ", noisy" : "");
	}

	private static CliRunner.Run trawl(Map<String, String> env, String command, Object... args) {
		List<String> all = new ArrayList<>(List.of(command));
		for (Object arg : args) {
			if (arg instanceof String[] many) {
				all.addAll(List.of(many));
			}
			else {
				all.add(arg.toString());
			}
		}
		return CliRunner.run(env, all.toArray(String[]::new));
	}

	private HttpResponse<String> get(String path, String key) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (key != null) {
			request.header("X-API-Key", key);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static void assertProblem(HttpResponse<String> response, int status, String detail) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode problem = JSON.readTree(response.body());
		assertThat(problem.get("detail").asString()).contains(detail).doesNotContain("Exception")
			.doesNotContain("\n");
	}
}
