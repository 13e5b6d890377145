package io.trawl.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command sent over {@code data/trawl.sock}: what arrives, what comes back, and who may listen. */
class StoreForwardingTests {

	@TempDir
	Path data;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();
	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@Test
	void aForwardedCommandsArgumentsStreamsAndExitCodeArriveIntact() throws Exception {
		AtomicReference<String[]> received = new AtomicReference<>();
		AtomicBoolean forwardedThread = new AtomicBoolean();
		byte[] binary = new byte[70_000]; // more than one frame's worth of a buffered stream
		for (int i = 0; i < binary.length; i++) {
			binary[i] = (byte) i;
		}
		try (StoreListener holder = StoreListener.tryClaim(data)) {
			assertThat(holder).isNotNull();
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(holder.socket())))
				.isEqualTo("rw-------");
			holder.serve((args, commandOut, commandErr) -> {
				received.set(args);
				forwardedThread.set(StoreListener.isForwarded());
				commandOut.println("{\"status\":\"STARTED\"} é");
				commandErr.println("trawl: a warning");
				commandOut.write(binary, 0, binary.length);
				return 7;
			}, null);

			int code = StoreClient.forward(holder.socket(),
					new String[] { "rescan", "--source", "corpus", "--rules", "s3://bucket/rules", "--json" },
					print(out), print(err));

