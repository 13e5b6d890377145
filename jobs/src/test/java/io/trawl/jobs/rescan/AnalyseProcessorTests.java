package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.SampleRef;

/** What one location becomes: events keyed by content, an error instead of a failure, a bound on sample size. */
class AnalyseProcessorTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path folder;

	private AnalyseProcessor processor(long maxSampleSize) {
		SampleAnalysis full = new SampleAnalysis(List.of(new HashAnalyzer(), new EntropyAnalyzer()),
				VerdictPolicy.defaults());
		SampleAnalysis hashes = new SampleAnalysis(List.of(new HashAnalyzer()), VerdictPolicy.defaults());
		return new AnalyseProcessor(new FolderSampleSource(folder, 1024), full, hashes, maxSampleSize, 7, 70);
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
	void aSampleAboveTheMaximumIsOnlyHashedAndSaysSo() throws Exception {
		Files.write(folder.resolve("big.bin"), new byte[4096]);

		SampleOutcome outcome = processor(2048).process(new SampleRef("big.bin", 4096));

		JsonNode document = analysed(outcome);
		assertThat(document.get("sha256").asString()).isEqualTo(HashAnalyzer.sha256Hex(new byte[4096]));
		assertThat(document.has("entropy")).isFalse();
		assertThat(document.get("verdict").asString()).isEqualTo("error");
		assertThat(document.get("errors").toString()).contains("max-sample-size");
	}

	@Test
	void anUnreadableLocationBecomesAFailedEventNotAnException() throws Exception {
		SampleOutcome outcome = processor(1 << 20).process(new SampleRef("vanished.bin", 10));

		assertThat(outcome.events()).singleElement().satisfies(event -> {
			assertThat(event.kind()).isEqualTo(EventKind.FAILED);
			assertThat(event.payload()).contains("vanished.bin");
		});
	}

	private static JsonNode analysed(SampleOutcome outcome) {
		return JSON.readTree(outcome.events().stream().filter(e -> e.kind() == EventKind.ANALYSED).findFirst()
			.orElseThrow().payload());
	}
}
