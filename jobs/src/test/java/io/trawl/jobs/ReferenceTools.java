package io.trawl.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** The reference tools the tests compare Trawl against: coreutils' hash sums and the yara CLI. */
public final class ReferenceTools {

	private ReferenceTools() {
	}

	/** Runs a command and returns its stdout; fails (never skips) when the tool is missing or errs. */
	public static String run(List<String> command) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		}
		catch (IOException e) {
			throw new IllegalStateException(command.get(0) + " is not installed; .ci/run installs it (apt-get install -y "
					+ (command.get(0).equals("yara") ? "yara" : "coreutils") + ")", e);
		}
		byte[] out = process.getInputStream().readAllBytes();
		if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IllegalStateException(command + " failed with exit code " + process.exitValue());
		}
		return new String(out, StandardCharsets.UTF_8);
	}

	/** {@code md5sum}/{@code sha1sum}/{@code sha256sum} of each file: absolute path to hex digest. */
	public static Map<Path, String> sums(String tool, List<Path> files) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(tool, "--"));
		files.forEach(f -> command.add(f.toString()));
		Map<Path, String> sums = new HashMap<>();
		for (String line : run(command).split("\n")) {
			if (!line.isBlank()) {
				sums.put(Path.of(line.substring(line.indexOf("  ") + 2)), line.substring(0, line.indexOf(' ')));
			}
		}
		return sums;
	}

	/** The rules the yara CLI says match each file, for every file under {@code dir}. */
	public static Map<Path, Set<String>> yara(Path rules, Path dir) throws IOException, InterruptedException {
		Map<Path, Set<String>> hits = new HashMap<>();
		for (String line : run(List.of("yara", "-r", "-w", rules.toString(), dir.toString())).split("\n")) {
			if (!line.isBlank()) {
				int space = line.indexOf(' ');
				hits.computeIfAbsent(Path.of(line.substring(space + 1)), p -> new TreeSet<>())
					.add(line.substring(0, space));
			}
		}
		return hits;
	}

	/** What {@code ssdeep -r} prints for each file under {@code dir} (names without quotes or newlines). */
	public static Map<Path, String> ssdeep(Path dir) throws IOException, InterruptedException {
		Map<Path, String> hashes = new HashMap<>();
		for (String line : run(List.of("ssdeep", "-r", "-s", dir.toString())).split("\n")) {
			int quote = line.indexOf(",\"");
			if (quote > 0 && line.endsWith("\"")) {
				hashes.put(Path.of(line.substring(quote + 2, line.length() - 1)), line.substring(0, quote));
			}
		}
		return hashes;
	}
}
