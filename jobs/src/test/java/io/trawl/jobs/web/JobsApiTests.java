package io.trawl.jobs.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * The REST API over a real server: launch, follow, stop and restart jobs, page and export their results; every
 * error is an RFC 9457 problem with one clear sentence; launches are bounded, validated and held to the allowed
 * sources.
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:api;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000",
				"trawl.data-dir=target/test-data",
				"trawl.rules=../config/rules", "trawl.sources.allowed=${java.io.tmpdir}",
				"trawl.analysis.extra-analyzers=io.trawl.jobs.web.GatedAnalyzer", "trawl.launch.max-running=2",
				"trawl.launch.retry-after=7s" })
class JobsApiTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	RescanLauncher launcher;

	@Autowired
	JobRepository repository;

	@Autowired
	JobOperator operator;

	@Autowired
	Job rescanJob;

	@Autowired
	ApiKeys keys;

	@TempDir
	Path corpus;

	/** An operator's key, under a fresh name: the principal that launches and stops here. */
	private String keyName;
	private String key;

	@BeforeEach
	void operatorKey() {
		keyName = "api-tests-" + System.nanoTime();
		key = keys.create(keyName, Role.OPERATOR).secret();
	}

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void aLaunchedJobCanBeFollowedAndItsSamplesRead() throws Exception {
		Files.write(corpus.resolve("eicar.com"), TestCorpus.eicar());
		Files.writeString(corpus.resolve("notes.txt"), "nothing to see");

		HttpResponse<String> launched = post("/api/jobs",
				"{\"source\":\"" + corpus + "\",\"requestId\":\"api-" + System.nanoTime() + "\"}");

		assertThat(launched.statusCode()).isEqualTo(202);
		long id = JSON.readTree(launched.body()).get("jobExecutionId").asLong();
		await().atMost(Duration.ofSeconds(60)).until(() -> "COMPLETED".equals(job(id).get("status").asString()));
		JsonNode job = job(id);
		assertThat(job.get("samples").asLong()).isEqualTo(2);
		assertThat(job.get("resultEvents").asLong()).isEqualTo(2);
		HttpResponse<String> sample = get("/api/samples/" + HashAnalyzer.sha256Hex(TestCorpus.eicar()));
		assertThat(sample.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(sample.body()).get("yara").toString()).contains("EICAR_Test_File");
		assertThat(JSON.readTree(get("/api/jobs").body()).size()).isPositive();
	}

	@Test
	void unknownJobsAndSamplesAre404AndBadRequestsSayWhy() throws Exception {
		assertThat(get("/api/jobs/987654").statusCode()).isEqualTo(404);
		assertThat(get("/api/samples/" + "0".repeat(64)).statusCode()).isEqualTo(404);

		HttpResponse<String> missing = post("/api/jobs", "{\"source\":\"/no/such/folder\"}");

		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(missing.body()).contains("/no/such/folder");
		assertProblem(get("/api/jobs/987654"), 404);
		assertProblem(get("/api/samples/" + "0".repeat(64)), 404);
	}

	@Test
	void aFailedJobShowsAOneLineReasonWithoutTheStackTrace() throws Exception {
		// given a job whose rules were deleted after the launch checked them: its analysis fails
		Files.writeString(corpus.resolve("a.txt"), "a");
		Path rules = Files.createDirectories(corpus.resolve("rules"));
		Files.writeString(rules.resolve("only.yar"), "rule only { condition: true }\n");
		JobParameters parameters = launcher.validate(new RescanLauncher.Request(corpus.toString(), rules.toString(),
				"failing-" + System.nanoTime(), null));
		Files.delete(rules.resolve("only.yar"));
		Files.delete(rules);

		JobExecution failed = operator.start(rescanJob, parameters);

		// then Spring Batch keeps the trace, and the API shows one line naming the problem
		assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
		JsonNode job = job(failed.getId());
		String reason = job.get("exitDescription").asString();
		assertThat(reason).isNotBlank().doesNotContain("\n", "\tat ", "java.", "Exception", "io.trawl");
		assertThat(reason).isEqualTo("The YARA rules path " + rules + " does not exist.");
		JsonNode stored = JSON.readTree(get("/api/jobs").body());
		assertThat(stored.toString()).doesNotContain("\tat ");
		// and a description stored by an older version, the raw trace, is cut down the same way
		JobParameters older = new JobParametersBuilder().addString("requestId", "old-" + System.nanoTime())
			.toJobParameters();
		JobExecution old = repository.createJobExecution(repository.createJobInstance("rescanJob", older), older,
				new ExecutionContext());
		old.setStartTime(LocalDateTime.now());
		old.setStatus(BatchStatus.FAILED);
		old.setEndTime(LocalDateTime.now());
		old.setExitStatus(ExitStatus.FAILED.addExitDescription(new IllegalStateException("Partition 2 failed")));
		repository.update(old);
		assertThat(job(old.getId()).get("exitDescription").asString()).isEqualTo("Partition 2 failed");
	}

	@Test
	void everyErrorIsAProblemDetailWithoutJavaInternals() throws Exception {
		assertProblem(get("/api/no-such-route"), 404);
		assertProblem(get("/api/jobs/not-a-number"), 400);
		assertProblem(asAdmin(() -> send("DELETE", "/api/jobs", null, "application/json")), 405); // operator: 403
		assertProblem(send("POST", "/api/jobs", "source=/tmp", "text/plain"), 415);
		assertProblem(post("/api/jobs", "{\"source\": oops"), 400);
		assertProblem(post("/api/jobs", "[1,2]"), 400);
		assertProblem(post("/api/jobs", "{}"), 400);
		assertProblem(post("/api/jobs/987654/stop", ""), 404);
		assertProblem(get("/api/jobs/987654/results"), 404);
		assertProblem(get("/api/jobs/987654/results.jsonl"), 404);
		assertProblem(get("/api/jobs/987654/results.csv"), 404);
		// errors the container answers before any controller, through its error page
		assertProblem(get("/api/jobs/a%2Fb"), 400);
		assertProblem(asAdmin(() -> get("/error")), 500); // a route no role is given needs admin
	}

	/** A request with an admin's key: routes without a rule of their own need admin. */
	private HttpResponse<String> asAdmin(java.util.concurrent.Callable<HttpResponse<String>> request) throws Exception {
		String operator = key;
		key = keys.create("api-tests-admin-" + System.nanoTime(), Role.ADMIN).secret();
		try {
			return request.call();
		}
		finally {
			key = operator;
		}
	}

	@Test
	void requestBodiesAreValidatedAndBounded() throws Exception {
		// a newline in the request id would forge a log line: refused, naming the field
		JsonNode newline = assertProblem(post("/api/jobs", "{\"source\":\"" + corpus + "\",\"requestId\":\"a\\nb\"}"),
				400);
		assertThat(newline.get("detail").asString()).contains("requestId");
		JsonNode tooLong = assertProblem(post("/api/jobs", "{\"source\":\"" + corpus + "\",\"requestId\":\""
				+ "x".repeat(10_000) + "\"}"), 400);
		assertThat(tooLong.get("detail").asString()).contains("requestId").doesNotContain("xxxxxxxxxx");
		JsonNode longSource = assertProblem(post("/api/jobs", "{\"source\":\"/" + "s".repeat(5000) + "\"}"), 400);
		assertThat(longSource.get("detail").asString()).contains("source");
		JsonNode misspelt = assertProblem(post("/api/jobs", "{\"source\":\"" + corpus + "\",\"rule\":\"x.yar\"}"), 400);
		assertThat(misspelt.get("detail").asString()).contains("unknown field rule");
		// bodies over 64 KB are refused before they are read, whether their length is declared or chunked
		HttpResponse<String> huge = post("/api/jobs", "{\"source\":\"/" + "s".repeat(25 * 1024 * 1024) + "\"}");
		assertProblem(huge, 413);
		assertThat(huge.body().length()).isLessThan(1000);
		assertProblem(post("/api/jobs", "{\"source\":\"" + corpus + "\",\"requestId\":\"" + "r".repeat(1 << 20)
				+ "\"}"), 413);
		byte[] chunked = ("{\"source\":\"" + "c".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
		HttpResponse<String> streamed = http.send(authorized(uri("/api/jobs"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(chunked)))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertProblem(streamed, 413);
		// the optional "full" flag is accepted and recorded
		HttpResponse<String> full = post("/api/jobs", "{\"source\":\"" + corpus + "\",\"full\":false}");
		assertThat(full.statusCode()).isEqualTo(202);
		awaitEnded(JSON.readTree(full.body()).get("jobExecutionId").asLong());
	}

	@Test
	void sourcesAndRulesOutsideTheAllowedLocationsAre400() throws Exception {
		Path link = Files.createSymbolicLink(corpus.resolve("etc-link"), Path.of("/etc"));
		for (String source : List.of("/etc", "/proc", "/root", "/root/no-such-thing", link.toString(),
				corpus + "/../../../etc", "s3://other-bucket/x", "file:///etc")) {
			JsonNode problem = assertProblem(post("/api/jobs", launch(source, null, null)), 400);
			assertThat(problem.get("detail").asString()).as(source).contains("trawl.sources.allowed")
				.doesNotContain("does not exist");
		}
		for (String rules : List.of("/proc", "/etc/passwd", link.toString())) {
			JsonNode problem = assertProblem(post("/api/jobs", launch(corpus.toString(), rules, null)), 400);
			assertThat(problem.get("detail").asString()).as(rules).contains("rules").contains("trawl.sources.allowed");
		}
		// rules inside an allowed root that are no YARA rules: one sentence, not a 500
		Path notRules = Files.writeString(corpus.resolve("not-rules.yar"), "this is not yara {");
		assertProblem(post("/api/jobs", launch(corpus.toString(), notRules.toString(), null)), 400);
		assertThat(JSON.readTree(get("/api/jobs?limit=1000").body()).valueStream()
			.filter(j -> j.path("source").asString("").contains("etc"))).isEmpty();
	}

	@Test
	void requestIdsAreTheCallersAndTheNightlyOnesAreReserved() throws Exception {
		Files.writeString(corpus.resolve("a.txt"), "a");
		Path other = Files.createDirectories(corpus.resolve("other"));
		Files.writeString(other.resolve("b.txt"), "b");
		String requestId = "mine-" + System.nanoTime();
		ListAppender<ILoggingEvent> audit = audit();

		HttpResponse<String> first = post("/api/jobs", launch(corpus.toString(), null, requestId));
		HttpResponse<String> again = post("/api/jobs", launch(corpus.toString(), null, requestId));
		HttpResponse<String> changed = post("/api/jobs", launch(other.toString(), null, requestId));
		HttpResponse<String> nightly = post("/api/jobs", launch(corpus.toString(), null, "nightly-2099-01-01"));

		assertThat(first.statusCode()).isEqualTo(202);
		long id = JSON.readTree(first.body()).get("jobExecutionId").asLong();
		assertThat(again.statusCode()).isEqualTo(202);
		assertThat(JSON.readTree(again.body()).get("jobExecutionId").asLong()).isEqualTo(id);
		assertThat(assertProblem(changed, 409).get("detail").asString()).contains(requestId)
			.contains("already used").contains("new requestId");
		assertThat(assertProblem(nightly, 400).get("detail").asString()).contains("reserved");
		JsonNode job = awaitEnded(id);
		assertThat(job.get("launchedBy").asString()).isEqualTo(keyName);
		assertThat(job.get("requestId").asString()).isEqualTo(requestId);
		// one audit line for the launch; the repeat started nothing and the refusals launched nothing
		assertThat(auditLines(audit, requestId)).containsExactly("action=\"launch\" principal=\"" + keyName + "\" "
				+ "via=\"rest\" "
				+ "requestId=\"" + requestId + "\" source=\"" + corpus.toRealPath() + "\" rules=\""
				+ job.get("rules").asString() + "\" jobExecutionId=\"" + id + "\"");

		// another caller's request id is its own: the same id names another job, not this one
		String mine = key;
		String theirName = "api-tests-other-" + System.nanoTime();
		key = keys.create(theirName, Role.OPERATOR).secret();
		try {
			HttpResponse<String> theirs = post("/api/jobs", launch(other.toString(), null, requestId));
			assertThat(theirs.statusCode()).isEqualTo(202);
			long theirId = JSON.readTree(theirs.body()).get("jobExecutionId").asLong();
			assertThat(theirId).isNotEqualTo(id);
			assertThat(awaitEnded(theirId).get("launchedBy").asString()).isEqualTo(theirName);
		}
		finally {
			key = mine;
		}
	}

	private static ListAppender<ILoggingEvent> audit() {
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		((Logger) LoggerFactory.getLogger("io.trawl.audit")).addAppender(appender);
		return appender;
	}

	private static List<String> auditLines(ListAppender<ILoggingEvent> appender, String containing) {
		return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing))
			.toList();
	}

	@Test
	void launchesPastTheLimitAre429WithRetryAfterAndLeaveNoExecution() throws Exception {
		Files.writeString(corpus.resolve("gate.bin"), GatedAnalyzer.MARKER + " hold me");
		Files.writeString(corpus.resolve("plain.txt"), "plain");
		String prefix = "burst-" + System.nanoTime() + "-";
		GatedAnalyzer.closed = true;
		List<HttpResponse<String>> responses;
		try {
			List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				sent.add(http.sendAsync(json("POST", "/api/jobs", launch(corpus.toString(), null, prefix + i)),
						HttpResponse.BodyHandlers.ofString()));
			}
			responses = sent.stream().map(CompletableFuture::join).toList();
			assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(202, 429);
			assertThat(responses.stream().filter(r -> r.statusCode() == 202)).hasSize(2);
			for (HttpResponse<String> refused : responses.stream().filter(r -> r.statusCode() == 429).toList()) {
				assertProblem(refused, 429);
				assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
			}
			// a refused launch left no execution behind
			assertThat(JSON.readTree(get("/api/jobs?limit=1000").body()).valueStream()
				.filter(j -> j.path("requestId").asString("").startsWith(prefix))).hasSize(2);
		}
		finally {
			GatedAnalyzer.closed = false;
		}
		for (HttpResponse<String> accepted : responses.stream().filter(r -> r.statusCode() == 202).toList()) {
			assertThat(awaitEnded(JSON.readTree(accepted.body()).get("jobExecutionId").asLong()).get("status")
				.asString()).isEqualTo("COMPLETED");
		}
	}

	@Test
	void aStoppedJobEndsStoppedAndARestartCompletesItWithEveryResultOnce() throws Exception {
		for (int i = 0; i < 60; i++) {
			Files.writeString(corpus.resolve("file-" + i + ".txt"), "sample number " + i);
		}
		Files.writeString(corpus.resolve("gate.bin"), GatedAnalyzer.MARKER + " stop while I am held");
		GatedAnalyzer.closed = true;
		long id;
		try {
			HttpResponse<String> launched = post("/api/jobs", launch(corpus.toString(), null, null));
			assertThat(launched.statusCode()).isEqualTo(202);
			id = JSON.readTree(launched.body()).get("jobExecutionId").asLong();
			await().atMost(Duration.ofSeconds(60)).until(() -> GatedAnalyzer.held.get() > 0);

			ListAppender<ILoggingEvent> audit = audit();
			HttpResponse<String> stopped = post("/api/jobs/" + id + "/stop", "");
			assertThat(auditLines(audit, "action=\"stop\"")).containsExactly(
					"action=\"stop\" principal=\"" + keyName + "\" "
					+ "jobExecutionId=\"" + id + "\"");

			assertThat(stopped.statusCode()).isEqualTo(202);
			assertProblem(post("/api/jobs/" + id + "/stop", ""), 409);
		}
		finally {
			GatedAnalyzer.closed = false;
		}
		JsonNode ended = awaitEnded(id);
		assertThat(ended.get("status").asString()).isEqualTo("STOPPED");
		assertProblem(post("/api/jobs/" + id + "/stop", ""), 409);

		long restarted = launcher.restart(id).getId();

		JsonNode done = awaitEnded(restarted);
		assertThat(done.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(done.get("samples").asLong()).isEqualTo(61);
		assertThat(done.get("resultEvents").asLong()).isEqualTo(61);
		List<String> lines = get("/api/jobs/" + restarted + "/results.jsonl").body().lines().toList();
		assertThat(lines).hasSize(61);
		assertThat(lines.stream().map(l -> JSON.readTree(l).get("sha256").asString()).distinct()).hasSize(61);
	}

	@Test
	void resultsPageWithACursorAndExportAsJsonlAndCsv() throws Exception {
		Files.write(corpus.resolve("eicar.com"), TestCorpus.eicar());
		for (int i = 0; i < 4; i++) {
			Files.writeString(corpus.resolve("note-" + i + ".txt"), "note " + i);
		}
		Files.writeString(corpus.resolve("=HYPERLINK(evil).txt"), "a name that is a formula");
		HttpResponse<String> launched = post("/api/jobs", launch(corpus.toString(), null, null));
		long id = JSON.readTree(launched.body()).get("jobExecutionId").asLong();
		assertThat(awaitEnded(id).get("status").asString()).isEqualTo("COMPLETED");

		List<String> keys = new ArrayList<>();
		String next = "/api/jobs/" + id + "/results?limit=2";
		int pages = 0;
		while (next != null) {
			HttpResponse<String> page = get(next);
			assertThat(page.statusCode()).isEqualTo(200);
			JsonNode rows = JSON.readTree(page.body());
			assertThat(rows.isArray()).isTrue();
			assertThat(rows.size()).isBetween(1, 2);
			rows.valueStream().forEach(r -> keys.add(r.get("sha256").asString()));
			pages++;
			next = page.headers().firstValue("Link").map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>')))
				.map(u -> URI.create(u).getRawPath() + "?" + URI.create(u).getRawQuery()).orElse(null);
			if (next != null) {
				assertThat(page.headers().firstValue("Link").orElseThrow()).endsWith("rel=\"next\"");
			}
		}
		assertThat(pages).isEqualTo(3);
		assertThat(keys).hasSize(6).doesNotHaveDuplicates().isSorted();
		JsonNode malicious = JSON.readTree(get("/api/jobs/" + id + "/results?verdict=malicious").body());
		assertThat(malicious.valueStream().map(r -> r.get("verdict").asString())).isNotEmpty()
			.containsOnly("malicious");
		String eicar = HashAnalyzer.sha256Hex(TestCorpus.eicar());
		JsonNode byPrefix = JSON.readTree(get("/api/jobs/" + id + "/results?sha256="
				+ eicar.substring(0, 6).toUpperCase())
			.body());
		assertThat(byPrefix.valueStream().map(r -> r.get("sha256").asString())).containsExactly(eicar);
		String rule = JSON.readTree(get("/api/jobs/" + id).body()).get("ruleHits").propertyNames().iterator().next();
		JsonNode byRule = JSON.readTree(get("/api/jobs/" + id + "/results?rule=" + URLEncoder.encode(rule,
				StandardCharsets.UTF_8)).body());
		assertThat(byRule.valueStream().map(r -> r.get("sha256").asString())).contains(eicar);
		assertProblem(get("/api/jobs/" + id + "/results?limit=0"), 400);
		assertProblem(get("/api/jobs/" + id + "/results?limit=1001"), 400);
		assertProblem(get("/api/jobs/" + id + "/results?sha256=xyz"), 400);
		assertProblem(get("/api/jobs/" + id + "/results?after=..%2F"), 400);

		List<String> jsonl = get("/api/jobs/" + id + "/results.jsonl").body().lines().toList();
		assertThat(jsonl).hasSize(6);
		assertThat(jsonl.stream().map(l -> JSON.readTree(l).get("sha256").asString()).toList()).isEqualTo(keys);
		HttpResponse<String> csv = get("/api/jobs/" + id + "/results.csv");
		assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
		List<List<String>> table = Csv.parse(csv.body());
		assertThat(table.get(0)).containsExactly("sample_key", "sha256", "verdict", "size", "mime_type", "entropy",
				"yara", "sources", "location", "analysed_at");
		assertThat(table).hasSize(7).allSatisfy(row -> assertThat(row).hasSize(10));
		assertThat(table.subList(1, 7)).extracting(row -> row.get(1)).isEqualTo(keys);
		assertThat(table).flatExtracting(row -> row)
			.noneMatch(cell -> !cell.isEmpty() && "=+-@".indexOf(cell.charAt(0)) >= 0);
		assertThat(table).flatExtracting(row -> row).anyMatch(cell -> cell.startsWith("'=HYPERLINK(evil).txt"));
	}

	private static String launch(String source, String rules, String requestId) {
		StringBuilder body = new StringBuilder("{\"source\":").append(quoted(source));
		if (rules != null) {
			body.append(",\"rules\":").append(quoted(rules));
		}
		if (requestId != null) {
			body.append(",\"requestId\":").append(quoted(requestId));
		}
		return body.append('}').toString();
	}

	private static String quoted(String text) {
		return JSON.writeValueAsString(text);
	}

	/** The body is an RFC 9457 problem with this status and a detail that names nothing inside the server. */
	static JsonNode assertProblem(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		JsonNode problem = JSON.readTree(response.body());
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("title").asString()).isNotBlank();
		assertThat(problem.path("detail").asString("")).isNotBlank();
		assertThat(response.body()).doesNotContain("Exception", "java.", "\tat ", "io.trawl", "trace",
				"springframework");
		return problem;
	}

	private JsonNode awaitEnded(long id) throws Exception {
		await().atMost(Duration.ofSeconds(90)).until(() -> {
			String status = job(id).get("status").asString();
			return !status.equals("STARTING") && !status.equals("STARTED") && !status.equals("STOPPING");
		});
		return job(id);
	}

	private JsonNode job(long id) throws Exception {
		return JSON.readTree(get("/api/jobs/" + id).body());
	}

	private HttpRequest.Builder authorized(URI uri) {
		return HttpRequest.newBuilder(uri).header("X-API-Key", key);
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(authorized(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return send("POST", path, body, "application/json");
	}

	private HttpRequest json(String method, String path, String body) {
		return authorized(uri(path)).header("Content-Type", "application/json")
			.method(method, HttpRequest.BodyPublishers.ofString(body)).build();
	}

	private HttpResponse<String> send(String method, String path, String body, String contentType) throws Exception {
		HttpRequest.Builder request = authorized(uri(path)).header("Content-Type", contentType)
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString(body));
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}
}
