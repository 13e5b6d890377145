package io.trawl.readmodel.dynamodb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * dynalite (the DynamoDB protocol on LevelDB) as a child process: for tests (in memory) and for {@code trawl
 * aws-local} (in a folder). It comes from the repository's {@code node_modules} ({@code npm ci}); a missing node or
 * dynalite is a clear error, so a test fails rather than skips.
 * <pre>
 * static Dynalite dynalite = Dynalite.start();   // or Dynalite.shared() for one per JVM
 * DynamoDbClient client = dynalite.client();
 * ...
 * dynalite.close();
 * </pre>
 */
public final class Dynalite implements AutoCloseable {

	static final String CLI = "node_modules/dynalite/cli.js";
	private static final long START_TIMEOUT_SECONDS = 30;
	private static Dynalite shared;

	private final Process process;
	private final URI endpoint;
	private final Thread shutdownHook;
	private final StringBuffer output;

	private Dynalite(Process process, int port, StringBuffer output) {
		this.process = process;
		this.endpoint = URI.create("http://127.0.0.1:" + port);
		this.output = output;
		this.shutdownHook = new Thread(process::destroyForcibly, "dynalite-shutdown");
		Runtime.getRuntime().addShutdownHook(shutdownHook);
	}

	/** Starts a new, empty, in-memory dynalite on a free loopback port. */
	public static Dynalite start() {
		return start(repositoryRoot(Path.of("").toAbsolutePath()), 0, null);
	}

	/**
	 * Starts dynalite from {@code root} (the folder holding node_modules) on {@code port}, or on a free port when it
	 * is 0, keeping its tables in {@code dataDir}, or in memory when that is null.
	 */
	public static Dynalite start(Path root, int port, Path dataDir) {
		IllegalStateException last = null;
		for (int attempt = 0; attempt < 3; attempt++) {
			try {
				return startOnce(root, port == 0 ? freePort() : port, dataDir);
			}
			catch (PortTaken e) {
				last = e; // another process took the port between our probe and dynalite's bind
				if (port != 0) {
					break;
				}
			}
		}
		throw last;
	}

	/** One dynalite for the whole JVM, started on first use and stopped when the JVM exits. */
	public static synchronized Dynalite shared() {
		if (shared == null || !shared.process.isAlive()) {
			shared = start();
		}
		return shared;
	}

	public URI endpoint() {
		return endpoint;
	}

	/** A client for this dynalite: region us-east-1, dummy static credentials. The caller closes it. */
	public DynamoDbClient client() {
		return client(builder -> {
		});
	}

	/** A client for this dynalite, further configured, for example with an execution interceptor. */
	public DynamoDbClient client(Consumer<DynamoDbClientBuilder> customizer) {
		DynamoDbClientBuilder builder = DynamoDbClient.builder()
			.region(Region.US_EAST_1)
			.endpointOverride(endpoint)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dynalite", "dynalite")));
		customizer.accept(builder);
		return builder.build();
	}

	/** Stops the process. Closing the shared instance is allowed; the next {@link #shared()} starts a new one. */
	@Override
	public void close() {
		process.destroy();
		try {
			if (!process.waitFor(5, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException e) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		try {
			Runtime.getRuntime().removeShutdownHook(shutdownHook);
		}
		catch (IllegalStateException shuttingDown) {
			// the hook is running or about to: nothing left to do
		}
	}

	/** The folder holding {@code node_modules/dynalite/cli.js}, searched from {@code start} upwards. */
	public static Optional<Path> findRoot(Path start) {
		for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve(CLI))) {
				return Optional.of(dir);
			}
		}
		return Optional.empty();
	}

	static Path repositoryRoot(Path start) {
		return findRoot(start).orElseThrow(() -> new IllegalStateException("dynalite was not found: no folder from " + start + " upwards holds " + CLI
				+ ". Run `npm ci` in the repository root (it installs the test tools from package.json)."));
	}

	private static Dynalite startOnce(Path root, int port, Path dataDir) {
		List<String> command = new ArrayList<>(List.of("node", CLI, "--host", "127.0.0.1", "--port",
				Integer.toString(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
		if (dataDir != null) {
			command.addAll(List.of("--path", dataDir.toString()));
		}
		Process process;
		try {
			process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
		}
		catch (IOException e) {
			throw new IllegalStateException("Cannot run node to start dynalite (" + e.getMessage()
					+ "). Install Node.js (apt-get install -y nodejs npm) and run `npm ci` in " + root + ".", e);
		}
		StringBuffer output = new StringBuffer();
		CompletableFuture<Void> listening = new CompletableFuture<>();
		Thread reader = new Thread(() -> {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				// keep draining after start, or a chatty dynalite would block on a full pipe
				for (String line; (line = lines.readLine()) != null;) {
					output.append(line).append('\n');
					if (line.contains("listening")) {
						listening.complete(null);
					}
				}
			}
			catch (IOException | UncheckedIOException e) {
				// the process ended; the exit is reported below
			}
			listening.completeExceptionally(new IllegalStateException("dynalite exited"));
		}, "dynalite-output");
		reader.setDaemon(true);
		reader.start();
		try {
			listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			return new Dynalite(process, port, output);
		}
		catch (ExecutionException exited) {
			process.destroyForcibly();
			if (output.indexOf("EADDRINUSE") >= 0) {
				throw new PortTaken(port);
			}
			throw new IllegalStateException("dynalite exited before listening: " + output
					+ "Run `npm ci` in " + root + " if its modules are incomplete.");
		}
		catch (TimeoutException e) {
			process.destroyForcibly();
			throw new IllegalStateException("dynalite did not report 'listening' within " + START_TIMEOUT_SECONDS
					+ " s. Output so far: " + output);
		}
		catch (InterruptedException e) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while starting dynalite", e);
		}
	}

	/** What dynalite printed, for diagnosing a failing test. */
	public String output() {
		return output.toString();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static final class PortTaken extends IllegalStateException {
		PortTaken(int port) {
			super("dynalite could not bind port " + port + ", which another process holds.");
		}
	}
}
