package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.containment.CarefulChunk;
import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;

/**
 * The careful first chunk after a restart: markers only then, committed on their own; a location an earlier run died
 * on once is analysed without native code, one that killed two runs becomes a FAILED event.
 */
class CarefulChunkTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final long JOB = 7;
	private static final String HOST = "worker-1";

	@TempDir
	Path folder;

	@TempDir
	Path crashLogs;

	private JdbcEventStore events;
	private DataSourceTransactionManager transactions;

	@BeforeEach
	void givenAStoreAndAFolder() throws Exception {
		DataSource dataSource = new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"sa", "");
		events = new JdbcEventStore(dataSource);
		transactions = new DataSourceTransactionManager(dataSource);
		for (String name : List.of("a.bin", "b.bin", "c.bin", "poison.bin")) {
			Files.writeString(folder.resolve(name), "content of " + name);
		}
	}

	@Test
	void aFirstRunWritesNoMarkers() {
		AnalyseProcessor processor = processor(careful(70, 1, 20));

		SampleOutcome outcome = processor.process(ref("a.bin"));

		assertThat(outcome.events()).extracting(ResultEvent::kind).contains(EventKind.ANALYSED);
		assertThat(events.count(JOB, EventKind.ATTEMPT)).isZero();
		assertThat(document(outcome).get("errors")).isEmpty();
	}

	@Test
	void aRestartMarksItsFirstChunkOnlyAndCommitsTheMarkersEvenIfTheChunkRollsBack() {
		AnalyseProcessor processor = processor(careful(71, 2, 2));
		List<SampleOutcome> outcomes = new ArrayList<>();

		new TransactionTemplate(transactions).executeWithoutResult(chunk -> {
			for (String name : List.of("a.bin", "b.bin", "c.bin")) {
				outcomes.add(processor.process(ref(name)));
			}
			chunk.setRollbackOnly(); // as a crash would: the chunk's own writes are gone
		});

		String a = ResultEvent.locationKey("a.bin");
		assertThat(events.find(JOB, a, EventKind.ATTEMPT)).extracting(ResultEvent::eventId)
			.containsExactly(ResultEvent.attemptId(JOB, a, "71.710.2", false),
					ResultEvent.attemptId(JOB, a, "71.710.2", true));
		assertThat(events.find(JOB, ResultEvent.locationKey("b.bin"), EventKind.ATTEMPT)).hasSize(2);
		assertThat(events.find(JOB, ResultEvent.locationKey("c.bin"), EventKind.ATTEMPT)).as("after the first chunk")
			.isEmpty();
		assertThat(outcomes).allSatisfy(outcome -> assertThat(document(outcome).get("errors")).isEmpty());
	}

	@Test
	void aLocationThatDiedOnceIsAnalysedWithoutNativeCodeAndSaysSo() {
		String poison = ResultEvent.locationKey("poison.bin");
		events.append(List.of(marker(poison, "71.710.2", false), marker(ResultEvent.locationKey("a.bin"), "71.710.2",
				false), marker(ResultEvent.locationKey("a.bin"), "71.710.2", true)));
		AnalyseProcessor processor = processor(careful(72, 3, 20));

		JsonNode fine = document(processor.process(ref("a.bin")));
		JsonNode suspect = document(processor.process(ref("poison.bin")));

		assertThat(fine.get("errors")).as("it was done before the process died").isEmpty();
		assertThat(fine.get("native").asString()).isEqualTo("ran");
		assertThat(suspect.get("sha256").asString()).hasSize(64);
		assertThat(suspect.get("entropy")).isNotNull();
		assertThat(suspect.has("native")).isFalse();
		assertThat(suspect.get("errors")).singleElement().satisfies(error -> {
			assertThat(error.get("analyzer").asString()).isEqualTo("native-probe");
			assertThat(error.get("message").asString()).isEqualTo("not run: the worker process died while this sample "
					+ "was being analysed (job execution 71); analyzers with native code are skipped for it");
		});
		assertThat(events.find(JOB, poison, EventKind.ATTEMPT)).as("its own attempt is marked too").hasSize(3);
	}

	@Test
	void aLocationThatDiedTwiceBecomesAFailedEventAndTheJobGoesOn() {
		String poison = ResultEvent.locationKey("poison.bin");
		events.append(List.of(marker(poison, "71.710.2", false), marker(poison, "72.720.3", false)));
		AnalyseProcessor processor = processor(careful(73, 4, 20));

		SampleOutcome outcome = processor.process(ref("poison.bin"));

		assertThat(outcome.events()).singleElement().satisfies(event -> {
			assertThat(event.kind()).isEqualTo(EventKind.FAILED);
			assertThat(event.sampleKey()).isEqualTo(poison);
			JsonNode document = JSON.readTree(event.payload());
			assertThat(document.get("verdict").asString()).isEqualTo("error");
			assertThat(document.get("location").asString()).isEqualTo("poison.bin");
			assertThat(document.get("errors").get(0).get("analyzer").asString()).isEqualTo("worker");
			assertThat(document.get("errors").get(0).get("message").asString())
				.contains("died each of the 2 times", "job executions 71, 72");
		});
		assertThat(document(processor.process(ref("a.bin"))).get("errors")).isEmpty();
	}

	@Test
	void aProcessOfThisHostThatLeftNoCrashLogWasKilledFromOutsideAndItsSampleIsAnalysedInFull() throws Exception {
		String poison = ResultEvent.locationKey("poison.bin");
		String other = ResultEvent.locationKey("a.bin");
		Instant started = Instant.now().minusSeconds(60);
		events.append(List.of(marker(poison, "71.710.2", false, HOST + ":4242", started),
				marker(other, "71.710.2", false, HOST + ":4242", started)));
		// a crash log of the same pid, but from before the marker: a reused pid's, not this death's
		Path stale = Files.writeString(crashLogs.resolve("hs_err_pid4242.log"), "an older crash");
		Files.setLastModifiedTime(stale, FileTime.from(started.minusSeconds(3600)));
		AnalyseProcessor processor = processor(careful(72, 3, 20));

		JsonNode killed = document(processor.process(ref("poison.bin")));

		assertThat(killed.get("errors")).isEmpty();
		assertThat(killed.get("native").asString()).isEqualTo("ran");

		// the same pid's crash log, written after the marker: that process crashed on a.bin
		Files.setLastModifiedTime(stale, FileTime.from(Instant.now()));
		JsonNode crashed = document(processor.process(ref("a.bin")));
		assertThat(crashed.has("native")).isFalse();
		assertThat(crashed.get("errors")).singleElement().satisfies(error -> assertThat(error.get("message")
			.asString()).contains("the worker process died while this sample was being analysed (job execution 71)"));
	}

	@Test
	void anOomKillRecordedBesideTheCrashLogsCountsAsACrash() throws Exception {
		String poison = ResultEvent.locationKey("poison.bin");
		events.append(List.of(marker(poison, "71.710.2", false, HOST + ":4242", Instant.now().minusSeconds(5))));
		Files.writeString(crashLogs.resolve("oom_kill_pid4242.log"), "killed by the kernel's OOM killer");

		JsonNode suspect = document(processor(careful(72, 3, 20)).process(ref("poison.bin")));

		assertThat(suspect.has("native")).isFalse();
		assertThat(suspect.get("errors")).hasSize(1);
	}

	@Test
	void aDeathOnAnotherHostCountsForItsCrashLogCannotBeSeenFromHere() {
		String poison = ResultEvent.locationKey("poison.bin");
		events.append(List.of(marker(poison, "71.710.2", false, "worker-2:4242", Instant.now().minusSeconds(5))));

		JsonNode suspect = document(processor(careful(72, 3, 20)).process(ref("poison.bin")));

		assertThat(suspect.has("native")).isFalse();
		assertThat(suspect.get("errors")).hasSize(1);
	}

	private CarefulChunk careful(long jobExecution, int run, int samples) {
		return new CarefulChunk(events, transactions, JOB, jobExecution, jobExecution * 10, run, samples,
				new CrashEvidence(HOST, List.of(crashLogs)));
	}

	private AnalyseProcessor processor(CarefulChunk careful) {
		SampleAnalysis full = new SampleAnalysis(List.of(new HashAnalyzer(), new EntropyAnalyzer(), new NativeProbe()),
				VerdictPolicy.defaults());
		return new AnalyseProcessor(new FolderSampleSource(folder, 1024), full, Set.of("hashes"), 1 << 20, JOB, 99,
				careful);
	}

	private static SampleRef ref(String name) {
		return new SampleRef(name, ("content of " + name).length());
	}

	/** A marker from before markers named their worker: its death cannot be checked, so it counts. */
	private static ResultEvent marker(String key, String attempt, boolean done) {
		long execution = Long.parseLong(attempt.substring(0, attempt.indexOf('.')));
		return new ResultEvent(ResultEvent.attemptId(JOB, key, attempt, done), JOB, execution, key, EventKind.ATTEMPT,
				Instant.now(), "{}");
	}

	private static ResultEvent marker(String key, String attempt, boolean done, String worker, Instant at) {
		long execution = Long.parseLong(attempt.substring(0, attempt.indexOf('.')));
		return new ResultEvent(ResultEvent.attemptId(JOB, key, attempt, done), JOB, execution, key, EventKind.ATTEMPT,
				at, "{\"worker\":\"" + worker + "\"}");
	}

	private static JsonNode document(SampleOutcome outcome) {
		return JSON.readTree(outcome.events().stream().filter(e -> e.kind() == EventKind.ANALYSED).findFirst()
			.orElseThrow().payload());
	}

	/** Stands for libyara: says it runs native code, and leaves a field when it ran. */
	static final class NativeProbe implements Analyzer {
		@Override
		public String name() {
			return "native-probe";
		}

		@Override
		public String version() {
			return "1";
		}

		@Override
		public boolean nativeCode() {
			return true;
		}

		@Override
		public void analyse(Sample sample, Findings findings) {
			findings.put("native", "ran");
		}
	}
}
