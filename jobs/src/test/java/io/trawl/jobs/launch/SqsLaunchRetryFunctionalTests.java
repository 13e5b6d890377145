package io.trawl.jobs.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.jobs.aws.AwsStack;

/**
 * Manual acknowledgement on the launch queue: a launch that fails for a reason a retry may cure (here S3 cannot be
 * reached) leaves its message on the queue, not deleted and not in the DLQ; once S3 is back, the message comes back
 * after its visibility timeout and launches its job, once.
 */
class SqsLaunchRetryFunctionalTests {

	@TempDir
	static Path dataDir;
	static AwsStack aws;
	static Outage s3;

	@BeforeAll
	static void start() {
		aws = AwsStack.start(dataDir, List.of(), local -> {
			s3 = new Outage(local.s3Endpoint().getPort());
			// the service reaches S3 through a switch the test can turn off; one attempt per request, no retries
			return List.of("--trawl.aws.endpoints.s3=http://127.0.0.1:" + s3.port(), "--trawl.aws.max-attempts=1");
		});
	}

	@AfterAll
	static void stop() {
		if (aws != null) {
			aws.close();
		}
		if (s3 != null) {
			s3.close();
		}
	}

	@Test
	void aLaunchThatFailsTransientlyIsNotDeletedAndComesBack() {
		aws.put("retry/a.txt", "a sample that waits for S3");
		aws.put("rules/retry.yar", AwsStack.RULE);
		String body = AwsStack.launchMessage("retry-1", "s3://trawl-samples/retry/",
				"s3://trawl-samples/rules/retry.yar");

		s3.down();
		aws.send(body);
		// received and failed: in flight until its visibility timeout (30 s on aws-local), neither deleted nor dead
		await().atMost(Duration.ofSeconds(20)).until(() -> s3.refused() > 0);
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
			.until(() -> aws.launchQueueDepth() == 1 && aws.executions("retry-1").isEmpty());
		assertThat(aws.dlqMessages()).isEmpty();

		s3.up();
		assertThat(aws.awaitEnded("retry-1").status()).isEqualTo("COMPLETED");
		await().atMost(Duration.ofSeconds(10)).until(() -> aws.launchQueueDepth() == 0);
		assertThat(aws.executions("retry-1")).hasSize(1);
		assertThat(aws.dlqMessages()).isEmpty();
	}

	/** A TCP forwarder to S3Proxy that, when down, cuts every connection and refuses new ones. */
	static final class Outage implements AutoCloseable {

		private final ServerSocket server;
		private final int target;
		private final Set<Socket> open = ConcurrentHashMap.newKeySet();
		private volatile boolean up = true;
		private volatile int refused;

		Outage(int target) {
			this.target = target;
			try {
				this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			}
			catch (IOException e) {
				throw new IllegalStateException(e);
			}
			daemon(this::accept);
		}

		int port() {
			return server.getLocalPort();
		}

		int refused() {
			return refused;
		}

		void down() {
			up = false;
			open.forEach(Outage::closeQuietly);
			open.clear();
		}

		void up() {
			up = true;
		}

		private void accept() {
			while (!server.isClosed()) {
				try {
					Socket client = server.accept();
					if (!up) {
						refused++;
						client.setSoLinger(true, 0);
						client.close();
						continue;
					}
					Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
					open.add(client);
					open.add(upstream);
					daemon(() -> pump(client, upstream));
					daemon(() -> pump(upstream, client));
				}
				catch (IOException e) {
					// closed, or one connection failed: go on while the server is open
				}
			}
		}

		private void pump(Socket from, Socket to) {
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				in.transferTo(out);
			}
			catch (IOException e) {
				// a side went away
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				open.remove(from);
				open.remove(to);
			}
		}

		private static void daemon(Runnable task) {
			Thread thread = new Thread(task, "s3-outage");
			thread.setDaemon(true);
			thread.start();
		}

		private static void closeQuietly(Socket socket) {
			try {
				socket.close();
			}
			catch (IOException e) {
				// already closed
			}
		}

		@Override
		public void close() {
			try {
				server.close();
			}
			catch (IOException e) {
				// already closed
			}
			open.forEach(Outage::closeQuietly);
		}
	}
}
