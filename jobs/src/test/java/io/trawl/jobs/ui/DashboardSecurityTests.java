package io.trawl.jobs.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;
import io.trawl.jobs.security.TestApiKeys;

/**
 * The dashboard's routes over HTTP: a browser without a session goes to the login form, any other caller gets the
 * API's 401 problem; the session cookie is HttpOnly, SameSite=Strict and Secure; forms need their CSRF token; the
 * roles are the API's; a revoked key's session ends; only the login form and its assets are open.
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:dashboard-security;DB_CLOSE_DELAY=-1",
				"trawl.data-dir=target/test-data-dashboard-security", "trawl.rules=../config/rules" })
class DashboardSecurityTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final List<String> PAGES = List.of("/", "/ui/jobs", "/ui/jobs/rows", "/ui/jobs/1",
			"/ui/jobs/1/errors", "/ui/jobs/1/export.csv", "/ui/jobs/1/export.jsonl", "/ui/samples/" + "0".repeat(64),
			"/ui/rules", "/ui/nothing-here");

	@LocalServerPort
	int port;

	@Autowired
	ApiKeys keys;

	private final HttpClient plain = HttpClient.newHttpClient();

	@Test
	void withoutASessionABrowserIsSentToTheLoginFormAndAnyOtherCallerGetsA401Problem() throws Exception {
		for (String path : PAGES) {
			HttpResponse<String> browser = plain.send(get(path).header("Accept", "text/html,*/*;q=0.8").build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(browser.statusCode()).as(path).isEqualTo(302);
			assertThat(browser.headers().firstValue("Location")).as(path).hasValue(url("/login"));

			HttpResponse<String> script = plain.send(get(path).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(script.statusCode()).as(path).isEqualTo(401);
			assertThat(script.headers().firstValue("Content-Type"))
				.hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
			assertThat(JSON.readTree(script.body()).get("detail").asString())
				.isEqualTo("This request needs credentials: an API key in the X-API-Key header.");
		}
		HttpResponse<String> htmx = plain.send(get("/ui/jobs/rows").header("HX-Request", "true")
			.header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
		assertThat(htmx.statusCode()).isEqualTo(401);
		assertThat(htmx.headers().firstValue("HX-Redirect")).hasValue("/login");
		HttpResponse<String> post = plain.send(form("/ui/jobs", "source=/tmp").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(post.statusCode()).isEqualTo(401);
	}

	@Test
	void theLoginFormAndItsAssetsAreOpenAndNothingElse() throws Exception {
		for (String path : List.of("/login", "/ui/assets/trawl.css", "/ui/assets/trawl.js",
				"/webjars/htmx.org/dist/htmx.min.js", "/webjars/chart.js/dist/chart.umd.js")) {
			HttpResponse<String> open = plain.send(get(path).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(open.statusCode()).as(path).isEqualTo(200);
		}
		HttpResponse<String> login = plain.send(get("/login").build(), HttpResponse.BodyHandlers.ofString());
		assertThat(login.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
				csp -> assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));
		assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
	}

	@Test
	void aKeyOpensASessionWhoseCookieIsHttpOnlySameSiteStrictAndSecure() throws Exception {
		Form login = loginForm();
		String key = TestApiKeys.create(keys, Role.VIEWER);
		// a valid key without the form's token (a login forged from another site) opens no session
		HttpResponse<String> forged = plain.send(form("/login", "apiKey=" + enc(key)).header("Cookie", login.cookie())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(forged.statusCode()).isIn(302, 401, 403);
		assertThat(forged.headers().firstValue("Location").orElse("")).doesNotEndWith("/ui/jobs");

		HttpResponse<String> loggedIn = logIn(login, key);
		assertThat(loggedIn.statusCode()).isEqualTo(302);
		assertThat(loggedIn.headers().firstValue("Location")).hasValue(url("/ui/jobs"));
		String cookie = loggedIn.headers().allValues("Set-Cookie").stream()
			.filter(c -> c.startsWith("TRAWL_SESSION="))
			.findFirst()
			.orElseThrow();
		assertThat(cookie).contains("HttpOnly").contains("Secure").contains("SameSite=Strict");

		String session = cookie.substring(0, cookie.indexOf(';'));
		// a new session id at login: the one from before (which a planted cookie could have fixed) is not it
		assertThat(session).isNotEqualTo(login.cookie());
		HttpResponse<String> jobs = plain.send(get("/ui/jobs").header("Cookie", session).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(jobs.statusCode()).isEqualTo(200);
		assertThat(jobs.body()).contains("<h1>Jobs</h1>").doesNotContain("id=\"launch\"");

		// a viewer's session may not launch, even with the page's token
		String token = token(jobs.body());
		HttpResponse<String> launch = plain.send(form("/ui/jobs", "source=/tmp&_csrf=" + enc(token))
			.header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(launch.statusCode()).isEqualTo(403);
		assertThat(JSON.readTree(launch.body()).get("detail").asString())
			.isEqualTo("This request needs the operator role; the caller has the viewer role.");

		// the key is revoked: its session ends at the next request
		keys.revoke(keys.list().stream().filter(k -> k.role() == Role.VIEWER && k.revoked() == null)
			.reduce((a, b) -> b).orElseThrow().name());
		HttpResponse<String> after = plain.send(get("/ui/jobs").header("Cookie", session)
			.header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
		assertThat(after.statusCode()).isEqualTo(302);
		assertThat(after.headers().firstValue("Location")).hasValue(url("/login"));
	}

	@Test
	void anOperatorsFormWithoutItsCsrfTokenIsRefusedWithOneSentence() throws Exception {
		String session = session(logIn(loginForm(), TestApiKeys.create(keys, Role.OPERATOR)));
		HttpResponse<String> forged = plain.send(form("/ui/jobs/1/stop", "").header("Cookie", session).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(JSON.readTree(forged.body()).get("detail").asString())
			.isEqualTo("The form has expired or did not come from this dashboard; reload the page and try again.");
		HttpResponse<String> jobs = plain.send(get("/ui/jobs").header("Cookie", session).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(jobs.body()).contains("id=\"launch\"");
	}

	@Test
	void anOperatorsHostileLaunchFormGetsOneSentenceAndStartsNothing() throws Exception {
		String session = session(logIn(loginForm(), TestApiKeys.create(keys, Role.OPERATOR)));
		String token = token(plain.send(get("/ui/jobs").header("Cookie", session).build(),
				HttpResponse.BodyHandlers.ofString()).body());
		Map<String, String> refusals = Map.of(
				"source=+++", "The source is required: a folder or s3://bucket/prefix.",
				"source=" + "a".repeat(5000), "The source and the rules must be at most 4096 characters each.",
				"source=%2Ftmp&rules=" + "r".repeat(5000), "The source and the rules must be at most 4096 characters each.");
		for (var refusal : refusals.entrySet()) {
			HttpResponse<String> launch = plain.send(form("/ui/jobs", refusal.getKey() + "&_csrf=" + enc(token))
				.header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(launch.statusCode()).isEqualTo(302);
			String page = plain.send(get("/ui/jobs").header("Cookie", session).build(),
					HttpResponse.BodyHandlers.ofString()).body();
			assertThat(page).contains(refusal.getValue()).doesNotContain("Started job").doesNotContain("Exception");
		}
		// a folder that is not there: the launcher's own sentence, on one line
		HttpResponse<String> missing = plain.send(form("/ui/jobs", "source=%2Fno%2Fsuch%2Ffolder&_csrf=" + enc(token))
			.header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(missing.statusCode()).isEqualTo(302);
		String page = plain.send(get("/ui/jobs").header("Cookie", session).build(),
				HttpResponse.BodyHandlers.ofString()).body();
		Matcher error = Pattern.compile("<p class=\"error\" role=\"alert\">([^<]*)</p>").matcher(page);
		assertThat(error.find()).as("an error sentence on the page").isTrue();
		assertThat(error.group(1)).doesNotContain("Exception").doesNotContain("\n").isNotBlank();
		assertThat(page).doesNotContain("Started job");
	}

	@Test
	void anApiKeyHeaderWorksOnThePagesWithTheSameRoles() throws Exception {
		String viewer = TestApiKeys.create(keys, Role.VIEWER);
		HttpResponse<String> rules = plain.send(get("/ui/rules").header("X-API-Key", viewer).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(rules.statusCode()).isEqualTo(200);
		assertThat(rules.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("TRAWL_SESSION="));
		HttpResponse<String> launch = plain.send(form("/ui/jobs", "source=/tmp").header("X-API-Key", viewer).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(launch.statusCode()).isEqualTo(403);
		HttpResponse<String> unknown = plain.send(get("/ui/jobs/999999").header("X-API-Key", viewer).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("999999").doesNotContain("Exception").doesNotContain("\tat ");
		HttpResponse<String> badSample = plain.send(get("/ui/samples/not-a-hash").header("X-API-Key", viewer).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(badSample.statusCode()).isEqualTo(400);
		assertThat(badSample.body()).contains("64 hex digits");
	}

	/** The login form's session (a Secure cookie, which Java's cookie manager keeps off plain HTTP) and token. */
	record Form(String cookie, String token) {
	}

	private Form loginForm() throws Exception {
		HttpResponse<String> page = plain.send(get("/login").build(), HttpResponse.BodyHandlers.ofString());
		return new Form(session(page), token(page.body()));
	}

	private static String session(HttpResponse<String> response) {
		return response.headers().allValues("Set-Cookie").stream()
			.filter(c -> c.startsWith("TRAWL_SESSION="))
			.map(c -> c.substring(0, c.indexOf(';')))
			.findFirst()
			.orElseThrow();
	}

	private HttpResponse<String> logIn(Form form, String key) throws Exception {
		return plain.send(form("/login", "apiKey=" + enc(key) + "&_csrf=" + enc(form.token()))
			.header("Cookie", form.cookie()).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String token(String html) {
		Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
		assertThat(m.find()).as("a CSRF field in the form").isTrue();
		return m.group(1);
	}

	private HttpRequest.Builder get(String path) {
		return HttpRequest.newBuilder(URI.create(url(path)));
	}

	private HttpRequest.Builder form(String path, String body) {
		return HttpRequest.newBuilder(URI.create(url(path)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(body));
	}

	private String url(String path) {
		return "http://127.0.0.1:" + port + path;
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
