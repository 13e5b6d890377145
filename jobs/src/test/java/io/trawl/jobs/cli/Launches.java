package io.trawl.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/** What the integration tests that run Trawl as a user does share: a corpus of random files, and ./trawl itself. */
final class Launches {

	private Launches() {
	}

	/**
	 * {@code count} files of random bytes, {@code minBytes} to {@code minBytes + spread} long, each at the path
	 * {@code name} gives for its index (subfolders are created).
	 */
	static List<Path> randomFiles(Path corpus, int count, long seed, int minBytes, int spread, IntFunction<String> name)
			throws IOException {
		Random random = new Random(seed);
		List<Path> files = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			byte[] content = new byte[minBytes + random.nextInt(spread)];
			random.nextBytes(content);
			Path file = corpus.resolve(name.apply(i));
			Files.createDirectories(file.getParent());
			files.add(Files.write(file, content));
		}
		return files;
	}

	/** The launcher, {@code ../trawl}, on its own data folder, with the default rules and two partitions. */
	static ProcessBuilder trawl(Path data, String... args) {
		List<String> command = new ArrayList<>(List.of(Path.of("../trawl").toAbsolutePath().normalize().toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().put("TRAWL_DATA_DIR", data.toString());
		builder.environment().put("TRAWL_RULES", Path.of("../config/rules").toAbsolutePath().normalize().toString());
		builder.environment().put("TRAWL_GRID_SIZE", "2");
		builder.environment().put("TRAWL_AUTO_RESTARTS", "3");
		return builder;
	}

	/**
	 * The production jar run by {@code java -jar} itself, without the launcher (so the test holds the job's JVM), on
	 * its own data folder, with the default rules and two partitions.
	 */
	static ProcessBuilder jar(Path data, String... args) {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-jar", Path.of("target/trawl.jar").toAbsolutePath().toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().put("TRAWL_DATA_DIR", data.toString());
		builder.environment().put("TRAWL_RULES", Path.of("../config/rules").toAbsolutePath().normalize().toString());
		builder.environment().put("TRAWL_GRID_SIZE", "2");
		return builder;
	}

	/** A launcher's captured output, or why it cannot be read, for a failure message. */
	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			return e.toString();
		}
	}

	/** Plugs in an analyzer from the test classes, as a user's jar on TRAWL_CLASSPATH would be. */
	static ProcessBuilder withTestAnalyzer(ProcessBuilder trawl, Class<?> analyzer) {
		trawl.environment().put("TRAWL_CLASSPATH", Path.of("target/test-classes").toAbsolutePath().toString());
		trawl.environment().put("TRAWL_EXTRA_ANALYZERS", analyzer.getName());
		return trawl;
	}

	/** SIGKILL to the launcher's java child, as the OOM killer or a kill -9 would send it. */
	static void killJvm(Process launcher, Supplier<String> err) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		List<ProcessHandle> children = List.of();
		while (System.nanoTime() < deadline) {
			children = launcher.toHandle().children().toList();
			List<ProcessHandle> jvms = children.stream()
				.filter(child -> child.info().command().orElse("").endsWith("/java"))
				.toList();
			if (jvms.size() == 1) {
				jvms.get(0).destroyForcibly();
				return;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("the launcher has no single java child: " + children.stream()
			.map(child -> child.pid() + " " + child.info().commandLine().orElse("?"))
			.toList() + ", alive " + launcher.isAlive() + ", " + err.get());
	}
}