			assertThat(code).isEqualTo(7);
			assertThat(received.get()).containsExactly("rescan", "--source",
					Path.of("corpus").toAbsolutePath().toString(), "--rules", "s3://bucket/rules", "--json");
			assertThat(forwardedThread).isTrue();
			byte[] expected = concat("{\"status\":\"STARTED\"} é\n".getBytes(StandardCharsets.UTF_8), binary);
			assertThat(out.toByteArray()).isEqualTo(expected);
			assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("trawl: a warning\n");
		}
		assertThat(StoreListener.isForwarded()).isFalse();
	}

	@Test
	void closingWaitsForTheCommandsInFlightAndRemovesTheSocket() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		StoreListener holder = StoreListener.tryClaim(data);
		holder.serve((args, commandOut, commandErr) -> {
			started.countDown();
			try {
				finish.await();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			commandOut.print("done");
			return 0;
		}, print(err));
		CompletableFuture<Integer> client = CompletableFuture.supplyAsync(() -> {
			try {
				return StoreClient.forward(holder.socket(), new String[] { "status" }, print(out), print(err));
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Void> closing = CompletableFuture.runAsync(holder::close);
		Thread.sleep(300);
		assertThat(closing).as("close waits for the command").isNotDone();
		assertThat(holder.socket()).as("no new commands meanwhile").doesNotExist();

		finish.countDown();
		closing.get(30, TimeUnit.SECONDS);
		assertThat(client.get(30, TimeUnit.SECONDS)).isZero();
		assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("done");
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("waiting for 1 command that other ./trawl processes");
	}

	@Test
	void theStoreStaysClaimedUntilClosedNotJustWhenItStopsAnswering() throws Exception {
		StoreListener holder = StoreListener.tryClaim(data);
		holder.serve((args, commandOut, commandErr) -> 0, null);
		assertThat(StoreListener.tryClaim(data)).as("held in this JVM").isNull();
		assertThat(lockedByAnotherProcess()).as("and still locked after that second try").isTrue();
		holder.stopAnswering();
		assertThat(lockedByAnotherProcess()).as("claimed while the context closes H2").isTrue();
		holder.close();
		assertThat(lockedByAnotherProcess()).isFalse();
	}

	/** Asks another JVM (the holder's lock is a process's, POSIX fcntl), as a second ./trawl would try it. */
	private boolean lockedByAnotherProcess() throws Exception {
		Path probe = Files.writeString(data.resolve("Probe.java"), """
				public class Probe {
					public static void main(String[] args) throws Exception {
						try (var channel = java.nio.channels.FileChannel.open(java.nio.file.Path.of(args[0]),
								java.nio.file.StandardOpenOption.WRITE)) {
							System.exit(channel.tryLock() == null ? 1 : 0);
						}
					}
				}
				""");
		Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				probe.toString(), data.resolve(StoreListener.LOCK).toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(java.exitValue()).as(output).isIn(0, 1);
		return java.exitValue() == 1;
	}

	@Test
	void aStaleSocketIsNotListeningAndTheNextHolderReplacesIt() throws Exception {
		Path socket = data.resolve(StoreListener.SOCKET);
		try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			dead.bind(UnixDomainSocketAddress.of(socket)); // closed without unlinking, as a killed process leaves it
		}
		assertThat(socket).exists();
		assertThatThrownBy(() -> StoreClient.forward(socket, new String[] { "status" }, print(out), print(err)))
			.isInstanceOf(StoreClient.NotListening.class);

		try (StoreListener holder = StoreListener.tryClaim(data)) {
			holder.serve((args, commandOut, commandErr) -> 3, null);
			assertThat(StoreClient.forward(socket, new String[] { "status" }, print(out), print(err))).isEqualTo(3);
		}
		assertThatThrownBy(() -> StoreClient.forward(socket, new String[] { "status" }, print(out), print(err)))
			.isInstanceOf(StoreClient.NotListening.class);
	}

	@Test
	void theDataFolderIsMadePrivateOnceAndItsFilesOwnerOnly() throws Exception {
		Path folder = Files.createDirectories(data.resolve("data"));
		Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
		Path results = Files.writeString(folder.resolve("trawl.mv.db"), "results");
		Files.setPosixFilePermissions(results, PosixFilePermissions.fromString("rw-r--r--"));
		Path corpus = Files.createDirectories(folder.resolve("demo-corpus"));
		Files.setPosixFilePermissions(corpus, PosixFilePermissions.fromString("rwxr-xr-x"));
		Path sample = Files.writeString(corpus.resolve("a.txt"), "a");
		Files.setPosixFilePermissions(sample, PosixFilePermissions.fromString("rw-rw-rw-"));
		// the default sample root is the user's: not walked (it may hold millions of files), not changed
		Path samples = Files.createDirectories(folder.resolve("samples/store"));
		Path theirs = Files.writeString(samples.resolve("b.bin"), "b");
		Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rw-r--r--"));

		PrivateDataDir.secure(folder, print(err));
		PrivateDataDir.secure(folder, print(err));

		assertThat(err.toString(StandardCharsets.UTF_8).lines()).singleElement()
			.satisfies(line -> assertThat(line).contains(folder.toString(), "0700", "rwxr-xr-x"));
		assertThat(mode(folder)).isEqualTo("rwx------");
		assertThat(mode(results)).isEqualTo("rw-------");
		assertThat(mode(corpus)).isEqualTo("rwx------");
		assertThat(mode(sample)).isEqualTo("rw-------");
		assertThat(mode(theirs)).isEqualTo("rw-r--r--");
		assertThat(mode(folder.resolve("trawl.log"))).as("created before logging opens it").isEqualTo("rw-------");

		Path fresh = data.resolve("fresh/data");
		PrivateDataDir.secure(fresh, print(err));
		assertThat(mode(fresh)).isEqualTo("rwx------");
	}

	@Test
	void pathOptionsAreMadeAbsoluteInEitherSpellingAndOthersAreLeftAlone() {
		String here = Path.of("").toAbsolutePath().normalize().toString();

		String[] sent = StoreClient.absolutePaths(new String[] { "rescan", "--source", "corpus", "--rules=r.yar",
				"--request-id", "corpus", "--trawl.data-dir=data" });

		assertThat(sent).containsExactly("rescan", "--source", here + "/corpus", "--rules=" + here + "/r.yar",
				"--request-id", "corpus", "--trawl.data-dir=data");
		assertThat(StoreClient.absolutePaths(new String[] { "rescan", "--source=s3://bucket/p" }))
			.containsExactly("rescan", "--source=s3://bucket/p");
	}

	@Test
	void theEmbeddedStoreIsTheDefaultAndPostgresSharesTheDatabase() {
		assertThat(LocalStore.embeddedStore(new String[] { "status", "--spring.profiles.active=aws,postgres" }))
			.isFalse();
		assertThat(LocalStore.embeddedStore(new String[] { "status",
				"--spring.datasource.url=jdbc:postgresql://db/trawl" })).isFalse();
		assertThat(LocalStore.embeddedStore(new String[] { "status", "--spring.profiles.active=aws" }))
			.isEqualTo(System.getenv("SPRING_DATASOURCE_URL") == null
					|| System.getenv("SPRING_DATASOURCE_URL").startsWith("jdbc:h2:file:"));
	}

	@Test
	void anAutoServerUrlIsRefusedInOneSentence() {
		LocalStore.Claim claim = LocalStore.claim(new String[] { "status", "--trawl.data-dir=" + data,
				"--spring.datasource.url=jdbc:h2:file:" + data + "/trawl;AUTO_SERVER=TRUE" }, print(out), print(err));

		assertThat(claim.exitCode()).isEqualTo(2);
		assertThat(claim.listener()).isNull();
		assertThat(err.toString(StandardCharsets.UTF_8).lines()).singleElement()
			.satisfies(line -> assertThat(line)
				.startsWith("trawl: AUTO_SERVER in the datasource URL opens a TCP port"));
	}

	@Test
	void aJobCommandGoesToTheHolderOfItsFolderBeforeAnyJobJvmStarts() throws Exception {
		AtomicReference<String[]> received = new AtomicReference<>();
		Map<String, String> env = Map.of("TRAWL_DATA_DIR", data.toString());
		Map<String, String> noProperties = Map.of();
		String[] rescan = { "rescan", "--source", "/samples", "--full" };

		assertThat(LocalStore.forwardToHolder(rescan, noProperties::get, env::get, print(out), print(err)))
			.as("nobody holds the store").isNull();
		try (StoreListener holder = StoreListener.tryClaim(data)) {
			holder.serve((args, commandOut, commandErr) -> {
				received.set(args);
				commandOut.println("{\"status\":\"COMPLETED\"}");
				return 5;
			}, null);

			assertThat(LocalStore.forwardToHolder(rescan, noProperties::get, env::get, print(out), print(err)))
				.isEqualTo(5);
			assertThat(received.get()).containsExactly(rescan);
			assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"COMPLETED\"}\n");

			Map<String, String> elsewhere = Map.of("TRAWL_DATA_DIR", data.resolve("other").toString());
			assertThat(LocalStore.forwardToHolder(rescan, noProperties::get, elsewhere::get, print(out), print(err)))
				.as("another folder, with no holder").isNull();
			Map<String, String> jobJvm = Map.of("trawl.data-dir", data.toString());
			assertThat(LocalStore.forwardToHolder(rescan, jobJvm::get, elsewhere::get, print(out), print(err)))
				.as("the job JVM's -Dtrawl.data-dir names the holder's folder").isEqualTo(5);
			Map<String, String> postgres = Map.of("TRAWL_DATA_DIR", data.toString(), "SPRING_PROFILES_ACTIVE",
					"postgres");
			assertThat(LocalStore.forwardToHolder(rescan, noProperties::get, postgres::get, print(out), print(err)))
				.as("a shared PostgreSQL store has no holder").isNull();
			assertThat(LocalStore.forwardToHolder(new String[] { "serve" }, noProperties::get, env::get, print(out),
					print(err))).as("serve holds the store itself").isNull();
			Map<String, String> autoServer = Map.of("TRAWL_DATA_DIR", data.toString(), "SPRING_DATASOURCE_URL",
					"jdbc:h2:file:" + data + "/trawl;AUTO_SERVER=TRUE");
			assertThat(LocalStore.forwardToHolder(rescan, noProperties::get, autoServer::get, print(out), print(err)))
				.as("left to claim, which refuses AUTO_SERVER in one sentence").isNull();
		}
	}

	@Test
	void aCommandGoesOnlyToAHolderOfTheSameUser() {
		Path socket = data.resolve("trawl.sock");

		assertThat(StoreClient.otherUser("alice", Optional.of("alice"), socket)).isNull();
		assertThat(StoreClient.otherUser("mallory", Optional.of("alice"), socket)).isEqualTo("the process listening on "
				+ socket + " runs as mallory, not as alice; nothing was sent to it. Use a data folder of your own "
				+ "(TRAWL_DATA_DIR)");
		assertThat(StoreClient.otherUser("alice", Optional.empty(), socket)).as("an unknown user trusts nobody")
			.contains("runs as alice, not as this user");
	}

	@Test
	void aDataFolderTooDeepForASocketStillClaimsTheStoreAlone() throws Exception {
		Path deep = Files.createDirectories(data.resolve("d".repeat(120)));
		try (StoreListener holder = StoreListener.tryClaim(deep)) {
			assertThat(holder).isNotNull();
			assertThat(holder.answers()).isFalse();
			holder.serve((args, commandOut, commandErr) -> 0, null);
			assertThatThrownBy(
					() -> StoreClient.forward(holder.socket(), new String[] { "status" }, print(out), print(err)))
				.isInstanceOf(StoreClient.NotListening.class);
		}
	}

	private static String mode(Path path) throws Exception {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

	private static PrintStream print(ByteArrayOutputStream bytes) {
		return new PrintStream(bytes, true, StandardCharsets.UTF_8);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] both = new byte[a.length + b.length];
		System.arraycopy(a, 0, both, 0, a.length);
		System.arraycopy(b, 0, both, a.length, b.length);
		return both;
	}
}
