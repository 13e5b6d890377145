package io.trawl.jobs.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;
import io.trawl.jobs.security.TestApiKeys;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.testcorpus.TestCorpus;

/** The REST API over a real server: launch, follow the job, read a sample's result; errors are clear. */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:api;DB_CLOSE_DELAY=-1", "trawl.data-dir=target/test-data",
				"trawl.rules=../config/rules" })
class JobsApiTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@TempDir
	Path corpus;

	@Autowired
	ApiKeys keys;

	private final HttpClient http = HttpClient.newHttpClient();
	private String key;

	@BeforeEach
	void operatorKey() {
		key = TestApiKeys.create(keys, Role.OPERATOR); // the API needs a key; an operator may launch
	}

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
	}

	private JsonNode job(long id) throws Exception {
		return JSON.readTree(get("/api/jobs/" + id).body());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("X-API-Key", key)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Content-Type", "application/json")
			.header("X-API-Key", key)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}
}
