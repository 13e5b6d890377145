package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.status.JobStatusService;

/**
 * A rescan whose corpus changes under it: a symbolic link to a secret and a FIFO already in the folder are not
 * samples, and two listed files replaced just before they are opened (one by a FIFO, one by a link to the secret)
 * become FAILED results naming the swap. The job completes, nothing hangs, and the secret is in no result.
 */
@SpringBatchTest
@SpringBootTest(classes = { TrawlApplication.class, SwappedSampleRescanTests.SwapBeforeOpen.class }, properties = {
		"spring.datasource.url=jdbc:h2:mem:swapped-rescan;DB_CLOSE_DELAY=-1", "trawl.data-dir=target/test-data",
		"trawl.analysis.grid-size=2" })
class SwappedSampleRescanTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final String SECRET = "root:$6$never-in-a-result$:19000:0:99999:7:::";

	@TempDir
	static Path workspace;
	static Path corpus;
	static Path secret;

	@Autowired
	JobOperatorTestUtils jobOperatorTestUtils;
	@Autowired
	JobStatusService status;

	@BeforeAll
	static void givenACorpusWithALinkAndAFifo() throws Exception {
		secret = Files.writeString(Files.createDirectories(workspace.resolve("outside")).resolve("shadow"), SECRET);
		corpus = Files.createDirectories(workspace.resolve("corpus"));
		Files.writeString(corpus.resolve("a.txt"), "an ordinary sample\n");
		Files.writeString(corpus.resolve("becomes-fifo.txt"), "listed as a file\n");
		Files.writeString(corpus.resolve("becomes-link.txt"), "listed as a file too\n");
		Files.writeString(corpus.resolve("z.txt"), "another ordinary sample\n");
		Files.createSymbolicLink(corpus.resolve("link-to-shadow"), secret);
		mkfifo(corpus.resolve("pipe"));
	}

	@Test
	@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
	void givenFilesSwappedAfterListing_whenRescanned_thenTheJobCompletesAndTheSwapsAreFailedResults()
			throws Exception {
		Path rules = Path.of("src/test/resources/test-rules.yar").toAbsolutePath();
		JobExecution execution = jobOperatorTestUtils.startJob(new JobParametersBuilder()
			.addString("source", corpus.toString())
			.addString("rules", rules.toString())
			.addString("requestId", "swapped-" + System.nanoTime())
			.toJobParameters());

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		Map<String, JsonNode> byLocation = new TreeMap<>();
		status.results(execution.getId(), view -> {
			assertThat(view.document()).doesNotContain("never-in-a-result");
			JsonNode document = JSON.readTree(view.document());
			if (document.has("location")) {
				byLocation.put(document.get("location").asString(), document);
			}
			else {
				document.get("sources").forEach(source -> byLocation.put(source.asString(), document));
			}
		});
		assertThat(byLocation).containsOnlyKeys("a.txt", "becomes-fifo.txt", "becomes-link.txt", "z.txt");
		assertThat(byLocation.get("a.txt").get("errors")).isEmpty();
		assertThat(byLocation.get("z.txt").get("errors")).isEmpty();
		assertThat(error(byLocation.get("becomes-fifo.txt")))
			.isEqualTo(corpus.resolve("becomes-fifo.txt") + " was replaced after listing by a FIFO; not read.");
		assertThat(error(byLocation.get("becomes-link.txt")))
			.isEqualTo(corpus.resolve("becomes-link.txt")
					+ " was replaced after listing by a symbolic link; not read.");
		assertThat(byLocation.get("becomes-link.txt").get("verdict").asString()).isEqualTo("error");
	}

	private static String error(JsonNode document) {
		assertThat(document.get("errors")).hasSize(1);
		return document.get("errors").get(0).get("message").asString();
	}

	private static void mkfifo(Path path) throws Exception {
		Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
		assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(mkfifo.exitValue()).isZero();
	}

	/** Folders as in the embedded default, where the two files named "becomes-*" are replaced just before opening. */
	@TestConfiguration
	static class SwapBeforeOpen {

		@Bean
		@Primary
		SampleSources swappingSources() {
			return FoldersBeforeOpen.with((ref, file) -> {
				try {
					boolean stillTheFile = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
					if (ref.location().equals("becomes-fifo.txt") && stillTheFile) {
						Files.delete(file);
						mkfifo(file);
					}
					if (ref.location().equals("becomes-link.txt") && stillTheFile) {
						Files.delete(file);
						Files.createSymbolicLink(file, secret);
					}
				}
				catch (Exception e) {
					throw new IllegalStateException("the test could not swap " + file, e);
				}
			});
		}
	}
}
