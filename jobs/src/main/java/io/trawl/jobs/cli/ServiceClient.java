package io.trawl.jobs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Trawl service at {@code TRAWL_URL}, called with the API key from {@code TRAWL_API_KEY}, or else from the local
 * admin key file ({@code ${TRAWL_DATA_DIR:-./data}/admin.key}) when it is readable. An error answer becomes a
 * {@link ServiceException} carrying the problem detail's one sentence.
 */
final class ServiceClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final URI base;
	private final String key;
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	ServiceClient(URI base, String key) {
		this.base = base;
		this.key = key;
	}

	/** The service named by {@code TRAWL_URL}, if it is set. */
	static Optional<ServiceClient> fromEnvironment(Map<String, String> env) {
		String url = env.getOrDefault("TRAWL_URL", "").trim();
		if (url.isEmpty()) {
			return Optional.empty();
		}
		URI base;
		try {
			base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
		}
		catch (IllegalArgumentException e) {
			throw new ServiceException("TRAWL_URL must be an http:// or https:// address, not '" + url + "'.");
		}
		if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
			throw new ServiceException("TRAWL_URL must be an http:// or https:// address, not '" + url + "'.");
		}
		return Optional.of(new ServiceClient(base, key(env)));
	}

	private static String key(Map<String, String> env) {
		String key = env.getOrDefault("TRAWL_API_KEY", "").trim();
		if (!key.isEmpty()) {
			return key;
		}
		Path file = Path.of(env.getOrDefault("TRAWL_DATA_DIR", "./data")).resolve("admin.key");
		try {
			return Files.isReadable(file) ? Files.readString(file, StandardCharsets.US_ASCII).trim() : null;
		}
		catch (IOException e) {
			return null;
		}
	}

	URI base() {
		return base;
	}

	JsonNode getJson(String path) {
		return readJson(send("GET", path, null));
	}

	/** A body the caller streams; it closes it. */
	InputStream getStream(String path) {
		return send("GET", path, null).body();
	}

	JsonNode postJson(String path, Object body) {
		return readJson(send("POST", path, body));
	}

	void delete(String path) {
		try (InputStream ignored = send("DELETE", path, null).body()) {
			// 2xx: nothing to read
		}
		catch (IOException e) {
			throw new ServiceException("The answer from " + base + " was cut off: " + e.getMessage() + ".");
		}
	}

	private JsonNode readJson(HttpResponse<InputStream> response) {
		try (InputStream body = response.body()) {
			byte[] bytes = body.readAllBytes();
			return bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes);
		}
		catch (IOException e) {
			throw new ServiceException("The answer from " + base + " was cut off: " + e.getMessage() + ".");
		}
	}

	private HttpResponse<InputStream> send(String method, String path, Object body) {
		String call = method + " " + path;
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
			.timeout(Duration.ofMinutes(5))
			.header("Accept", "application/json");
		if (key != null) {
			request.header("X-API-Key", key);
		}
		if (body != null) {
			request.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		HttpResponse<InputStream> response;
		try {
			response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (ConnectException e) {
			throw new ServiceException("Could not connect to the Trawl service at " + base
					+ " (TRAWL_URL); is it running and reachable?");
		}
		catch (HttpTimeoutException e) {
			throw new ServiceException("The Trawl service at " + base + " (TRAWL_URL) did not answer in time.");
		}
		catch (IOException e) {
			throw new ServiceException("Could not talk to the Trawl service at " + base + " (TRAWL_URL): "
					+ (e.getMessage() == null ? "the connection failed" : e.getMessage()) + ".");
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new ServiceException("Interrupted while waiting for the Trawl service.");
		}
		if (response.statusCode() >= 300) {
			throw new ServiceException(response.statusCode(), problem(response, call));
		}
		return response;
	}

	/** The problem detail's sentence, or a sentence about the status when the answer carries none. */
	private String problem(HttpResponse<InputStream> response, String call) {
		String detail = null;
		try (InputStream body = response.body()) {
			byte[] bytes = body.readNBytes(64 * 1024);
			JsonNode node = JSON.readTree(bytes);
			if (node != null && node.hasNonNull("detail")) {
				detail = node.get("detail").asString();
			}
		}
		catch (IOException | RuntimeException e) {
			// not JSON: fall back to the status
		}
		if (detail == null || detail.isBlank()) {
			detail = "The Trawl service at " + base + " answered " + call + " with status " + response.statusCode()
					+ (response.statusCode() == 404 ? " (not found: an unknown id, or a route this service lacks)."
							: ".");
		}
		if (response.statusCode() == 401 && key == null) {
			detail += " Set TRAWL_API_KEY to a key (./trawl api-key create on the service's machine makes one).";
		}
		return detail;
	}

	/** An error answer or a failed call: one sentence for the user, exit 2. */
	static final class ServiceException extends IllegalArgumentException {

		private final int status;

		ServiceException(String message) {
			this(0, message);
		}

		ServiceException(int status, String message) {
			super(message);
			this.status = status;
		}

		/** The HTTP status of the answer, or 0 when there was none. */
		int status() {
			return status;
		}
	}
}
