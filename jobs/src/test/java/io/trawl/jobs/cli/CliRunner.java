package io.trawl.jobs.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs {@code ./trawl}'s main class in this JVM with the given environment, for tests in other packages. */
public final class CliRunner {

	/** What a command printed, and its exit code. */
	public record Run(int exitCode, String stdout, String stderr) {

		public String lastLine() {
			String[] lines = stdout.strip().split("\n");
			return lines[lines.length - 1];
		}
	}

	private CliRunner() {
	}

	public static Run run(Map<String, String> env, String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code;
		try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
				PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
			code = new TrawlCli(o, e, env).run(args);
		}
		return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}
}
