package io.trawl.jobs.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.security.oauth2.jwt.Jwt;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.testissuer.TokenIssuer;

/**
 * Bearer tokens from a real issuer started by the test (Spring Authorization Server), not a mock decoder: the groups
 * claim gives the role; no known group is 403; an expired token, or one from another issuer, is 401.
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:oidc;DB_CLOSE_DELAY=-1", "trawl.rules=../config/rules",
				"trawl.data-dir=target/test-data-oidc", "trawl.security.oidc.clock-skew=0s" })
class OidcFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static TokenIssuer issuer;
	private static TokenIssuer foreign;

	@DynamicPropertySource
	static void issuer(DynamicPropertyRegistry registry) {
		registry.add("trawl.security.oidc.issuer-uri", () -> issuer().uri().toString());
	}

	private static synchronized TokenIssuer issuer() {
		if (issuer == null) {
			issuer = new TokenIssuer();
		}
		return issuer;
	}

	@AfterAll
	static void stopIssuers() {
		if (foreign != null) {
			foreign.close();
		}
		// the trusted issuer stays up for the cached context; it is only a few beans
	}

	@LocalServerPort
	int port;

	@Autowired
	ApiKeys keys;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void aTokenWithTheRightGroupIsLetInWithItsRole() throws Exception {
		String operator = issuer().token("operators");
		String viewer = issuer().token("viewers");
		String admin = issuer().token("admins");

		assertThat(get("/api/jobs", operator).statusCode()).isEqualTo(200);
		assertThat(get("/api/jobs", viewer).statusCode()).isEqualTo(200); // "Viewer": groups are case-insensitive
		assertThat(get("/api/keys", admin).statusCode()).isEqualTo(200);
		SecurityFunctionalTests.assertProblem("viewer POST /api/jobs", post("/api/jobs", viewer), 403);
		SecurityFunctionalTests.assertProblem("operator GET /api/keys", get("/api/keys", operator), 403);
		Logger audit = (Logger) LoggerFactory.getLogger("io.trawl.audit");
		ListAppender<ILoggingEvent> lines = new ListAppender<>();
		lines.start();
		audit.addAppender(lines);
		URI keysUri = URI.create("http://127.0.0.1:" + port + "/api/keys");
		HttpResponse<String> created = http.send(HttpRequest.newBuilder(keysUri)
			.header("Authorization", "Bearer " + admin)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"made-by-token\",\"role\":\"viewer\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		audit.detachAppender(lines);
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
			.anySatisfy(line -> assertThat(line).startsWith("action=\"api-key.create\" principal=\"admins\"")); // sub
		// API keys work beside tokens
		assertThat(get("/api/jobs", null, TestApiKeys.create(keys, Role.VIEWER)).statusCode()).isEqualTo(200);
	}

	@Test
	void aTokenWithNoOrOnlyUnknownGroupsIs403() throws Exception {
		for (String client : List.of("nobody", "sales")) {
			HttpResponse<String> response = get("/api/jobs", issuer().token(client));
			SecurityFunctionalTests.assertProblem(client, response, 403);
			assertThat(JSON.readTree(response.body()).get("detail").asString()).isEqualTo(
					"This request needs the viewer role, and no group in the token's 'cognito:groups' claim maps to a"
							+ " Trawl role.");
			assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
					challenge -> assertThat(challenge).startsWith("Bearer").contains("insufficient_scope"));
		}
	}

	@Test
	void anExpiredTokenIs401() throws Exception {
		long issued = System.nanoTime();
		String brief = issuer().token("brief");
		// it lives 5 s: long enough for the first request on a loaded machine (1 s was not)
		assertThat(get("/api/keys", brief).statusCode()).isEqualTo(200);

		Thread.sleep(Math.max(0, 6_000 - (System.nanoTime() - issued) / 1_000_000));

		HttpResponse<String> expired = get("/api/jobs", brief);
		SecurityFunctionalTests.assertProblem("expired", expired, 401);
		assertThat(expired.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying(challenge -> assertThat(challenge).contains("invalid_token"));
	}

	@Test
	void aTokenFromAnotherIssuerIs401AndSoIsGarbage() throws Exception {
		synchronized (OidcFunctionalTests.class) {
			if (foreign == null) {
				foreign = new TokenIssuer();
			}
		}
		String stranger = foreign.token("admins");

		SecurityFunctionalTests.assertProblem("foreign", get("/api/jobs", stranger), 401);
		SecurityFunctionalTests.assertProblem("garbage", get("/api/jobs", "not.a.jwt"), 401);
		HttpResponse<String> none = get("/api/jobs", null);
		SecurityFunctionalTests.assertProblem("none", none, 401);
		assertThat(none.headers().allValues("WWW-Authenticate")).anySatisfy(c -> assertThat(c).startsWith("Bearer"));
	}

	@Test
	void thePrincipalIsTheSubjectAndTheClaimMayBeAString() {
		Jwt jwt = Jwt.withTokenValue("t")
			.header("alg", "RS256")
			.subject("user-42")
			.claim("groups", "sales trawl-operator")
			.issuedAt(Instant.now())
			.build();

		var authentication = new JwtRoles("groups", new SecurityProperties.Oidc("", "", "groups", null,
				java.time.Duration.ZERO).roleOfGroup()).convert(jwt);

		assertThat(authentication.getName()).isEqualTo("user-42");
		assertThat(authentication.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_OPERATOR");
	}

	private HttpResponse<String> get(String path, String token) throws Exception {
		return get(path, token, null);
	}

	private HttpResponse<String> get(String path, String token, String apiKey) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String token) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{}"))
			.build(), HttpResponse.BodyHandlers.ofString());
	}
}
