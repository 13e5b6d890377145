package io.trawl.jobs.aws;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The EC2 instance metadata service, IMDSv2 (the launch template allows no other): a session token from
 * {@code PUT /latest/api/token}, then {@code GET /latest/meta-data/instance-id} with it. Off EC2 nothing answers, so
 * every request has a short timeout.
 */
public final class InstanceMetadata {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private final URI endpoint;
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	/** @param endpoint {@code http://169.254.169.254} on EC2 */
	public InstanceMetadata(URI endpoint) {
		this.endpoint = endpoint;
	}

	/** This instance's id; off EC2 an IOException says why there is none. */
	public String instanceId() throws IOException {
		try {
			String token = send(HttpRequest.newBuilder(endpoint.resolve("/latest/api/token"))
				.header("X-aws-ec2-metadata-token-ttl-seconds", "60")
				.PUT(HttpRequest.BodyPublishers.noBody()));
			return send(HttpRequest.newBuilder(endpoint.resolve("/latest/meta-data/instance-id"))
				.header("X-aws-ec2-metadata-token", token)
				.GET()).trim();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while asking " + endpoint, e);
		}
	}

	private String send(HttpRequest.Builder request) throws IOException, InterruptedException {
		HttpResponse<String> response = http.send(request.timeout(TIMEOUT).build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException(request.build().uri() + " answered HTTP " + response.statusCode());
		}
		return response.body();
	}
}
