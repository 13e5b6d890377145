package io.trawl.terraform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs node (from PATH) on a script, with the repository's node_modules, for the checks that need npm tools. */
final class NodeScript {

	/** The module directory, which is also the Terraform root: surefire runs the tests there. */
	static final Path TERRAFORM_DIR = terraformDir();

	static final Path REPOSITORY_ROOT = TERRAFORM_DIR.getParent();

	static final Path NODE_MODULES = REPOSITORY_ROOT.resolve("node_modules");

	private static final long TIMEOUT_SECONDS = 120;

	record Result(int exitCode, String stdout, String stderr) {

		String describe() {
			return "exit code " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
		}
	}

	private NodeScript() {
	}

	private static Path terraformDir() {
		Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
		// Run from the repository root (an IDE, say), the module is one level down
		return Files.isRegularFile(dir.resolve("main.tf")) ? dir : dir.resolve("terraform");
	}

	/** Fails with what to do when an npm package the checks need is not installed. */
	static Path requirePackage(String name) {
		Path dir = NODE_MODULES.resolve(name);
		if (!Files.isDirectory(dir)) {
			throw new AssertionError("The npm package " + name + " is missing from " + NODE_MODULES
					+ ". Run 'npm ci' at the repository root (" + REPOSITORY_ROOT + "), then run the tests again.");
		}
		return dir;
	}

	static Result run(Path workingDir, String... arguments) {
		List<String> command = new ArrayList<>();
		command.add("node");
		command.addAll(List.of(arguments));
		try {
			Path out = Files.createTempFile("node-out", ".txt");
			Path err = Files.createTempFile("node-err", ".txt");
			try {
				Process process = new ProcessBuilder(command).directory(workingDir.toFile())
					.redirectOutput(out.toFile())
					.redirectError(err.toFile())
					.start();
				if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
					process.destroyForcibly();
					throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s.");
				}
				return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
						Files.readString(err, StandardCharsets.UTF_8));
			}
			finally {
				Files.deleteIfExists(out);
				Files.deleteIfExists(err);
			}
		}
		catch (IOException e) {
			throw new AssertionError("Could not run node (" + e.getMessage()
					+ "). Install Node.js 18 or newer and put node on the PATH.", e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while running " + String.join(" ", command), e);
		}
	}
}
