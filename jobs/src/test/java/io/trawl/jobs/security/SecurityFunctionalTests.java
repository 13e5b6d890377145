package io.trawl.jobs.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.cli.CliRunner;
import io.trawl.jobs.status.JobStatusService;

/**
 * The service as an attacker and each role meet it, over a real server: every route Spring MVC maps (so routes added
 * later are covered too), the actuator and OpenAPI paths; keys, the role hierarchy, revocation, the bootstrap admin
 * key file, metrics, and the CLI as a client of the service. Every refusal is a problem detail.
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:security;DB_CLOSE_DELAY=-1", "trawl.rules=../config/rules",
				"trawl.sources.allowed=${java.io.tmpdir}" })
class SecurityFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	/** A data folder that does not exist yet: the bootstrap creates it. */
	private static final Path DATA = Path.of(System.getProperty("java.io.tmpdir"),
			"trawl-security-" + UUID.randomUUID());

	private static final List<String> OPEN = List.of("/actuator/health", "/actuator/health/liveness",
			"/actuator/health/readiness");
	private static final List<String> MORE_PATHS = List.of("/actuator", "/actuator/info", "/actuator/metrics",
			"/actuator/metrics/trawl.samples", "/actuator/prometheus", "/actuator/env", "/actuator/health/db",
			"/v3/api-docs", "/v3/api-docs/swagger-config", "/swagger-ui.html", "/swagger-ui/index.html", "/",
			"/no/such/page", "/api", "/api/nothing-here", "/error");

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("trawl.data-dir", DATA::toString);
	}

	@AfterAll
	static void removeDataDir() throws Exception {
		FileSystemUtils.deleteRecursively(DATA);
	}

	@LocalServerPort
	int port;

	@Autowired
	ApiKeys keys;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping mvc;

	@Autowired
	JobStatusService jobs;

	@Autowired
	ObjectProvider<MeterRegistry> meterRegistries;

	@TempDir
	Path corpus;

	private final HttpClient http = HttpClient.newHttpClient();

	record Route(String method, String path) {
	}

	@Test
	void everyRouteWithoutCredentialsOrWithABadOrRevokedKeyIs401() throws Exception {
		String revoked = TestApiKeys.create(keys, Role.ADMIN);
		keys.revoke(keys.list().get(keys.list().size() - 1).name());
		assertThat(keys.authenticate(revoked)).isEmpty();
		List<Route> routes = routes();
		assertThat(routes).contains(new Route("GET", "/api/jobs"), new Route("POST", "/api/jobs"),
				new Route("GET", "/api/keys"), new Route("POST", "/api/keys"), new Route("DELETE", "/api/keys/nobody"));
		for (String path : MORE_PATHS) {
			routes.add(new Route("GET", path));
		}
		routes.add(new Route("POST", "/api/jobs/1/stop"));

		for (Route route : routes) {
			assertProblem(route, call(route, null), 401);
			assertProblem(route, call(route, "trawl_" + "A".repeat(43)), 401);
			assertProblem(route, call(route, revoked), 401);
		}
		HttpResponse<String> anonymous = call(new Route("GET", "/api/jobs"), null);
		assertThat(JSON.readTree(anonymous.body()).get("detail").asString())
			.isEqualTo("This request needs credentials: an API key in the X-API-Key header.");
		assertThat(anonymous.headers().allValues("WWW-Authenticate"))
			.contains("ApiKey realm=\"trawl\", header=\"X-API-Key\"");
		assertThat(JSON.readTree(call(new Route("GET", "/api/jobs"), revoked).body()).get("detail").asString())
			.isEqualTo("The API key in the X-API-Key header is unknown or has been revoked; ask an admin for a valid"
					+ " key.");
	}

	@Test
	void aRoleTooLowFor403AndTheHierarchyLetsHigherRolesDoWhatLowerOnesMay() throws Exception {
		String viewer = TestApiKeys.create(keys, Role.VIEWER);
		String operator = TestApiKeys.create(keys, Role.OPERATOR);
		String admin = TestApiKeys.create(keys, Role.ADMIN);
		List<Route> routes = routes();
		routes.add(new Route("POST", "/api/jobs/1/stop"));
		int writes = 0;
		for (Route route : routes) {
			if (!route.method().equals("GET")) {
				assertProblem(route, call(route, viewer), 403);
				writes++;
			}
			if (route.path().startsWith("/api/keys")) {
				assertProblem(route, call(route, operator), 403);
			}
		}
		assertThat(writes).isGreaterThanOrEqualTo(4);
		HttpResponse<String> denied = call(new Route("POST", "/api/jobs"), viewer);
		assertThat(JSON.readTree(denied.body()).get("detail").asString())
			.isEqualTo("This request needs the operator role; the caller has the viewer role.");
		assertThat(denied.headers().allValues("WWW-Authenticate")).isNotEmpty();

		for (String key : List.of(viewer, operator, admin)) {
			assertThat(call(new Route("GET", "/api/jobs"), key).statusCode()).isEqualTo(200);
		}
		assertThat(call(new Route("GET", "/api/keys"), admin).statusCode()).isEqualTo(200);
		for (String path : List.of("/v3/api-docs", "/actuator/info", "/actuator/metrics")) {
			assertThat(call(new Route("GET", path), viewer).statusCode()).as(path).isEqualTo(200);
		}
		assertThat(call(new Route("GET", "/v3/api-docs"), viewer).body()).contains("/api/jobs").contains("/api/keys");
	}

	@Test
	void healthIsOpenToTheLoadBalancerWithoutDetails() throws Exception {
		for (String path : OPEN) {
			HttpResponse<String> anonymous = call(new Route("GET", path), null);
			assertThat(anonymous.statusCode()).as(path).isEqualTo(200);
			assertThat(JSON.readTree(anonymous.body()).get("status").asString()).isEqualTo("UP");
			assertThat(anonymous.body()).doesNotContain("components").doesNotContain("details");
		}
		String viewer = TestApiKeys.create(keys, Role.VIEWER);
		assertThat(call(new Route("GET", "/actuator/health"), viewer).body()).contains("components").contains("db");
	}

	@Test
	void adminsManageKeysOverRestAndARevokedKeyIsRefusedAtOnce() throws Exception {
		String admin = TestApiKeys.create(keys, Role.ADMIN);
		Logger audit = (Logger) LoggerFactory.getLogger("io.trawl.audit");
		ListAppender<ILoggingEvent> lines = new ListAppender<>();
		lines.start();
		audit.addAppender(lines);

		HttpResponse<String> created = call(new Route("POST", "/api/keys"), admin,
				"{\"name\":\"rest-made\",\"role\":\"viewer\"}");

		assertThat(created.statusCode()).isEqualTo(201);
		String key = JSON.readTree(created.body()).get("key").asString();
		assertThat(call(new Route("GET", "/api/jobs"), key).statusCode()).isEqualTo(200);
		String listed = call(new Route("GET", "/api/keys"), admin).body();
		assertThat(listed).contains("rest-made").doesNotContain(key).doesNotContain(JdbcApiKeys.hash(key));
		assertProblem(new Route("POST", "/api/keys"),
				call(new Route("POST", "/api/keys"), admin, "{\"name\":\"rest-made\",\"role\":\"viewer\"}"), 409);
		assertProblem(new Route("POST", "/api/keys"),
				call(new Route("POST", "/api/keys"), admin, "{\"name\":\"a b\",\"role\":\"viewer\"}"), 400);
		assertProblem(new Route("POST", "/api/keys"),
				call(new Route("POST", "/api/keys"), admin, "{\"name\":\"ok\",\"role\":\"root\"}"), 400);
		assertProblem(new Route("POST", "/api/keys"), call(new Route("POST", "/api/keys"), admin, "not json"), 400);

		assertThat(call(new Route("DELETE", "/api/keys/rest-made"), admin).statusCode()).isEqualTo(204);
		String adminName = keys.authenticate(admin).orElseThrow().name(); // the principal is the key's name
		audit.detachAppender(lines);
		assertThat(String.join("\n", lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList()))
			.contains("action=\"api-key.create\" principal=\"" + adminName + "\" name=\"rest-made\" role=\"viewer\"")
			.contains("action=\"api-key.revoke\" principal=\"" + adminName + "\" name=\"rest-made\"")
			.doesNotContain(key);

		assertProblem(new Route("GET", "/api/jobs"), call(new Route("GET", "/api/jobs"), key), 401);
		assertProblem(new Route("DELETE", "/api/keys/never-made"),
				call(new Route("DELETE", "/api/keys/never-made"), admin), 404);
	}

	@Test
	void theServiceListensOnLoopbackOnly() throws Exception {
		InetAddress outside = null;
		for (NetworkInterface network : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
			for (InetAddress address : java.util.Collections.list(network.getInetAddresses())) {
				if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
					outside = address;
				}
			}
		}
		assumeTrue(outside != null, "this machine has no address besides loopback");

		try (Socket socket = new Socket()) {
			InetSocketAddress target = new InetSocketAddress(outside, port);
			assertThatThrownBy(() -> socket.connect(target, 2_000)).isInstanceOf(java.io.IOException.class);
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
			assertThat(socket.isConnected()).isTrue();
		}
	}

	@Test
	void theFirstStartWroteAnAdminKeyReadableOnlyByItsOwner() throws Exception {
		Path file = DATA.resolve("admin.key");

		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DATA))).isEqualTo("rwx------");
		String key = Files.readString(file).strip();
		assertThat(keys.authenticate(key)).hasValueSatisfying(k -> {
			assertThat(k.name()).isEqualTo("local-admin");
			assertThat(k.role()).isEqualTo(Role.ADMIN);
		});
		assertThat(call(new Route("GET", "/api/keys"), key).statusCode()).isEqualTo(200);
		// a second start with the file present changes nothing
		long before = keys.list().size();
		assertThat(AdminKeyFile.bootstrap(keys, DATA, System.err)).isEmpty();
		assertThat(keys.list()).hasSize((int) before);
		assertThat(Files.readString(file).strip()).isEqualTo(key);
	}

	@Test
	void metricsCountSamplesAndJobsAndTheCliTalksToTheServiceLikeTheLocalCommands() throws Exception {
		Files.writeString(corpus.resolve("a.txt"), "one");
		Files.writeString(corpus.resolve("b.txt"), "two");
		String operator = TestApiKeys.create(keys, Role.OPERATOR);
		String viewer = TestApiKeys.create(keys, Role.VIEWER);
		double samplesBefore = counter("trawl.samples", viewer);

		HttpResponse<String> launched = call(new Route("POST", "/api/jobs"), operator,
				"{\"source\":\"" + corpus + "\",\"requestId\":\"sec-" + System.nanoTime() + "\"}");

		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(202);
		long id = JSON.readTree(launched.body()).get("jobExecutionId").asLong();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> "COMPLETED".equals(jobs.get(id).map(s -> s.status()).orElse("")));
		assertThat(counter("trawl.samples", viewer) - samplesBefore).isEqualTo(2.0);
		assertThat(counter("spring.batch.job", viewer)).isGreaterThanOrEqualTo(1.0);
		assertThat(counter("spring.batch.chunk.write", viewer)).isGreaterThanOrEqualTo(1.0);
		assertThat(call(new Route("GET", "/actuator/metrics/spring.batch.item.process"), viewer).statusCode())
			.as("no per-item timers").isEqualTo(404);
		assertThat(call(new Route("GET", "/actuator/prometheus"), viewer).body()).contains("trawl_samples_total")
			.contains("trawl_sample_errors_total")
			.contains("trawl_jobs_failed_total")
			.contains("trawl_worker_errors_total");
		assertThat(meterRegistries.stream()).as("the embedded default publishes nothing to CloudWatch")
			.noneMatch(CloudWatchMeterRegistry.class::isInstance);

		Map<String, String> env = Map.of("TRAWL_URL", "http://127.0.0.1:" + port, "TRAWL_API_KEY", viewer);
		CliRunner.Run status = CliRunner.run(env, "status", String.valueOf(id), "--json");
		assertThat(status.exitCode()).as(status.stderr()).isZero();
		assertThat(status.stdout().strip()).isEqualTo(JSON.writeValueAsString(jobs.get(id).orElseThrow()));
		CliRunner.Run list = CliRunner.run(env, "status", "--json");
		assertThat(JSON.readTree(list.stdout()).get(0).get("jobExecutionId").asLong()).isEqualTo(id);
		CliRunner.Run results = CliRunner.run(env, "results", "--job", String.valueOf(id));
		assertThat(results.exitCode()).isZero();
		assertThat(results.stdout().strip().lines().map(line -> JSON.readTree(line).get("sha256").asString()))
			.hasSize(2)
			.allMatch(sha -> sha.matches("[0-9a-f]{64}"));

		CliRunner.Run missing = CliRunner.run(env, "status", "987654");
		assertThat(missing.exitCode()).isEqualTo(2);
		assertThat(missing.stderr().strip())
			.isEqualTo("trawl: There is no job execution 987654. List the jobs with: trawl status");
		CliRunner.Run refused = CliRunner.run(env, "api-key", "list");
		assertThat(refused.exitCode()).isEqualTo(2);
		assertThat(refused.stderr().strip())
			.isEqualTo("trawl: This request needs the admin role; the caller has the viewer role.");
		Map<String, String> asAdmin = Map.of("TRAWL_URL", "http://127.0.0.1:" + port, "TRAWL_DATA_DIR",
				DATA.toString()); // no TRAWL_API_KEY: the local admin key file
		CliRunner.Run created = CliRunner.run(asAdmin, "api-key", "create", "--role", "viewer", "--name", "via-cli");
		assertThat(created.exitCode()).as(created.stderr()).isZero();
		String key = created.lastLine();
		assertThat(keys.authenticate(key)).isPresent();
		assertThat(CliRunner.run(asAdmin, "api-key", "list").stdout()).contains("via-cli").doesNotContain(key);
		assertThat(CliRunner.run(asAdmin, "api-key", "revoke", "via-cli").exitCode()).isZero();
		assertThat(keys.authenticate(key)).isEmpty();
		CliRunner.Run unknown = CliRunner.run(asAdmin, "api-key", "revoke", "via-cli-never");
		assertThat(unknown.exitCode()).isEqualTo(2);
		assertThat(unknown.stderr().strip()).isEqualTo("trawl: There is no API key named 'via-cli-never'.");
	}

	private double counter(String name, String key) throws Exception {
		HttpResponse<String> response = call(new Route("GET", "/actuator/metrics/" + name), key);
		assertThat(response.statusCode()).as(name + ": " + response.body()).isEqualTo(200);
		for (JsonNode measurement : JSON.readTree(response.body()).get("measurements")) {
			if (measurement.get("statistic").asString().equals("COUNT")) {
				return measurement.get("value").asDouble();
			}
		}
		throw new AssertionError(name + " has no COUNT");
	}

	/** Every route Spring MVC maps, its path variables filled in; a route for any method is tried as GET and POST. */
	private List<Route> routes() {
		Set<Route> routes = new LinkedHashSet<>();
		for (RequestMappingInfo info : mvc.getHandlerMethods().keySet()) {
			Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
			for (String pattern : info.getPatternValues()) {
				String path = pattern.replaceAll("\\{sha256}", "0".repeat(64))
					.replaceAll("\\{name}", "nobody")
					.replaceAll("\\{\\*[^}]*}", "x")
					.replaceAll("\\{[^}]*}", "1");
				if (methods.isEmpty()) {
					routes.add(new Route("GET", path));
					routes.add(new Route("POST", path));
				}
				else {
					methods.forEach(method -> routes.add(new Route(method.name(), path)));
				}
			}
		}
		return new ArrayList<>(routes);
	}

	private HttpResponse<String> call(Route route, String key) throws Exception {
		return call(route, key, route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}");
	}

	private HttpResponse<String> call(Route route, String key, String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + route.path()))
			.method(route.method(), body == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString(body));
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		if (key != null) {
			request.header("X-API-Key", key);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A refusal: the status, an RFC 9457 body with one sentence and nothing from inside the server. */
	static void assertProblem(Object what, HttpResponse<String> response, int status) {
		String body = response.body();
		assertThat(response.statusCode()).as(what + ": " + body).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).as(what.toString())
			.hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = JSON.readTree(body);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		for (String field : List.of("type", "title", "detail", "instance")) {
			assertThat(problem.hasNonNull(field)).as(what + " " + field + ": " + body).isTrue();
		}
		assertThat(problem.get("detail").asString()).as(what.toString()).endsWith(".").doesNotContain("\n");
		assertThat(body).as(what.toString())
			.doesNotContain("\tat ")
			.doesNotContain("Exception")
			.doesNotContain("java.");
		if (status == 401 || status == 403) {
			assertThat(response.headers().allValues("WWW-Authenticate")).as(what.toString()).isNotEmpty();
		}
	}
}
