package io.trawl.jobs.rescan;

import static io.trawl.jobs.rescan.ComparableResults.document;
import static io.trawl.jobs.rescan.ComparableResults.provenance;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.batch.test.context.SpringBatchTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * Issue 14's "Must show" on the embedded default: after a first rescan with rules R1, the corpus changes (files
 * added, deleted, modified in place, renamed, copied, touched) and so do the rules (two added, one changed, one
 * removed, a private rule that a public one uses changed, a rule reading the file's extension kept). The incremental
 * rescan with R2 then stores exactly what a full rescan with R2 stores, but for job ids, times and provenance; and it
 * really reused: unchanged contents keep the first job's hashes, and a rescan where only a rule was removed opens no
 * file whose result was whole. An incremental job that fails mid-way and is restarted stores the same.
 */
@SpringBatchTest
@SpringBootTest(classes = { TrawlApplication.class, IncrementalRescanFunctionalTests.CountedOpens.class,
		RescanJobFunctionalTests.FlakyStore.class },
		properties = { "spring.datasource.url=jdbc:h2:mem:incremental-rescan;DB_CLOSE_DELAY=-1",
				"trawl.data-dir=target/test-data", "trawl.analysis.grid-size=3", "trawl.analysis.chunk-size=4",
				"trawl.analysis.incremental-chunk-size=8" })
class IncrementalRescanFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String R1_MAIN = """
			import "elf"
			private rule IsElf { condition: uint32(0) == 0x464C457F }
			rule ElfShared { condition: IsElf and elf.type == elf.ET_DYN }
			rule Hello { strings: $h = "hello" condition: $h }
			rule ManyZeros { strings: $z = { 00 00 00 00 00 00 00 00 } condition: #z > 10 }
			rule Glibc { strings: $g = "GLIBC" condition: $g }
			rule Eicar { meta: score = 100 strings: $e = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $e }
			""";

	private static final String R2_MAIN = """
			import "elf"
			private rule IsElf { condition: uint32(0) == 0x464C457F and filesize > 100000 }
			rule ElfShared { condition: IsElf and elf.type == elf.ET_DYN }
			rule Hello { strings: $h = "hello" condition: $h }
			rule Glibc { strings: $g = "GLIBC_2.3" condition: $g }
			rule Eicar { meta: score = 100 strings: $e = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $e }
			rule World { meta: severity = "medium" strings: $w = "world" condition: $w }
			rule Zip { strings: $pk = "PK" condition: $pk at 0 }
			""";

	private static final String BY_NAME = """
			rule ShortText { condition: extension == "txt" and filesize < 40 }
			""";

	@TempDir
	Path workspace;

	@Autowired
	JobOperatorTestUtils jobs;
	@Autowired
	EventStore events;
	@Autowired
	RescanLauncher launcher;

	private JobExecution lastRun;

	@AfterEach
	void noFailureLeftArmed() {
		RescanJobFunctionalTests.FlakyStore.failOnAppend.set(0);
	}

	@Test
	void givenAChangedCorpusAndRuleset_whenRescannedIncrementally_thenTheResultsEqualAFullRescan() throws Exception {
		Path corpus = corpus();
		Path r1 = rules("r1", R1_MAIN, BY_NAME);
		Path r2 = rules("r2", R2_MAIN, BY_NAME);
		long first = run(corpus, r1, false);
		String lib = firstLibrary(corpus);

		Files.writeString(corpus.resolve("texts/new.txt"), "a new world\n");
		Files.copy(corpus.resolve(lib), corpus.resolve("copies/lib-copy.so"));
		Files.delete(corpus.resolve("texts/c.txt"));
		Files.writeString(corpus.resolve("texts/a.txt"), "hello again, modified in place, a longer text\n");
		Files.move(corpus.resolve("texts/b.txt"), corpus.resolve("texts/b-renamed.txt"),
				StandardCopyOption.ATOMIC_MOVE);
		Files.setLastModifiedTime(corpus.resolve("texts/d.txt"), FileTime.fromMillis(System.currentTimeMillis()
				+ 3_600_000));
		long incremental = run(corpus, r2, false);
		long incrementalCommits = commits(lastRun);
		long full = run(corpus, r2, true);

		assertThat(results(incremental)).isEqualTo(results(full)).isNotEmpty();
		assertThat(incrementalCommits).as("an incremental step commits larger chunks").isLessThan(commits(lastRun));
		Map<String, Object> libResult = document(events, incremental, lib);
		assertThat(provenance(libResult, "hashes")).isEqualTo(first);
		assertThat(provenance(libResult, "tlsh")).isEqualTo(first);
		assertThat(provenance(libResult, "yara")).as("new rules scanned").isEqualTo(incremental);
		assertThat(provenance(document(events, incremental, "texts/b-renamed.txt"), "ssdeep")).isEqualTo(first);
		assertThat(provenance(document(events, incremental, "texts/a.txt"), "ssdeep")).isEqualTo(incremental);
		assertThat(provenance(document(events, full, lib), "hashes")).isEqualTo(full);

		// only a rule removed, and no rule reads the location: no whole result needs its file read
		Path r3 = rules("r3", R2_MAIN);
		CountedOpens.opened.clear();
		long nothingToRun = run(corpus, r3, false);
		Set<String> opened = Set.copyOf(CountedOpens.opened.keySet());
		long fullAgain = run(corpus, r3, true);

		assertThat(results(nothingToRun)).isEqualTo(results(fullAgain));
		// read again: the contents that are also archive members, whose one result per job may be a member's
		assertThat(opened).doesNotContain(lib, "texts/a.txt", "texts/b-renamed.txt", "texts/new.txt",
				"synthetic/elf64", "synthetic/random-64k.bin", "synthetic/bundle.tar").hasSizeLessThan(8);
		assertThat(provenance(document(events, nothingToRun, lib), "yara")).isEqualTo(full);
		assertThat(provenance(document(events, nothingToRun, lib), "hashes")).as("the last full job computed it").isEqualTo(full);
	}

	@Test
	void givenUnchangedArchivesAndChangedRules_whenRescannedIncrementally_thenOnlyTheDeltaRunsOnTheirMembers()
			throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("archives"));
		Map<String, byte[]> inner = new LinkedHashMap<>();
		inner.put("deep/eicar.com", TestCorpus.eicar());
		inner.put("deep/world.txt", "a world inside a zip inside a zip\n".getBytes(StandardCharsets.UTF_8));
		Map<String, byte[]> zipped = new LinkedHashMap<>();
		zipped.put("notes/hello.txt", "hello world, a longer note in a zip\n".getBytes(StandardCharsets.UTF_8));
		zipped.put("notes/hi.txt", "hi\n".getBytes(StandardCharsets.UTF_8));
		zipped.put("bin/elf64", TestCorpus.elf64());
		zipped.put("inner.zip", TestCorpus.zip(inner));
		Files.write(corpus.resolve("docs.zip"), TestCorpus.zip(zipped));
		Map<String, byte[]> tarred = new LinkedHashMap<>();
		byte[] readme = "the world needs GLIBC_2.3 and GLIBC_2.2.5, says the readme\n".getBytes(StandardCharsets.UTF_8);
		tarred.put("docs/readme.txt", readme);
		tarred.put("etc/run.sh", TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8));
		tarred.put("bin/pe32.exe", TestCorpus.pe32());
		Files.write(corpus.resolve("bundle.tar.gz"), TestCorpus.gzip(TestCorpus.tar(tarred)));
		Files.writeString(corpus.resolve("plain.txt"), "hello, a plain file beside the archives\n");
		Path r1 = rules("r1", R1_MAIN, BY_NAME);
		Path r2 = rules("r2", R2_MAIN, BY_NAME);
		long first = run(corpus, r1, false);

		long incremental = run(corpus, r2, false);
		long full = run(corpus, r2, true);

		assertThat(results(incremental)).isEqualTo(results(full)).isNotEmpty();
		Map<String, Object> zip = document(events, incremental, "docs.zip");
		assertThat(provenance(zip, "hashes")).isEqualTo(first);
		assertThat(provenance(zip, "archive")).isEqualTo(first);
		assertThat(provenance(zip, "yara")).as("the delta scanned the archive").isEqualTo(incremental);
		assertThat(zip.get("yara")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains("Zip");
		for (byte[] member : List.of(zipped.get("notes/hello.txt"), inner.get("deep/world.txt"), readme,
				tarred.get("bin/pe32.exe"))) {
			Map<String, Object> result = analysed(incremental, member);
			assertThat(provenance(result, "tlsh")).as("reused at depth %s", result.get("depth")).isEqualTo(first);
			assertThat(provenance(result, "strings")).isEqualTo(first);
			assertThat(provenance(result, "yara")).as("the delta scanned the member").isEqualTo(incremental);
		}
		assertThat(analysed(incremental, inner.get("deep/world.txt")).get("yara"))
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains("World");
		assertThat(analysed(incremental, readme).get("yara"))
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains("World", "Glibc");
		assertThat(analysed(first, readme).get("yara"))
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).doesNotContain("World");
		assertThat(analysed(incremental, zipped.get("notes/hi.txt")).get("yara"))
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains("ShortText");
		assertThat(provenance(analysed(full, readme), "tlsh")).isEqualTo(full);
	}

	@Test
	void givenAnIncrementalJobThatFailedMidWay_whenRestarted_thenNothingIsLostOrTwice() throws Exception {
		Path corpus = corpus();
		Path r1 = rules("r1", R1_MAIN, BY_NAME);
		Path r2 = rules("r2", R2_MAIN, BY_NAME);
		run(corpus, r1, false);
		Files.writeString(corpus.resolve("texts/a.txt"), "hello again, modified in place, a longer text\n");
		Files.delete(corpus.resolve("texts/c.txt"));
		RescanJobFunctionalTests.FlakyStore.failOnAppend.set(2); // an incremental job: fewer, larger chunks

		JobExecution failed = launcher.run(new RescanLauncher.Request(corpus.toString(), r2.toString(),
				"incremental-restart-" + System.nanoTime(), null));
		JobExecution restarted = launcher.restart(failed.getId());
		long full = run(corpus, r2, true);

		assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
		assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		long incremental = restarted.getJobInstance().getInstanceId();
		assertThat(results(incremental)).isEqualTo(results(full));
		for (EventKind kind : List.of(EventKind.ANALYSED, EventKind.SOURCE, EventKind.FAILED)) {
			assertThat(events.count(incremental, kind)).as("%s events", kind).isEqualTo(events.count(full, kind));
		}
	}

	private Path corpus() throws IOException {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		TestCorpus.writeTo(corpus.resolve("synthetic"));
		Files.createDirectories(corpus.resolve("texts"));
		Files.createDirectories(corpus.resolve("copies"));
		Files.writeString(corpus.resolve("texts/a.txt"), "hello there\n");
		Files.writeString(corpus.resolve("texts/b.txt"), "hello world, to be renamed\n");
		Files.writeString(corpus.resolve("texts/c.txt"), "to be deleted\n");
		Files.writeString(corpus.resolve("texts/d.txt"), "touched but the same\n");
		Path libs = Files.createDirectories(corpus.resolve("libs"));
		try (Stream<Path> system = Files.list(Path.of("/usr/lib/x86_64-linux-gnu"))) {
			for (Path lib : system.filter(p -> p.getFileName().toString().matches("lib[a-z]+\\.so\\.\\d+"))
				.filter(Files::isRegularFile).sorted().limit(4).toList()) {
				Files.copy(lib, libs.resolve(lib.getFileName().toString()));
			}
		}
		return corpus;
	}

	private static String firstLibrary(Path corpus) throws IOException {
		try (Stream<Path> libs = Files.list(corpus.resolve("libs"))) {
			return "libs/" + libs.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
		}
	}

	/**
	 * A rules folder of this test. Its files end with a comment naming the test's folder, so no two tests' rules are
	 * one ruleset version: the native hosts kept per version would otherwise outlive the folder of the test that
	 * started them, and a later test's full rescan would fail to start them (see HANDOFF-s11-incr.md).
	 */
	private Path rules(String name, String... files) throws IOException {
		Path folder = Files.createDirectories(workspace.resolve(name));
		for (int i = 0; i < files.length; i++) {
			Files.writeString(folder.resolve((i == 0 ? "main" : "names") + ".yar"),
					files[i] + "\n// " + workspace.getFileName() + "\n");
		}
		return folder;
	}

	/** Runs a rescan to completion; its job instance id. */
	private long run(Path corpus, Path rules, boolean full) throws Exception {
		JobExecution execution = jobs.startJob(new JobParametersBuilder().addString("source", corpus.toString())
			.addString("rules", rules.toString())
			.addString("requestId", "incremental-" + System.nanoTime())
			.addString("full", Boolean.toString(full), false)
			.toJobParameters());
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		lastRun = execution;
		return execution.getJobInstance().getInstanceId();
	}

	/** The chunks its analyse partitions committed. */
	private static long commits(JobExecution execution) {
		return execution.getStepExecutions().stream()
			.filter(step -> step.getStepName().startsWith(RescanJobConfiguration.WORKER_STEP + ":"))
			.mapToLong(step -> step.getCommitCount())
			.sum();
	}

	/** Every stored result of a job, comparable with another job's ({@link ComparableResults#of}). */
	private Map<String, Object> results(long job) {
		return ComparableResults.of(events, job);
	}

	/** The ANALYSED document of a content (an archive member's too). */
	private Map<String, Object> analysed(long job, byte[] content) {
		String sha256 = io.trawl.worker.analysis.hash.HashAnalyzer.sha256Hex(content);
		List<io.trawl.readmodel.event.ResultEvent> found = events.find(job, sha256, EventKind.ANALYSED);
		assertThat(found).as("an ANALYSED event for %s", sha256).hasSize(1);
		return map(found.get(0).payload());
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(String json) {
		return JSON.readValue(json, LinkedHashMap.class);
	}

	/** Folders as in the embedded default, counting which locations are opened. */
	@TestConfiguration
	static class CountedOpens {

		static final Map<String, Integer> opened = new ConcurrentHashMap<>();

		@Bean
		@Primary
		SampleSources countingSources() {
			return FoldersBeforeOpen.with((ref, file) -> opened.merge(ref.location(), 1, Integer::sum));
		}
	}
}
