package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded store is private (issue 11): while {@code ./trawl rescan} runs, {@code ./trawl status --json} in a
 * second process sees the job, through the rescan's Unix socket; the rescan's JVMs listen on no TCP port (H2 ran an
 * AUTO_SERVER port that let other local users in); {@code serve} listens on loopback only; and {@code data/} is 0700
 * with 0600 files. Through the real launcher, with {@link HangingAnalyzer} holding the job running until the test is
 * done looking.
 */
class StatusWhileRescanIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int FILES = 200;
	private static final String LISTEN = "0A";

	@TempDir
	Path workspace;

	@Test
	void statusAnswersWhileARescanRunsAndNothingListensOnTcp() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Launches.randomFiles(corpus, FILES, 11, 64 * 1024, 128 * 1024, i -> String.format("sample-%04d.bin", i));
		Files.writeString(corpus.resolve("sample-0100-held.bin"), HangingAnalyzer.MARKER + " held\n".repeat(100));
		Path data = workspace.resolve("data");
		Path armed = Files.writeString(workspace.resolve("hang"), "armed");

		Process rescan = trawl(data, armed, "rescan", "--source", corpus.toString())
			.redirectOutput(workspace.resolve("rescan.out").toFile())
			.redirectError(workspace.resolve("rescan.err").toFile())
			.start();
		awaitFile(Path.of(armed + ".hanging"), rescan, "rescan.err");

		// a second process, from another folder, as a user would type it
		Process status = trawl(data, armed, "status", "--json").directory(workspace.toFile())
			.redirectError(workspace.resolve("status.err").toFile())
			.start();
		String statusOut = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(status.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(status.exitValue()).as(read("status.err")).isZero();
		JsonNode running = JSON.readTree(statusOut).get(0);
		assertThat(running.get("status").asString()).isEqualTo("STARTED");
		assertThat(running.get("source").asString()).isEqualTo(corpus.toString());
		assertThat(running.get("progress").get("totalFiles").asLong()).isEqualTo(FILES + 1);
		long verdictsSoFar = running.get("verdicts").valueStream().mapToLong(JsonNode::asLong).sum();
		assertThat(running.get("resultEvents").asLong()).as("the results committed so far, one verdict each")
			.isEqualTo(verdictsSoFar);

		List<ProcessHandle> jvms = rescan.toHandle().descendants().filter(p -> p.info().command()
			.orElse("").endsWith("/java")).toList();
		assertThat(jvms).as("the rescan's JVM and its native hosts").isNotEmpty();
		for (ProcessHandle jvm : jvms) {
			assertThat(listeningTcp(jvm.pid())).as("TCP sockets %s listens on", jvm.info().commandLine().orElse(""))
				.isEmpty();
		}
		assertThat(jvms.stream().anyMatch(jvm -> listensOnUnixSocket(jvm.pid(), data.resolve("trawl.sock"))))
			.as("the check sees the sockets a JVM listens on: one listens on data/trawl.sock")
			.isTrue();
		assertThat(mode(data)).isEqualTo("rwx------");
		assertThat(mode(data.resolve("trawl.sock"))).isEqualTo("rw-------");

		Files.delete(armed);
		assertThat(rescan.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(rescan.exitValue()).as(read("rescan.err")).isZero();
		JsonNode summary = JSON.readTree(read("rescan.out").strip().lines().reduce((a, b) -> b).orElseThrow());
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("resultEvents").asLong()).isEqualTo(FILES + 1);

		assertThat(mode(data)).isEqualTo("rwx------");
		assertThat(regularFiles(data)).isNotEmpty().allSatisfy(file -> assertThat(mode(file)).as(file.toString())
			.isEqualTo("rw-------"));
		assertThat(data.resolve("trawl.lock.db")).as("H2's server key file").doesNotExist();
		assertThat(data.resolve("trawl.sock")).as("removed when its holder ends").doesNotExist();
	}

	@Test
	void serveListensOnLoopbackOnlyAndAnswersOtherCommandsOnItsSocket() throws Exception {
		Path data = workspace.resolve("data");
		Path armed = workspace.resolve("not-armed");
		// the web port only: the default bind address is the security work's (TRAWL_BIND_ADDRESS); the store adds none
		Process serve = trawl(data, armed, "serve", "--server.port=0")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(workspace.resolve("serve.err").toFile())
			.start();
		try {
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
			Set<String> listening = Set.of();
			while (listening.isEmpty()) {
				assertThat(serve.isAlive()).as(read("serve.err")).isTrue();
				assertThat(System.nanoTime()).as("serve listening within 3 minutes").isLessThan(deadline);
				Thread.sleep(200);
				listening = listeningTcp(serve.pid());
			}
			// 127.0.0.1 in /proc's hex, as IPv4 or as an IPv4-mapped IPv6 address (Java's dual-stack sockets)
			assertThat(listening).singleElement().satisfies(address -> assertThat(address.split(":")[0])
				.isIn("0100007F", "0000000000000000FFFF00000100007F"));

			Process status = trawl(data, armed, "status", "--json")
				.redirectError(workspace.resolve("status.err").toFile())
				.start();
			String out = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(status.waitFor(2, TimeUnit.MINUTES)).isTrue();
			assertThat(status.exitValue()).as(read("status.err")).isZero();
			assertThat(JSON.readTree(out).isArray()).as(out).isTrue();
			assertThat(listensOnUnixSocket(serve.pid(), data.resolve("trawl.sock"))).isTrue();
			assertThat(listeningTcp(serve.pid())).isEqualTo(listening);

			// a rescan goes to the running service from the launcher's first JVM: a job JVM of its own, which
			// TRAWL_JAVA_OPTS alone reaches, could not even start with a 1 KB heap
			Path corpus = Files.createDirectories(workspace.resolve("corpus"));
			Launches.randomFiles(corpus, 5, 12, 1024, 4096, i -> "sample-" + i + ".bin");
			ProcessBuilder forwarded = trawl(data, armed, "rescan", "--source", corpus.toString())
				.redirectError(workspace.resolve("forwarded.err").toFile());
			forwarded.environment().put("TRAWL_JAVA_OPTS", "-Xmx1k");
			Process rescan = forwarded.start();
			String rescanOut = new String(rescan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(rescan.waitFor(2, TimeUnit.MINUTES)).isTrue();
			assertThat(rescan.exitValue()).as(read("forwarded.err")).isZero();
			JsonNode summary = JSON.readTree(rescanOut.strip().lines().reduce((a, b) -> b).orElseThrow());
			assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
			assertThat(summary.get("samples").asInt()).isEqualTo(5);
		}
		finally {
			serve.destroy();
			assertThat(serve.waitFor(1, TimeUnit.MINUTES)).isTrue();
		}
		assertThat(regularFiles(data)).allSatisfy(file -> assertThat(mode(file)).as(file.toString())
			.isEqualTo("rw-------"));
	}

	@Test
	void commandsStartedTogetherAllAnswerWithoutTheStoreBeingInUse() throws Exception {
		Path data = workspace.resolve("data");
		Path armed = workspace.resolve("not-armed");
		List<Process> together = new java.util.ArrayList<>();
		for (int i = 0; i < 3; i++) {
			together.add(trawl(data, armed, "status", "--json")
				.redirectError(workspace.resolve("status-" + i + ".err").toFile())
				.start());
		}
		for (int i = 0; i < together.size(); i++) {
			Process status = together.get(i);
			String out = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(status.waitFor(2, TimeUnit.MINUTES)).isTrue();
			// one holds the store, the others ask it or wait for it: none meets H2's "already in use"
			assertThat(status.exitValue()).as(read("status-" + i + ".err")).isZero();
			assertThat(JSON.readTree(out).isArray()).as(out).isTrue();
		}
	}

	/** The local addresses (hex, as /proc shows them) of the TCP sockets {@code pid} listens on, IPv4 and IPv6. */
	static Set<String> listeningTcp(long pid) throws IOException {
		Set<String> inodes = socketInodes(pid);
		Set<String> addresses = new HashSet<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 9 && fields[3].equals(LISTEN) && inodes.contains(fields[9])) {
					addresses.add(fields[1]);
				}
			}
		}
		return addresses;
	}

	private static boolean listensOnUnixSocket(long pid, Path path) {
		try {
			Set<String> inodes = socketInodes(pid);
			return Files.readAllLines(Path.of("/proc/net/unix")).stream()
				.map(line -> line.trim().split("\\s+"))
				.anyMatch(fields -> fields.length >= 8 && fields[7].equals(path.toString())
						&& inodes.contains(fields[6]));
		}
		catch (IOException e) {
			return false;
		}
	}

	private static Set<String> socketInodes(long pid) throws IOException {
		Set<String> inodes = new HashSet<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			for (Path fd : (Iterable<Path>) fds::iterator) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(target.substring("socket:[".length(), target.length() - 1));
					}
				}
				catch (IOException closedMeanwhile) {
					// a descriptor closed while listed
				}
			}
		}
		return inodes;
	}

	private static List<Path> regularFiles(Path data) throws IOException {
		try (Stream<Path> files = Files.walk(data)) {
			return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
				.collect(Collectors.toList());
		}
	}

	private static String mode(Path path) throws IOException {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
	}

	private void awaitFile(Path file, Process launcher, String err) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
		while (!Files.exists(file)) {
			assertThat(launcher.isAlive()).as("still running: %s", read(err)).isTrue();
			assertThat(System.nanoTime()).as("the sample held within 3 minutes").isLessThan(deadline);
			Thread.sleep(50);
		}
	}

	private String read(String name) {
		return Launches.read(workspace.resolve(name));
	}

	private ProcessBuilder trawl(Path data, Path armed, String... args) {
		ProcessBuilder builder = Launches.withTestAnalyzer(Launches.trawl(data, args), HangingAnalyzer.class);
		Map<String, String> env = builder.environment();
		env.put("TRAWL_TEST_HANG", armed.toString());
		return builder;
	}
}
