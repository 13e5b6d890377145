package io.trawl.worker.isolation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import io.trawl.worker.analysis.AnalyzerSpec;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * One native host running YARA over every file of a corpus, driven as a job drives it (one request per sample, its
 * file by path), then asked to exit (its stdin closed) rather than killed, so that a profiler inside it
 * ({@code -Dhost.opts=-agentpath:...=start,file=...}) writes its output. Prints the host's CPU to {@code ready} and
 * per pass, and this JVM's. Not a test; run by hand from the repository's root:
 *
 * <pre>
 * ./mvnw -B -q -pl worker test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.isolation.YaraHostBench CORPUS RULES [passes=3]
 * </pre>
 * {@code -Dhost.inMemoryLimit=N}: samples up to N bytes are read into the host's memory; 0 (the default) as a job's
 * hosts that run YARA alone, where libyara maps each file. The host starts without the app's AOT cache (a class path of several entries has none), so its start-up costs more
 * than in a rescan; the per-pass figures are what to compare.
 */
public final class YaraHostBench {

	private YaraHostBench() {
	}

	public static void main(String[] args) throws Exception {
		Path corpus = Path.of(args[0]);
		Path rulesPath = Path.of(args[1]);
		int passes = args.length > 2 ? Integer.parseInt(args[2]) : 3;
		List<Path> files;
		try (Stream<Path> walk = Files.walk(corpus)) {
			files = walk.filter(Files::isRegularFile).sorted().toList();
		}
		AnalyzerSpec spec;
		try (YaraRules rules = YaraRules.compile(rulesPath, 60)) {
			spec = new YaraAnalyzer(rules).spec();
		}
		Path logs = Files.createTempDirectory("yara-host-bench");
		List<String> command = new ArrayList<>(NativeHosts.commandFor(logs, 0));
		String opts = System.getProperty("host.opts", "");
		if (!opts.isBlank()) {
			command.addAll(command.indexOf("-cp"), List.of(opts.trim().split("\\s+")));
		}
		Process host = new ProcessBuilder(command).redirectError(logs.resolve("native-host.log").toFile()).start();
		DataOutputStream requests = new DataOutputStream(new BufferedOutputStream(host.getOutputStream()));
		DataInputStream answers = new DataInputStream(new BufferedInputStream(host.getInputStream()));
		long parentStart = cpu();
		Frames.write(requests, Map.of("analyzers", List.of(Map.of("class", spec.type(), "settings", spec.settings())),
				"inMemoryLimit", Long.getLong("host.inMemoryLimit", 0L)));
		Map<String, Object> ready = Frames.read(answers);
		System.out.printf(Locale.ROOT, "%d files; host ready (%s): %.3f CPU s%n", files.size(), ready,
				hostCpu(host));
		long token = 0;
		for (int pass = 0; pass < passes; pass++) {
			double hostBefore = hostCpu(host);
			long parentBefore = cpu();
			long wall = System.nanoTime();
			long matches = 0;
			for (Path file : files) {
				Frames.write(requests, Map.of("analyzer", "yara", "sample", ++token, "name",
						file.getFileName().toString(), "path", file.toString(), "fields",
						Map.of("mimeType", "application/x-executable")));
				Map<String, Object> answer = Frames.read(answers);
				if (answer.get("error") != null) {
					throw new IllegalStateException(file + ": " + answer.get("error"));
				}
				matches += ((List<?>) ((Map<?, ?>) answer.get("fields")).get("yara")).size();
			}
			System.out.printf(Locale.ROOT, "pass %d: wall %.3f s, host CPU %.3f s, this JVM %.3f s; %d matches%n", pass,
					(System.nanoTime() - wall) / 1e9, hostCpu(host) - hostBefore, (cpu() - parentBefore) / 1e9,
					matches);
		}
		double beforeExit = hostCpu(host);
		requests.close();
		host.waitFor();
		System.out.printf(Locale.ROOT, "host CPU in all %.3f s (exit %d); this JVM %.3f s%n", beforeExit,
				host.exitValue(), (cpu() - parentStart) / 1e9);
	}

	/** The host's user + system CPU so far, from /proc (ProcessHandle's figure ends with the process). */
	private static double hostCpu(Process host) throws java.io.IOException {
		String stat = Files.readString(Path.of("/proc/" + host.pid() + "/stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
	}

	private static long cpu() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}
}
