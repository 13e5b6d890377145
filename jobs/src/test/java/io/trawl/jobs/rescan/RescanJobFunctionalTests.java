package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.batch.test.context.SpringBatchTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.ReferenceTools;
import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.rules.Rulesets;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.worker.testcorpus.TestCorpus;
import io.trawl.worker.yara.RuleCompilationException;

/**
 * The rescan job end to end on the embedded default, against the reference tools: coreutils for hashes and sizes,
 * the yara CLI for rule hits. Includes a failure at a chosen chunk followed by a restart.
 */
@SpringBatchTest
@SpringBootTest(classes = { TrawlApplication.class, RescanJobFunctionalTests.FlakyStore.class }, properties = {
		"spring.datasource.url=jdbc:h2:mem:rescan-functional;DB_CLOSE_DELAY=-1",
		"trawl.data-dir=target/test-data", "trawl.analysis.grid-size=2", "trawl.analysis.chunk-size=3",
		"trawl.analysis.incremental-chunk-size=6" })
class RescanJobFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path workspace;
	static Path corpus;
	static Path rules;
	static List<Path> files;

	@Autowired
	RescanLauncher launcher;
	@Autowired
	JobStatusService status;
	@Autowired
	EventStore events;
	@Autowired
	JobOperatorTestUtils jobOperatorTestUtils;
	@Autowired
	Rulesets rulesets;
	@Autowired
	JobRepository jobRepository;

	@BeforeAll
	static void givenACorpusAndRules() throws IOException {
		corpus = Files.createDirectories(workspace.resolve("corpus"));
		TestCorpus.writeTo(corpus.resolve("synthetic"));
		Files.createDirectories(corpus.resolve("copies"));
		Files.write(corpus.resolve("copies/eicar-again.txt"), TestCorpus.eicar()); // same bytes, second source
		try (Stream<Path> libs = Files.list(systemLibraries())) {
			for (Path lib : libs.filter(p -> p.getFileName().toString().matches("lib[a-z]+\\.so\\.\\d+"))
				.filter(Files::isRegularFile).sorted().limit(12).toList()) {
				Files.copy(lib, corpus.resolve(lib.getFileName().toString()));
			}
		}
		rules = workspace.resolve("rules.yar");
		Files.copy(Path.of("src/test/resources/test-rules.yar"), rules);
		try (Stream<Path> walk = Files.walk(corpus)) {
			files = walk.filter(Files::isRegularFile).sorted().toList();
		}
	}

	/** The folder of the C library this JVM runs on, whatever the machine's architecture: real ELF shared objects. */
	private static Path systemLibraries() throws IOException {
		try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
			return maps.map(line -> line.substring(line.lastIndexOf(' ') + 1))
				.filter(path -> path.matches("/.*/libc\\.so\\.\\d+"))
				.map(path -> Path.of(path).getParent())
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("this JVM maps no libc.so (/proc/self/maps)"));
		}
	}

	@BeforeEach
	void noFailureInjected() {
		FlakyStore.failOnAppend.set(0);
	}

	@Test
	void rescanMatchesCoreutilsAndTheYaraCli() throws Exception {
		JobExecution execution = jobOperatorTestUtils.startJob(new JobParametersBuilder()
			.addString("source", corpus.toString())
			.addString("rules", rules.toString())
			.addString("requestId", "functional-" + System.nanoTime())
			.toJobParameters());

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		Map<String, JsonNode> bySha = results(execution.getId());
		Map<Path, String> sha256 = ReferenceTools.sums("sha256sum", files);
		Map<Path, String> md5 = ReferenceTools.sums("md5sum", files);
		Map<Path, String> sha1 = ReferenceTools.sums("sha1sum", files);
		Map<Path, Set<String>> yara = ReferenceTools.yara(rules, corpus);
		for (Path file : files) {
			JsonNode row = bySha.get(sha256.get(file));
			assertThat(row).as("result for %s", file).isNotNull();
			assertThat(row.get("md5").asString()).as("md5 of %s", file).isEqualTo(md5.get(file));
			assertThat(row.get("sha1").asString()).as("sha1 of %s", file).isEqualTo(sha1.get(file));
			assertThat(row.get("size").asLong()).as("size of %s", file).isEqualTo(Files.size(file));
			assertThat(strings(row.get("yara"))).as("yara hits of %s", file)
				.isEqualTo(yara.getOrDefault(file, Set.of()));
			assertThat(strings(row.get("sources"))).contains(corpus.relativize(file).toString());
		}
		JobStatus job = status.get(execution.getId()).orElseThrow();
		assertThat(job.files()).isEqualTo(files.size());
		assertThat(job.resultEvents()).isEqualTo(job.samples()).isEqualTo(bySha.size());
		assertThat(job.ruleHits()).containsKeys("Eicar", "ElfShared", "PeWithImports");
		assertThat(strings(bySha.get(sha256.get(corpus.resolve("copies/eicar-again.txt"))).get("sources")))
			.filteredOn(source -> !source.contains("!/"))
			.containsExactly("copies/eicar-again.txt", "synthetic/eicar.com");
	}

	@Test
	void partitionsAreHandedOutInThePartitionersOrder() throws Exception {
		// Spring Batch's own splitter hands them out as a hash set orders them; the largest range is partition0
		JobInstance instance = jobRepository.createJobInstance("partition-order-" + System.nanoTime(),
				new JobParameters());
		JobExecution job = jobRepository.createJobExecution(instance, new JobParameters(), new ExecutionContext());
		StepExecution manager = jobRepository.createStepExecution("manager", job);
		Partitioner twelve = grid -> IntStream.range(0, 12)
			.boxed()
			.collect(Collectors.toMap(i -> "partition" + i, i -> new ExecutionContext()));

		List<String> order = new InPartitionOrder(jobRepository, "worker", twelve).split(manager, 12)
			.stream()
			.map(StepExecution::getStepName)
			.toList();

		assertThat(order).containsExactlyElementsOf(
				IntStream.range(0, 12).mapToObj(i -> "worker:partition" + i).toList());
		assertThat(InPartitionOrder.number("worker:partition10")).isEqualTo(10);
		assertThat(InPartitionOrder.number("worker:other")).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void aFailureAtChunkKIsRestartedWithoutLosingOrDuplicatingAnEvent() throws Exception {
		RescanLauncher.Request request = new RescanLauncher.Request(corpus.toString(), rules.toString(),
				"flaky-" + System.nanoTime(), null);
		FlakyStore.failOnAppend.set(2); // incremental when an earlier test rescanned this corpus: fewer, larger chunks

		JobExecution failed = launcher.run(request);

		assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
		long instance = failed.getJobInstance().getInstanceId();
		long storedBeforeRestart = events.count(instance, EventKind.ANALYSED);
		assertThat(storedBeforeRestart).isPositive();
		assertThat(events.count(instance, EventKind.ATTEMPT)).as("a first run is not careful").isZero();
		// no projection ran, yet status tells what the committed chunks found (per result event, so at least one
		// verdict per stored result; a file seen twice in two chunks counts twice until the summary)
		JobStatus midway = status.get(failed.getId()).orElseThrow();
		long foundSoFar = midway.verdicts().values().stream().mapToLong(Long::longValue).sum();
		assertThat(foundSoFar).isGreaterThanOrEqualTo(storedBeforeRestart + events.count(instance, EventKind.FAILED));
		assertThat(midway.ruleHits()).as("the test rules hit the corpus").isNotEmpty();

		JobExecution restarted = launcher.restart(failed.getId());

		assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(events.count(instance, EventKind.ATTEMPT)).as("the restart's first chunks are careful").isPositive();
		assertThat(restarted.getJobInstance().getInstanceId()).isEqualTo(instance);
		JobStatus job = status.get(restarted.getId()).orElseThrow();
		assertThat(job.resultEvents()).isEqualTo(job.samples());
		assertThat(job.files()).isEqualTo(files.size());
		assertThat(job.verdicts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(job.samples());
		List<ResultEvent> analysed = new ArrayList<>();
		events.forEach(instance, e -> {
			if (e.kind() == EventKind.ANALYSED) {
				analysed.add(e);
			}
		});
		assertThat(analysed).extracting(ResultEvent::sampleKey).doesNotHaveDuplicates();
		assertThat(analysed).hasSize((int) job.samples());
		JobExecution clean = launcher.run(new RescanLauncher.Request(corpus.toString(), rules.toString(),
				"clean-" + System.nanoTime(), null));
		assertThat(comparable(results(restarted.getId()))).isEqualTo(comparable(results(clean.getId())));
	}

	@Test
	void theSameRequestTwiceRunsOneJobAndTheSameIdWithAnotherSourceIsAConflict() throws Exception {
		String requestId = "twice-" + System.nanoTime();
		RescanLauncher.Request request = new RescanLauncher.Request(corpus.toString(), rules.toString(), requestId,
				null);
		Path elsewhere = Files.createDirectories(workspace.resolve("elsewhere"));
		Files.writeString(elsewhere.resolve("a.txt"), "a");

		JobExecution first = launcher.run(request);
		JobExecution second = launcher.run(request);

		assertThat(second.getId()).isEqualTo(first.getId());
		assertThat(second.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThatThrownBy(() -> launcher.run(new RescanLauncher.Request(elsewhere.toString(), rules.toString(),
				requestId, null)))
			.isInstanceOf(io.trawl.jobs.problem.LaunchRefusedException.class)
			.hasMessageContaining(requestId)
			.hasMessageContaining("already used for job execution " + first.getId());
	}

	@Test
	void requestIdsAreScopedToTheCallerAndTheNightlyOnesToTheSchedule() throws Exception {
		String requestId = "shared-" + System.nanoTime();
		Path elsewhere = Files.createDirectories(workspace.resolve("elsewhere-" + requestId));
		Files.writeString(elsewhere.resolve("b.txt"), "b");

		JobExecution alice = launcher.run(new RescanLauncher.Request(corpus.toString(), rules.toString(), requestId,
				null, RescanLauncher.Origin.CLI, "alice", false));
		JobExecution bob = launcher.run(new RescanLauncher.Request(elsewhere.toString(), rules.toString(), requestId,
				null, RescanLauncher.Origin.CLI, "bob", false));

		assertThat(bob.getId()).isNotEqualTo(alice.getId());
		assertThat(bob.getJobInstance().getInstanceId()).isNotEqualTo(alice.getJobInstance().getInstanceId());
		assertThat(alice.getJobParameters().getString("launchedBy")).isEqualTo("alice");
		assertThat(bob.getJobParameters().getString("launchedBy")).isEqualTo("bob");
		assertThatThrownBy(() -> launcher.run(new RescanLauncher.Request(corpus.toString(), rules.toString(),
				"nightly-2099-01-01", "2099-01-01", RescanLauncher.Origin.CLI, "cli", false)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("reserved for the nightly schedule");
	}

	@Test
	void aRulesetEditedBetweenJobsIsCompiledAgainAndTheOldVersionFreedOnceItsJobsEnded() throws Exception {
		Path edited = workspace.resolve("edited-rules");
		Files.createDirectories(edited);
		Files.writeString(edited.resolve("a.yar"), "rule EditedA { strings: $a = \"ELF\" condition: $a }\n");
		Path small = Files.createDirectories(workspace.resolve("small"));
		Files.write(small.resolve("elf"), TestCorpus.elf64());

		launcher.run(new RescanLauncher.Request(small.toString(), edited.toString(), "v1-" + System.nanoTime(), null));
		int held = rulesets.versionsHeld();
		Files.writeString(edited.resolve("a.yar"), "rule EditedB { strings: $a = \"ELF\" condition: $a }\n");
		JobExecution second = launcher.run(new RescanLauncher.Request(small.toString(), edited.toString(),
				"v2-" + System.nanoTime(), null));

		assertThat(second.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		// the first version's job released its lease when its step ended, so the new version replaced it
		assertThat(rulesets.versionsHeld()).isEqualTo(held);
		assertThat(results(second.getId()).values()).singleElement()
			.satisfies(row -> assertThat(row.get("yara").toString()).contains("EditedB").doesNotContain("EditedA"));
	}

	@Test
	void rulesThatDoNotCompileAreRefusedBeforeAnyJobStarts() throws Exception {
		Path broken = workspace.resolve("broken.yar");
		Files.writeString(broken, "rule Ok { condition: true }\nrule Broken { strings: $a = \"x\" condition: $b }\n");
		int before = status.list(1000).size();

		assertThatThrownBy(() -> launcher.run(new RescanLauncher.Request(corpus.toString(), broken.toString(),
				"broken-" + System.nanoTime(), null)))
			.isInstanceOf(RuleCompilationException.class)
			.hasMessageContaining(broken + ":2:")
			.hasMessageContaining("$b");
		assertThat(status.list(1000)).hasSize(before);
	}

	@Test
	void aMissingFolderIsAClearError() {
		Path missing = workspace.resolve("no-such-folder");

		assertThatThrownBy(() -> launcher.run(new RescanLauncher.Request(missing.toString(), rules.toString(),
				"missing-" + System.nanoTime(), null)))
			.hasMessageContaining(missing.toString())
			.hasMessageContaining("does not exist");
	}

	private Map<String, JsonNode> results(long jobExecutionId) {
		Map<String, JsonNode> bySha = new HashMap<>();
		status.results(jobExecutionId, view -> bySha.put(view.sampleKey(), JSON.readTree(view.document())));
		return bySha;
	}

	/** The fields that must not depend on which execution produced a result. */
	private static Map<String, String> comparable(Map<String, JsonNode> rows) {
		Map<String, String> out = new HashMap<>();
		rows.forEach((sha, row) -> out.put(sha, row.get("md5").asString() + " " + row.get("size").asLong() + " "
				+ strings(row.get("yara")) + " " + row.get("verdict").asString() + " " + strings(row.get("sources"))));
		return out;
	}

	private static Set<String> strings(JsonNode array) {
		Set<String> values = new TreeSet<>();
		array.forEach(v -> values.add(v.asString()));
		return values;
	}

	/** The real JDBC store, failing once on a chosen append: a crash in the middle of the job. */
	@TestConfiguration
	static class FlakyStore {

		static final AtomicInteger failOnAppend = new AtomicInteger();

		@Bean
		@Primary
		EventStore flakyEventStore(DataSource dataSource) {
			JdbcEventStore store = new JdbcEventStore(dataSource);
			AtomicInteger appends = new AtomicInteger();
			return new EventStore() {
				@Override
				public int append(List<ResultEvent> batch) {
					int k = failOnAppend.get();
					if (k > 0 && appends.incrementAndGet() == k && failOnAppend.compareAndSet(k, 0)) {
						throw new IllegalStateException("simulated crash at chunk " + k);
					}
					return store.append(batch);
				}

				@Override
				public void forEach(long jobInstanceId, java.util.function.Consumer<ResultEvent> action) {
					store.forEach(jobInstanceId, action);
				}

				@Override
				public long count(long jobInstanceId, EventKind kind) {
					return store.count(jobInstanceId, kind);
				}

				@Override
				public List<ResultEvent> find(long jobInstanceId, String sampleKey, EventKind kind) {
					return store.find(jobInstanceId, sampleKey, kind);
				}
			};
		}
	}
}
