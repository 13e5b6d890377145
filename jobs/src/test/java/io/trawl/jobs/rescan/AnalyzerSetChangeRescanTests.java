package io.trawl.jobs.rescan;

import static io.trawl.jobs.rescan.ComparableResults.provenance;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.trawl.jobs.TrawlApplication;
import io.trawl.readmodel.event.EventStore;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * The analyzers a Trawl runs ({@code trawl.analysis.skip}) change between nights, on one database: each night is
 * its own application, as after a restart with other settings. The night after analyzers were left out runs only
 * them (the others keep the earlier job's output and provenance); the night after one is left out analyses in full
 * the results that hold its fields. Each incremental night equals a {@code --full} rescan with the same settings but
 * for job ids, times and provenance.
 */
class AnalyzerSetChangeRescanTests {

	@TempDir
	Path workspace;

	@Test
	void givenAnalyzersLeftOutOneNight_whenTheyAreBackOrOthersLeftOut_thenOnlyWhatChangedRunsAndResultsEqualAFullRescan()
			throws Exception {
		Path corpus = corpus();
		Path rules = Files.createDirectories(workspace.resolve("rules"));
		Files.writeString(rules.resolve("main.yar"), """
				rule Hello { strings: $h = "hello" condition: $h }
				rule Mz { condition: uint16(0) == 0x5A4D }
				""");

		long first;
		try (Night night = new Night("tlsh,entropy")) {
			first = night.run(corpus, rules, false);
			assertThat(night.document(first, "pe/a.exe")).doesNotContainKeys("tlsh", "entropy");
		}

		try (Night night = new Night(null)) {
			long back = night.run(corpus, rules, false);
			long full = night.run(corpus, rules, true);
			assertThat(night.results(back)).isEqualTo(night.results(full)).isNotEmpty();
			for (String location : List.of("pe/a.exe", "elf/a.so", "text/a.txt", "short/empty")) {
				Map<String, Object> document = night.document(back, location);
				assertThat(document).as(location).containsKeys("tlsh", "entropy");
				assertThat(provenance(document, "tlsh")).as("%s: tlsh ran again", location).isEqualTo(back);
				assertThat(provenance(document, "entropy")).as("%s: entropy ran again", location).isEqualTo(back);
				for (String kept : List.of("hashes", "ssdeep", "mimeType", "strings", "yara")) {
					assertThat(provenance(document, kept)).as("%s: %s kept", location, kept).isEqualTo(first);
				}
			}
			assertThat(provenance(night.document(back, "zip/bundle.zip"), "hashes")).as("an archive: in full")
				.isEqualTo(back);
		}

		try (Night night = new Night("strings")) {
			long less = night.run(corpus, rules, false);
			long full = night.run(corpus, rules, true);
			assertThat(night.results(less)).isEqualTo(night.results(full)).isNotEmpty();
			Map<String, Object> document = night.document(less, "pe/a.exe");
			assertThat(document).doesNotContainKey("strings");
			assertThat(provenance(document, "hashes")).as("its stored strings are nobody's now: analysed in full")
				.isEqualTo(less);
		}
	}

	/** One application on the test's database and data folder, with {@code trawl.analysis.skip} as given. */
	private final class Night implements AutoCloseable {

		private final ConfigurableApplicationContext context;
		private final JobOperatorTestUtils jobs;
		private final EventStore events;

		Night(String skip) throws Exception {
			List<String> args = new ArrayList<>(List.of(
					"--spring.datasource.url=jdbc:h2:file:" + workspace.resolve("db/trawl") + ";LOCK_TIMEOUT=60000",
					"--trawl.data-dir=" + workspace.resolve("data"), "--trawl.analysis.grid-size=2",
					"--trawl.analysis.chunk-size=3", "--logging.file.name=" + workspace.resolve("trawl.log")));
			if (skip != null) {
				args.add("--trawl.analysis.skip=" + skip);
			}
			context = new SpringApplicationBuilder(TrawlApplication.class).web(WebApplicationType.NONE)
				.run(args.toArray(String[]::new));
			jobs = new JobOperatorTestUtils(context.getBean(JobOperator.class), context.getBean(JobRepository.class));
			jobs.setJob(context.getBean("rescanJob", Job.class));
			events = context.getBean(EventStore.class);
		}

		long run(Path corpus, Path rules, boolean full) throws Exception {
			return RescanNights.night(jobs, corpus, rules, full).getJobInstance().getInstanceId();
		}

		Map<String, Object> results(long job) {
			return ComparableResults.of(events, job);
		}

		Map<String, Object> document(long job, String location) {
			return ComparableResults.document(events, job, location);
		}

		@Override
		public void close() {
			context.close();
		}
	}

	/** PE, ELF, a zip of two members, text and an empty file. */
	private Path corpus() throws IOException {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Map<String, byte[]> files = Map.of("pe/a.exe", TestCorpus.pe32(), "elf/a.so", TestCorpus.elf64(),
				"zip/bundle.zip", TestCorpus.zip(Map.of("inner.txt", "hello from the zip\n".getBytes(
						StandardCharsets.US_ASCII), "inner.exe", TestCorpus.pe64())),
				"text/a.txt", "hello world, see http://example.test/x\n".getBytes(StandardCharsets.US_ASCII),
				"short/empty", new byte[0]);
		for (Map.Entry<String, byte[]> file : files.entrySet()) {
			Files.createDirectories(corpus.resolve(file.getKey()).getParent());
			Files.write(corpus.resolve(file.getKey()), file.getValue());
		}
		return corpus;
	}
}
