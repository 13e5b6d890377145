package io.trawl.jobs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import io.trawl.jobs.problem.FailureReason;
import io.trawl.readmodel.dynamodb.Dynalite;

/**
 * A client as {@link AwsClients#configure} builds it, against a port nobody listens on and against dynalite: an
 * unreachable service is named in one sentence after the SDK's retries, which last at least 6.3 s; a service's own
 * error is left as it is.
 */
class UnreachableServiceTests {

	private static DynamoDbClient client(String endpoint) {
		return client(endpoint, 8);
	}

	private static DynamoDbClient client(String endpoint, int maxAttempts) {
		AwsProperties aws = new AwsProperties("us-east-1", null, null, maxAttempts, "trawl", false, null, null, null,
				null);
		return AwsClients.configure(DynamoDbClient.builder(), aws, endpoint)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
			.build();
	}

	@Test
	void aServiceNobodyAnswersIsNamedInOneSentenceAfterAtLeastSixSecondsOfRetries() throws IOException {
		int port;
		try (ServerSocket probe = new ServerSocket(0)) {
			port = probe.getLocalPort(); // closed again: connections to it are refused
		}
		try (DynamoDbClient dynamoDb = client("http://127.0.0.1:" + port)) {
			long started = System.nanoTime();
			Throwable failure = catchThrowable(() -> dynamoDb.describeTable(b -> b.tableName("events")));
			Duration took = Duration.ofNanos(System.nanoTime() - started);

			assertThat(failure).isInstanceOf(SdkClientException.class);
			assertThat(failure.getMessage()).startsWith("DynamoDB at http://127.0.0.1:" + port
					+ " could not be reached (DescribeTable): ").contains("Connection refused").contains("Attempt Count: 8");
			assertThat(failure.getSuppressed()).as("the SDK's own exception, for the log").hasSize(1);
			assertThat(FailureReason.ofFailure(failure)).isEqualTo(failure.getMessage());
			assertThat(took).as("half-jitter backoff over 8 attempts").isGreaterThanOrEqualTo(Duration.ofMillis(6300));
		}
	}

	@Test
	void aLongOutageDoesNotSpendTheRetriesOfTheCallsAfterIt() throws Exception {
		int port;
		try (ServerSocket probe = new ServerSocket(0)) {
			port = probe.getLocalPort();
		}
		try (DynamoDbClient dynamoDb = client("http://127.0.0.1:" + port, 3)) {
			// 120 failed retries: more than the SDK's circuit breaker allows one client (500 tokens, 5 a retry)
			ExecutorService pool = Executors.newFixedThreadPool(8);
			for (int i = 0; i < 60; i++) {
				pool.submit(() -> catchThrowable(() -> dynamoDb.describeTable(b -> b.tableName("events"))));
			}
			pool.shutdown();
			assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
			Throwable after = catchThrowable(() -> dynamoDb.describeTable(b -> b.tableName("events")));

			assertThat(after.getMessage()).as("the call after the outage still retries").contains("Attempt Count: 3");
		}
	}

	@Test
	void aServiceErrorIsLeftAsItIs() {
		try (DynamoDbClient dynamoDb = client(Dynalite.shared().endpoint().toString())) {
			Throwable failure = catchThrowable(() -> dynamoDb.describeTable(b -> b.tableName("no-such-table")));
			assertThat(failure).isInstanceOf(ResourceNotFoundException.class);
			assertThat(failure.getSuppressed()).isEmpty();
		}
	}
}
