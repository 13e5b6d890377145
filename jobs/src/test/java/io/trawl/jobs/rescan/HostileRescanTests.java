package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.batch.test.context.SpringBatchTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.ReferenceTools;
import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * Issue 3's hostile-input suite as a whole rescan job: a zip bomb, archives nested 20 deep, path traversal, a corrupt
 * archive, truncated PE and ELF, an empty file, random bytes and a 1 GiB sparse file. The job completes, and every
 * file's hashes, size, ssdeep and YARA matches are those of coreutils, the ssdeep CLI and the yara CLI, the sparse
 * file (above max-sample-size) included. Memory is measured by bench/hostile-memory.sh, not here.
 */
@SpringBatchTest
@SpringBootTest(classes = TrawlApplication.class, properties = {
		"spring.datasource.url=jdbc:h2:mem:hostile-rescan;DB_CLOSE_DELAY=-1", "trawl.data-dir=target/test-data",
		"trawl.analysis.grid-size=2" })
class HostileRescanTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final long GIB = 1L << 30;

	@TempDir
	static Path workspace;
	static Path corpus;
	static Path sparse;

	@Autowired
	JobOperatorTestUtils jobOperatorTestUtils;
	@Autowired
	JobStatusService status;

	@BeforeAll
	static void givenAHostileCorpus() throws IOException {
		corpus = Files.createDirectories(workspace.resolve("corpus"));
		TestCorpus.writeTo(corpus.resolve("synthetic"));
		Files.write(corpus.resolve("nested-20.zip"), TestCorpus.nestedZip(20));
		sparse = corpus.resolve("sparse-1g.bin");
		try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
			file.setLength(GIB);
			file.seek(300L << 20);
			file.write(TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8));
			file.seek(700L << 20);
			file.write(TestCorpus.eicar());
		}
	}

	@Test
	void theJobCompletesAndEveryFileAgreesWithTheReferenceTools() throws Exception {
		Path rules = Path.of("src/test/resources/test-rules.yar").toAbsolutePath();
		JobExecution execution = jobOperatorTestUtils.startJob(new JobParametersBuilder()
			.addString("source", corpus.toString())
			.addString("rules", rules.toString())
			.addString("requestId", "hostile-" + System.nanoTime())
			.toJobParameters());

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		List<Path> files;
		try (Stream<Path> walk = Files.walk(corpus)) {
			files = walk.filter(Files::isRegularFile).sorted().toList();
		}
		Map<String, JsonNode> bySha = new HashMap<>();
		status.results(execution.getId(), view -> bySha.put(view.sampleKey(), JSON.readTree(view.document())));
		Map<Path, String> sha256 = ReferenceTools.sums("sha256sum", files);
		Map<Path, String> md5 = ReferenceTools.sums("md5sum", files);
		Map<Path, String> sha1 = ReferenceTools.sums("sha1sum", files);
		Map<Path, String> ssdeep = ReferenceTools.ssdeep(corpus);
		Map<Path, Set<String>> yara = ReferenceTools.yara(rules, corpus);
		assertThat(ssdeep).hasSameSizeAs(files);
		for (Path file : files) {
			JsonNode row = bySha.get(sha256.get(file));
			assertThat(row).as("result for %s", file).isNotNull();
			assertThat(row.get("md5").asString()).as("md5 of %s", file).isEqualTo(md5.get(file));
			assertThat(row.get("sha1").asString()).as("sha1 of %s", file).isEqualTo(sha1.get(file));
			assertThat(row.get("size").asLong()).as("size of %s", file).isEqualTo(Files.size(file));
			assertThat(row.get("ssdeep").asString()).as("ssdeep of %s", file).isEqualTo(ssdeep.get(file));
			assertThat(strings(row.get("yara"))).as("yara hits of %s", file)
				.isEqualTo(yara.getOrDefault(file, Set.of()));
		}

		JsonNode nested = bySha.get(sha256.get(corpus.resolve("nested-20.zip")));
		assertThat(strings(nested.get("archive").get("limitsHit"))).contains("maxDepth");
		JsonNode big = bySha.get(sha256.get(sparse));
		assertThat(big.get("size").asLong()).isEqualTo(GIB);
		assertThat(strings(big.get("yara"))).contains("Eicar");
		assertThat(big.get("errors")).as("a bound, not an error").isEmpty();
		assertThat(big.get("skipped").propertyNames()).containsExactlyInAnyOrder("pe", "elf", "strings", "archive");
		assertThat(big.get("tlsh").asString()).startsWith("T1");
	}

	private static Set<String> strings(JsonNode array) {
		Set<String> values = new TreeSet<>();
		array.forEach(v -> values.add(v.asString()));
		return values;
	}
}
