package io.trawl.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** buildspec.yml and the GitHub workflows, read as YAML. */
final class BuildFilePolicies {

	static final Path BUILDSPEC = NodeScript.REPOSITORY_ROOT.resolve("buildspec.yml");

	static final Path WORKFLOWS = NodeScript.REPOSITORY_ROOT.resolve(".github/workflows");

	static final List<String> NATIVE_PACKAGES = List.of("libyara9", "libyara-dev", "libfuzzy2", "libfuzzy-dev", "yara",
			"ssdeep");

	/** What the deploy stage publishes, so what the build must hand over. */
	static final List<String> RELEASE_FILES = List.of("jobs/target/trawl.jar", "config/**/*", "trawl");

	private BuildFilePolicies() {
	}

	static Map<String, Object> load(Path file) {
		try {
			// SafeConstructor: plain maps and lists; "on:" stays a string key (YAML 1.1 would read it as true)
			Map<Object, Object> raw = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
			Map<String, Object> yaml = new LinkedHashMap<>();
			raw.forEach((key, value) -> yaml.put(Boolean.TRUE.equals(key) ? "on" : String.valueOf(key), value));
			return yaml;
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read " + file, e);
		}
	}

	static List<Path> workflows() {
		try (Stream<Path> files = Files.list(WORKFLOWS)) {
			return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot list " + WORKFLOWS, e);
		}
	}

	/** The build phase runs the README's test command, and the jar, config/ and the launcher are the artifacts. */
	static List<String> buildspecRunsTheTestsAndDeclaresTheJar(Map<String, Object> buildspec) {
		List<String> violations = new ArrayList<>();
		if (!"0.2".equals(String.valueOf(buildspec.get("version")))) {
			violations.add("buildspec.yml is not version 0.2");
		}
		if (commands(buildspec, "build").stream().noneMatch(c -> c.trim().equals("./trawl test"))) {
			violations.add("The build phase of buildspec.yml does not run ./trawl test");
		}
		List<String> files = strings(at(buildspec, "artifacts", "files"));
		for (String file : RELEASE_FILES) {
			if (!files.contains(file)) {
				violations.add("buildspec.yml artifacts do not include " + file + ", which the deploy stage publishes");
			}
		}
		return violations;
	}

	static List<String> buildspecInstallsWhatTheBuildNeeds(Map<String, Object> buildspec) {
		List<String> violations = new ArrayList<>();
		String install = String.join("\n", commands(buildspec, "install"));
		for (String pkg : NATIVE_PACKAGES) {
			if (!install.matches("(?s).*apt-get install[^\n]* " + pkg.replace("+", "\\+") + "(\\s.*|$)")) {
				violations.add("The install phase of buildspec.yml does not apt-get install " + pkg);
			}
		}
		if (!install.contains("npm ci")) {
			violations.add("The install phase of buildspec.yml does not run npm ci (dynalite, hcl2json, action-validator)");
		}
		return violations;
	}

	/** CI runs on push and pull request, on JDK 17 and 25 from Temurin, and runs ./trawl test. */
	static List<String> ciRunsTheTestsOnJdk17And25(Map<String, Object> workflow) {
		List<String> violations = new ArrayList<>();
		Object on = workflow.get("on");
		String triggers = on instanceof Map<?, ?> map ? map.keySet().toString() : String.valueOf(on);
		if (!triggers.contains("push") || !triggers.contains("pull_request")) {
			violations.add("ci.yml does not run on both push and pull_request (it runs on " + triggers + ")");
		}
		List<Map<?, ?>> jobs = jobs(workflow);
		boolean bothJdks = jobs.stream()
			.map(j -> strings(at(j, "strategy", "matrix", "java")))
			.anyMatch(versions -> versions.containsAll(List.of("17", "25")));
		if (!bothJdks) {
			violations.add("No ci.yml job has a strategy.matrix.java with 17 and 25");
		}
		boolean temurin = steps(jobs).anyMatch(s -> String.valueOf(s.get("uses")).startsWith("actions/setup-java@")
				&& "temurin".equals(at(s, "with", "distribution")) && "${{ matrix.java }}".equals(at(s, "with", "java-version")));
		if (!temurin) {
			violations.add("ci.yml does not set up the matrix JDK with actions/setup-java (distribution temurin)");
		}
		if (steps(jobs).noneMatch(s -> "./trawl test".equals(String.valueOf(s.get("run")).trim()))) {
			violations.add("ci.yml has no step running ./trawl test");
		}
		String runs = String.join("\n", steps(jobs).map(s -> String.valueOf(s.get("run"))).toList());
		NATIVE_PACKAGES.stream()
			.filter(pkg -> !runs.matches("(?s).*\\s" + pkg + "(\\s.*|$)"))
			.forEach(pkg -> violations.add("ci.yml does not install " + pkg));
		return violations;
	}

	static List<String> infraWorkflowRunsThePolicyTests(Map<String, Object> workflow) {
		boolean runs = steps(jobs(workflow)).anyMatch(s -> "./mvnw -B -pl terraform verify".equals(String.valueOf(s.get("run")).trim()));
		return runs ? List.of() : List.of("infra.yml has no step running ./mvnw -B -pl terraform verify");
	}

	private static List<String> commands(Map<String, Object> buildspec, String phase) {
		return strings(at(buildspec, "phases", phase, "commands"));
	}

	private static List<Map<?, ?>> jobs(Map<String, Object> workflow) {
		Object jobs = workflow.get("jobs");
		if (!(jobs instanceof Map<?, ?> map)) {
			return List.of();
		}
		return map.values().stream().filter(Map.class::isInstance).<Map<?, ?>>map(j -> (Map<?, ?>) j).toList();
	}

	private static Stream<Map<?, ?>> steps(List<Map<?, ?>> jobs) {
		return jobs.stream()
			.flatMap(j -> j.get("steps") instanceof List<?> steps ? steps.stream() : Stream.empty())
			.filter(Map.class::isInstance)
			.<Map<?, ?>>map(s -> (Map<?, ?>) s);
	}

	private static Object at(Object node, String... path) {
		Object current = node;
		for (String key : path) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(key);
		}
		return current;
	}

	private static List<String> strings(Object value) {
		if (value instanceof List<?> list) {
			return list.stream().filter(Objects::nonNull).map(String::valueOf).toList();
		}
		return value == null ? List.of() : List.of(String.valueOf(value));
	}
}
