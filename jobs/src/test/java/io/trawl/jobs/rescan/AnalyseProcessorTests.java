package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.SampleRef;

/** What one location becomes: events keyed by content, an error instead of a failure, a bound on sample size. */
class AnalyseProcessorTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path folder;

	private AnalyseProcessor processor(long maxSampleSize) {
		SampleAnalysis full = new SampleAnalysis(List.of(new HashAnalyzer(), new EntropyAnalyzer(),
				new SsdeepAnalyzer()), VerdictPolicy.defaults());
		return new AnalyseProcessor(new FolderSampleSource(folder, 1024), full, Set.of("hashes", "ssdeep"),
				maxSampleSize, 7, 70);
	}

	@Test
	void aSampleBecomesASourceAndAnAnalysedEventKeyedByItsContent() throws Exception {
		byte[] content = "hello".getBytes();
		Files.write(folder.resolve("a.txt"), content);

		SampleOutcome outcome = processor(1 << 20).process(new SampleRef("a.txt", 5));

		String sha256 = HashAnalyzer.sha256Hex(content);
		assertThat(outcome.events()).extracting(ResultEvent::eventId)
			.contains(ResultEvent.analysedId(7, sha256))
			.anyMatch(id -> id.startsWith(7 + "/" + sha256 + "/SOURCE/"));
		assertThat(processor(1 << 20).process(new SampleRef("a.txt", 5)).events()).extracting(ResultEvent::eventId)
			.isEqualTo(outcome.events().stream().map(ResultEvent::eventId).toList());
	}

	@Test
	void aSampleAboveTheMaximumGetsOnlyTheOversizedAnalyzersAndNamesTheOthers() throws Exception {
		byte[] content = new byte[4096];
		new Random(3).nextBytes(content);
		Files.write(folder.resolve("big.bin"), content);

		SampleOutcome outcome = processor(2048).process(new SampleRef("big.bin", 4096));

		JsonNode document = analysed(outcome);
		assertThat(document.get("sha256").asString()).isEqualTo(HashAnalyzer.sha256Hex(content));
		JsonNode whole = analysed(processor(1 << 20).process(new SampleRef("big.bin", 4096)));
		assertThat(document.get("ssdeep").asString()).startsWith("96:").isEqualTo(whole.get("ssdeep").asString());
		assertThat(document.has("entropy")).isFalse();
		assertThat(document.get("skipped").get("entropy").asString()).contains("4096 bytes", "max-sample-size (2048)");
		assertThat(document.get("skipped").has("ssdeep")).isFalse();
		assertThat(document.get("errors").isEmpty()).isTrue();
	}

	@Test
	void aSampleWithinTheMaximumGetsEveryAnalyzerAndSkipsNone() throws Exception {
		Files.write(folder.resolve("small.bin"), new byte[1000]);

		JsonNode document = analysed(processor(2048).process(new SampleRef("small.bin", 1000)));

		assertThat(document.has("entropy")).isTrue();
		assertThat(document.has("skipped")).isFalse();
	}

	@Test
	void aContentThisJobAlreadyAnalysedIsNotAnalysedAgainUnderAnotherName() throws Exception {
		byte[] content = oneContentUnderTwoNames(5);
		Set<String> committed = new HashSet<>();
		// two processors, as two partitions or a restarted step: only the store can tell the second one
		AnalyseProcessor partition = processor(1 << 20).knowing(0, committed::contains);
		AnalyseProcessor otherPartition = processor(1 << 20).knowing(0, committed::contains);

		SampleOutcome first = partition.process(new SampleRef("first.bin", 4096));
		first.events().stream().filter(e -> e.kind() == EventKind.ANALYSED).forEach(e -> committed.add(e.sampleKey()));
		SampleOutcome again = otherPartition.process(new SampleRef("again.bin", 4096));

		assertThat(first.events()).extracting(ResultEvent::kind).contains(EventKind.ANALYSED);
		assertThat(again.events()).singleElement().satisfies(event -> {
			assertThat(event.kind()).isEqualTo(EventKind.SOURCE);
			assertThat(event.sampleKey()).isEqualTo(HashAnalyzer.sha256Hex(content));
			assertThat(event.payload()).contains("again.bin");
		});
		assertThat(again.verdicts()).isEmpty();
		assertThat(again.bytes()).isEqualTo(4096);
	}

	@Test
	void aContentAnalysedEarlierInTheSameChunkIsNotAnalysedAgain() throws Exception {
		oneContentUnderTwoNames(6);
		AnalyseProcessor processor = processor(1 << 20).knowing(0, sha256 -> false); // nothing committed yet

		SampleOutcome first = processor.process(new SampleRef("first.bin", 4096));
		SampleOutcome again = processor.process(new SampleRef("again.bin", 4096));

		assertThat(first.events()).extracting(ResultEvent::kind).contains(EventKind.ANALYSED);
		assertThat(again.events()).extracting(ResultEvent::kind).containsExactly(EventKind.SOURCE);
	}

	@Test
	void aSampleBelowTheLookUpSizeIsAnalysedWithoutAskingTheStore() throws Exception {
		Files.write(folder.resolve("small.bin"), new byte[100]);
		AnalyseProcessor processor = processor(1 << 20).knowing(101, sha256 -> {
			throw new AssertionError("looked up " + sha256);
		});

		assertThat(processor.process(new SampleRef("small.bin", 100)).events()).extracting(ResultEvent::kind)
			.contains(EventKind.ANALYSED);
	}

	@Test
	void anUnreadableLocationBecomesAFailedEventNotAnException() throws Exception {
		SampleOutcome outcome = processor(1 << 20).process(new SampleRef("vanished.bin", 10));

		assertThat(outcome.events()).singleElement().satisfies(event -> {
			assertThat(event.kind()).isEqualTo(EventKind.FAILED);
			assertThat(event.payload()).contains("vanished.bin");
		});
	}

	/** 4096 random bytes written as first.bin and again.bin. */
	private byte[] oneContentUnderTwoNames(long seed) throws IOException {
		byte[] content = new byte[4096];
		new Random(seed).nextBytes(content);
		Files.write(folder.resolve("first.bin"), content);
		Files.write(folder.resolve("again.bin"), content);
		return content;
	}

	private static JsonNode analysed(SampleOutcome outcome) {
		return JSON.readTree(outcome.events().stream().filter(e -> e.kind() == EventKind.ANALYSED).findFirst()
			.orElseThrow().payload());
	}
}
