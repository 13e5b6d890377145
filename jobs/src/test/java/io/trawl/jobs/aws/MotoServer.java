package io.trawl.jobs.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;

import io.trawl.devtools.AwsLocal;

/**
 * moto's server mode ({@code moto_server}, the AWS APIs in one process, installed with pip) as a child process on a
 * free loopback port: CloudWatch and Auto Scaling for the tests. A missing moto_server is a clear failure, never a
 * skip.
 */
public final class MotoServer implements AutoCloseable {

	private static final long START_TIMEOUT_SECONDS = 60;

	private final Process process;
	private final URI endpoint;
	private final Path log;
	private final Thread shutdownHook;

	private MotoServer(Process process, int port, Path log) {
		this.process = process;
		this.endpoint = URI.create("http://127.0.0.1:" + port);
		this.log = log;
		this.shutdownHook = new Thread(process::destroyForcibly, "moto-shutdown");
		Runtime.getRuntime().addShutdownHook(shutdownHook);
	}

	public static MotoServer start() {
		int port = freePort();
		Path log;
		Process process;
		try {
			log = Files.createTempFile("moto-server", ".log");
			process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
		}
		catch (IOException e) {
			throw new IllegalStateException("Cannot run moto_server (" + e.getMessage() + "). These tests need moto "
					+ "5.2 on the PATH: pip install 'moto[server]==5.2.1'.", e);
		}
		MotoServer moto = new MotoServer(process, port, log);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
		while (!moto.accepts()) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				moto.close();
				throw new IllegalStateException("moto_server did not start on port " + port + " within "
						+ START_TIMEOUT_SECONDS + " s (exit " + (process.isAlive() ? "none" : process.exitValue())
						+ "). Its output: " + moto.output());
			}
			sleep(100);
		}
		return moto;
	}

	public URI endpoint() {
		return endpoint;
	}

	/** The builder pointed at moto, in {@link AwsLocal#REGION} with dummy credentials. */
	public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
		return builder.region(Region.of(AwsLocal.REGION)).endpointOverride(endpoint)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("moto", "moto")));
	}

	public String output() {
		try {
			return Files.readString(log);
		}
		catch (IOException e) {
			return "(unreadable: " + e.getMessage() + ")";
		}
	}

	private boolean accepts() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", endpoint.getPort()), 200);
			return true;
		}
		catch (IOException e) {
			return false;
		}
	}

	@Override
	public void close() {
		process.destroy();
		try {
			if (!process.waitFor(5, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
			Files.deleteIfExists(log);
		}
		catch (InterruptedException e) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		catch (IOException e) {
			// a temporary file left behind
		}
		try {
			Runtime.getRuntime().removeShutdownHook(shutdownHook);
		}
		catch (IllegalStateException shuttingDown) {
			// the hook is running or about to: nothing left to do
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while starting moto_server", e);
		}
	}
}
