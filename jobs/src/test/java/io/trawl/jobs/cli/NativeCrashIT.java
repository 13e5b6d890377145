package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.ReferenceTools;

/**
 * A hostile file that crashes native code, through the real launcher: {@code ./trawl rescan} with
 * {@link CrashingAnalyzer} plugged in (TRAWL_CLASSPATH, TRAWL_EXTRA_ANALYZERS), a real SIGSEGV.
 * <ul>
 * <li>By default native code runs in host processes: the host dies, the JVM does not. The file gets an error for the
 * crashing analyzer, every other field (ssdeep and YARA included), and the job completes in one run.</li>
 * <li>With {@code TRAWL_ISOLATE_NATIVE_CODE=false} the JVM itself dies (hs_err, exit 134); the launcher restarts the
 * job, whose careful first chunk finds the file and analyses it without native code (YARA and the crashing
 * analyzer; ssdeep is Java and still runs).</li>
 * </ul>
 * Either way the job completes with one result per file, none lost, none duplicated, none of the others suspected.
 */
class NativeCrashIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int ORDINARY = 60;
	private static final String POISON = "d1/sample-0031-poison.bin";

	@TempDir
	Path workspace;

	@Test
	void aSampleThatCrashesNativeCodeKillsItsHostProcessNotTheJvm() throws Exception {
		Path corpus = workspace.resolve("corpus");
		List<Path> ordinary = ordinaryFiles(corpus);
		Path poison = poison(corpus);
		Path data = workspace.resolve("data");

		JsonNode summary = rescan(data, corpus);
		String err = Files.readString(workspace.resolve("rescan.err"));

		assertThat(err).doesNotContain("crashed", "restarting");
		try (Stream<Path> files = Files.list(data)) {
			assertThat(files.map(p -> p.getFileName().toString())).as("crash logs: the host's only")
				.anyMatch(name -> name.matches("hs_err_native_pid\\d+\\.log"))
				.noneMatch(name -> name.matches("hs_err_pid\\d+\\.log"));
		}
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("resultEvents").asLong()).isEqualTo(ORDINARY + 1);
		assertThat(summary.get("errors").asLong()).as("only the poison has errors").isEqualTo(1);

		Map<String, JsonNode> bySha = results(data, summary);
		Map<Path, String> sha256 = ReferenceTools.sums("sha256sum", append(ordinary, poison));
		Map<Path, String> ssdeep = ReferenceTools.ssdeep(corpus);
		for (Path file : append(ordinary, poison)) {
			JsonNode row = bySha.get(sha256.get(file));
			assertThat(row).as("result for %s", file).isNotNull();
			assertThat(row.get("ssdeep").asString()).as("ssdeep of %s", file).isEqualTo(ssdeep.get(file));
			assertThat(row.has("yara")).as("YARA ran on %s", file).isTrue();
		}
		for (Path file : ordinary) {
			assertThat(bySha.get(sha256.get(file)).get("errors")).as("errors of %s", file).isEmpty();
		}
		JsonNode contained = bySha.get(sha256.get(poison));
		assertThat(contained.get("errors")).singleElement().satisfies(error -> {
			assertThat(error.get("analyzer").asString()).isEqualTo("crashing");
			assertThat(error.get("message").asString()).startsWith("its native analysis process died while analysing "
					+ "this sample (exit 134, a crash in native code; crash log " + data.resolve("hs_err_native_pid"));
		});
	}

	@Test
	void aSampleThatCrashesTheJvmIsContainedAndTheJobCompletes() throws Exception {
		Path corpus = workspace.resolve("corpus");
		List<Path> ordinary = ordinaryFiles(corpus);
		Path poison = poison(corpus);
		Path data = workspace.resolve("data");

		// two partitions of about 30 files, one chunk each: the poison is in the middle of its partition's chunk
		JsonNode summary = rescan(data, corpus, "--trawl.analysis.chunk-size=100",
				"--trawl.analysis.isolate-native-code=false");
		String err = Files.readString(workspace.resolve("rescan.err"));

		assertThat(err).contains("trawl: the JVM crashed (exit 134)", "trawl: restarting job execution");
		try (Stream<Path> files = Files.list(data)) {
			assertThat(files.map(p -> p.getFileName().toString())).as("crash logs").anyMatch(
					name -> name.matches("hs_err_pid\\d+\\.log"));
		}
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("samples").asLong()).isEqualTo(ORDINARY + 1);
		assertThat(summary.get("files").asLong()).isEqualTo(ORDINARY + 1);
		assertThat(summary.get("resultEvents").asLong()).as("nothing lost, nothing duplicated").isEqualTo(ORDINARY + 1);
		assertThat(summary.get("errors").asLong()).as("only the poison has errors").isEqualTo(1);

		Map<String, JsonNode> bySha = results(data, summary);

		Map<Path, String> sha256 = ReferenceTools.sums("sha256sum", append(ordinary, poison));
		for (Path file : ordinary) {
			JsonNode row = bySha.get(sha256.get(file));
			assertThat(row).as("result for %s", file).isNotNull();
			assertThat(row.get("errors")).as("errors of %s", file).isEmpty();
			assertThat(row.get("size").asLong()).isEqualTo(Files.size(file));
			assertThat(row.get("crashing").asString()).isEqualTo("survived");
			assertThat(row.get("ssdeep").asString()).isNotBlank();
		}
		JsonNode contained = bySha.get(sha256.get(poison));
		assertThat(contained).as("result for the poison").isNotNull();
		assertThat(contained.get("size").asLong()).isEqualTo(Files.size(poison));
		assertThat(contained.get("md5").asString()).hasSize(32);
		assertThat(contained.has("tlsh")).isTrue();
		assertThat(contained.get("entropy").isNumber()).isTrue();
		assertThat(contained.get("verdict").asString()).isEqualTo("error");
		TreeSet<String> skipped = new TreeSet<>();
		contained.get("errors").forEach(error -> {
			skipped.add(error.get("analyzer").asString());
			assertThat(error.get("message").asString())
				.startsWith("not run: the worker process died while this sample was being analysed (job execution ");
		});
		assertThat(skipped).containsExactly("crashing", "yara");
		assertThat(contained.get("ssdeep").asString()).as("ssdeep is Java: it still runs, as the CLI hashes")
			.isEqualTo(ReferenceTools.ssdeep(corpus).get(poison));
		assertThat(contained.get("sources").get(0).asString()).isEqualTo(POISON);
	}

	private static List<Path> ordinaryFiles(Path corpus) throws IOException {
		return Launches.randomFiles(corpus, ORDINARY, 11, 2048, 16 * 1024,
				i -> String.format("d%d/sample-%04d.bin", i % 2, i));
	}

	private static Path poison(Path corpus) throws IOException {
		return Files.writeString(corpus.resolve(POISON),
				CrashingAnalyzer.MARKER + " followed by the rest of a hostile file\n".repeat(40));
	}

	/** {@code ./trawl rescan} of the corpus, which must exit 0 (stderr in rescan.err); its JSON summary. */
	private JsonNode rescan(Path data, Path corpus, String... settings) throws Exception {
		List<String> args = new ArrayList<>(List.of("rescan", "--source", corpus.toString()));
		args.addAll(List.of(settings));
		Process rescan = trawl(data, args.toArray(String[]::new))
			.redirectError(workspace.resolve("rescan.err").toFile())
			.start();
		String out = new String(rescan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(rescan.waitFor(8, TimeUnit.MINUTES)).isTrue();
		assertThat(rescan.exitValue()).as(Files.readString(workspace.resolve("rescan.err"))).isZero();
		return JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
	}

	/** The job's results by sha256, one row per sample. */
	private Map<String, JsonNode> results(Path data, JsonNode summary) throws Exception {
		Process results = trawl(data, "results", "--job", summary.get("jobExecutionId").asString())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		List<JsonNode> rows = new String(results.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
			.filter(l -> !l.isBlank())
			.map(JSON::readTree)
			.toList();
		assertThat(results.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(rows).hasSize(ORDINARY + 1);
		Map<String, JsonNode> bySha = new HashMap<>();
		rows.forEach(row -> assertThat(bySha.put(row.get("sha256").asString(), row)).as("one row per sample").isNull());
		return bySha;
	}

	private static List<Path> append(List<Path> files, Path one) {
		List<Path> all = new ArrayList<>(files);
		all.add(one);
		return all;
	}

	private ProcessBuilder trawl(Path data, String... args) {
		ProcessBuilder builder = Launches.withTestAnalyzer(Launches.trawl(data, args), CrashingAnalyzer.class);
		builder.environment().put("TRAWL_THREADS", "2");
		return builder;
	}
}
