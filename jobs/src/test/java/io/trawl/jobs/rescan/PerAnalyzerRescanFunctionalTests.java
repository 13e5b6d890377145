package io.trawl.jobs.rescan;

import static io.trawl.jobs.rescan.ComparableResults.document;
import static io.trawl.jobs.rescan.ComparableResults.provenance;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.batch.test.context.SpringBatchTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.trawl.jobs.TrawlApplication;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * A changed analyzer re-runs alone (issue 14): the real job, with three test analyzers added to its pipeline
 * ({@link VersionedTestAnalyzers}): {@code bumped}, whose version the test bumps between nights and whose output
 * changes with it, {@code dependent}, which reads what {@code bumped} found, and {@code steady}, which never changes.
 * An incremental rescan after the bump runs {@code bumped} and {@code dependent} on every content and {@code steady}
 * only on the archive and its members (analysed in full); the others keep the earlier job's output and provenance.
 * Each incremental result equals a {@code --full} rescan's but for job ids, times and provenance, with the same
 * ruleset and with a changed one (YARA's delta then runs too).
 */
@SpringBatchTest
@SpringBootTest(classes = TrawlApplication.class, properties = {
		"spring.datasource.url=jdbc:h2:mem:per-analyzer-rescan;DB_CLOSE_DELAY=-1", "trawl.data-dir=target/test-data",
		"trawl.analysis.grid-size=2", "trawl.analysis.chunk-size=3",
		"trawl.analysis.extra-analyzers=io.trawl.jobs.rescan.VersionedTestAnalyzers$Bumped,"
				+ "io.trawl.jobs.rescan.VersionedTestAnalyzers$Dependent,"
				+ "io.trawl.jobs.rescan.VersionedTestAnalyzers$Steady" })
class PerAnalyzerRescanFunctionalTests {

	private static final String R1 = """
			rule Hello { strings: $h = "hello" condition: $h }
			rule Mz { condition: uint16(0) == 0x5A4D }
			rule Text { condition: filetype contains "text" }
			""";

	/** One rule changed, one added that can match anything. */
	private static final String R2 = R1.replace("\"hello\"", "\"hello w\"") + """
			rule Zeros { meta: score = 40 strings: $z = { 00 00 00 00 } condition: #z > 3 }
			""";

	@TempDir
	Path workspace;

	@Autowired
	JobOperatorTestUtils jobs;
	@Autowired
	EventStore events;

	@AfterEach
	void backToVersionOne() {
		VersionedTestAnalyzers.bumpedVersion = "1";
	}

	@Test
	void givenOneAnalyzerBumped_whenRescannedIncrementally_thenOnlyItAndItsReaderRunAndTheResultEqualsAFullRescan()
			throws Exception {
		Path corpus = corpus();
		Path r1 = RescanNights.rules(workspace, "r1", R1);
		VersionedTestAnalyzers.bumpedVersion = "1";
		long first = run(corpus, r1, false);
		int contents = contents(first);
		assertThat(contents).isEqualTo(13);

		VersionedTestAnalyzers.bumpedVersion = "2";
		VersionedTestAnalyzers.RUNS.clear();
		long bumped = run(corpus, r1, false);
		assertThat(VersionedTestAnalyzers.runs("bumped")).as("the bumped analyzer, on every content")
			.isEqualTo(contents);
		assertThat(VersionedTestAnalyzers.runs("dependent")).as("its reader, on every content").isEqualTo(contents);
		assertThat(VersionedTestAnalyzers.runs("steady")).as("the unchanged one: the archive and its 2 members only")
			.isEqualTo(3);
		VersionedTestAnalyzers.RUNS.clear();
		long full = run(corpus, r1, true);
		assertThat(VersionedTestAnalyzers.runs("steady")).as("a full rescan runs it on every content")
			.isEqualTo(contents);
		assertThat(results(bumped)).isEqualTo(results(full)).isNotEmpty();

		Map<String, Object> text = document(events, bumped, "text/a.txt");
		assertThat(text.get("bumped")).isEqualTo(Map.of("version", "2", "zeros", 0, "of",
				HashAnalyzer.sha256Hex("hello world, a text\n".getBytes(StandardCharsets.US_ASCII)).substring(0, 12)));
		assertThat(text).doesNotContainKey("bumpedV1").containsEntry("dependent", "saw " + text.get("bumped"));
		assertThat(((Map<?, ?>) text.get("analyzers")).get("bumped")).isEqualTo("2");
		for (String analyzer : List.of("hashes", "mimeType", "entropy", "pe", "strings", "steady", "yara")) {
			assertThat(provenance(text, analyzer)).as("%s kept from the first job", analyzer).isEqualTo(first);
		}
		assertThat(provenance(text, "bumped")).isEqualTo(bumped);
		assertThat(provenance(text, "dependent")).isEqualTo(bumped);
		assertThat(provenance(document(events, bumped, "zip/bundle.zip"), "steady")).as("analysed in full").isEqualTo(bumped);

		VersionedTestAnalyzers.bumpedVersion = "3";
		VersionedTestAnalyzers.RUNS.clear();
		Path r2 = RescanNights.rules(workspace, "r2", R2);
		long bumpedAndRules = run(corpus, r2, false);
		assertThat(VersionedTestAnalyzers.runs("bumped")).isEqualTo(contents);
		assertThat(VersionedTestAnalyzers.runs("steady")).isEqualTo(3);
		long fullAgain = run(corpus, r2, true);
		assertThat(results(bumpedAndRules)).isEqualTo(results(fullAgain)).isNotEmpty();
		Map<String, Object> pe = document(events, bumpedAndRules, "pe/a.exe");
		assertThat(provenance(pe, "yara")).as("its delta scanned").isEqualTo(bumpedAndRules);
		assertThat(provenance(pe, "bumped")).isEqualTo(bumpedAndRules);
		// the base of this night is the last job of the source, the full rescan
		assertThat(provenance(pe, "steady")).isEqualTo(full);
		assertThat(provenance(pe, "ssdeep")).isEqualTo(full);
		assertThat(pe.get("yara")).asList().contains("Mz", "Zeros");
	}

	/** 11 files, one of them a zip of 2 members: 13 contents, each once. */
	private Path corpus() throws IOException {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Map<String, byte[]> files = new LinkedHashMap<>();
		files.put("pe/a.exe", RescanNights.withText(TestCorpus.pe32(), "hello world\n"));
		files.put("pe/b.dll", TestCorpus.pe64());
		files.put("elf/a.so", TestCorpus.elf64());
		files.put("elf/b", TestCorpus.elf32());
		files.put("zip/bundle.zip", TestCorpus.zip(Map.of("inner.txt",
				"inside the zip, hello\n".getBytes(StandardCharsets.US_ASCII), "inner.exe", TestCorpus.truncatedPe())));
		files.put("text/a.txt", "hello world, a text\n".getBytes(StandardCharsets.US_ASCII));
		files.put("text/b.sh", TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8));
		files.put("short/empty", new byte[0]);
		files.put("short/m", new byte[] { 'M' });
		files.put("short/mz", new byte[] { 'M', 'Z' });
		files.put("other/random.bin", TestCorpus.randomBytes(5000, 11));
		for (Map.Entry<String, byte[]> file : files.entrySet()) {
			Files.createDirectories(corpus.resolve(file.getKey()).getParent());
			Files.write(corpus.resolve(file.getKey()), file.getValue());
		}
		return corpus;
	}

	private long run(Path corpus, Path rules, boolean full) throws Exception {
		return RescanNights.night(jobs, corpus, rules, full).getJobInstance().getInstanceId();
	}

	private int contents(long job) {
		return (int) events.count(job, EventKind.ANALYSED);
	}

	private Map<String, Object> results(long job) {
		return ComparableResults.of(events, job);
	}
}
