package io.trawl.jobs.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 results of 24 KB each (240 MB of documents) page through the API and export as JSONL and CSV in a JVM whose
 * whole heap is 128 MB: holding the job in memory, as the results endpoint once did, cannot fit.
 */
class ResultsHeapBoundTests {

	static final int COUNT = 10_000;
	static final int DOCUMENT_BYTES = 24 * 1024;
	static final String HEAP = "128m";

	@TempDir
	Path dir;

	@Test
	void tenThousandLargeResultsPageAndExportInASmallHeap() throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		Path output = dir.resolve("child.out");
		Process child = new ProcessBuilder(java.toString(), "-Xmx" + HEAP, "-XX:+ExitOnOutOfMemoryError",
				"-cp", System.getProperty("java.class.path"), HeapBoundRun.class.getName(), Integer.toString(COUNT),
				Integer.toString(DOCUMENT_BYTES), dir.resolve("data").toString())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();

		boolean ended = child.waitFor(10, TimeUnit.MINUTES);
		if (!ended) {
			child.destroyForcibly();
		}

		String log = Files.readString(output);
		assertThat(ended).as("the child JVM ended").isTrue();
		assertThat(child.exitValue()).as(excerpt(log)).isZero();
		Matcher result = Pattern.compile("RESULT pages=(\\d+) pageRows=(\\d+) jsonl=(\\d+) csv=(\\d+) maxHeap=(\\d+) "
				+ "peakHeap=(\\d+) documentBytes=(\\d+)").matcher(log);
		assertThat(result.find()).as(excerpt(log)).isTrue();
		assertThat(Long.parseLong(result.group(2))).isEqualTo(COUNT);
		assertThat(Integer.parseInt(result.group(1))).isEqualTo(COUNT / 200);
		assertThat(Long.parseLong(result.group(3))).isEqualTo(COUNT);
		assertThat(Long.parseLong(result.group(4))).isEqualTo(COUNT);
		long maxHeap = Long.parseLong(result.group(5));
		long documents = Long.parseLong(result.group(7));
		// the bound means something: the documents alone are well over the whole heap
		assertThat(documents).isGreaterThan(maxHeap + maxHeap / 2);
		// -Xmx was in force (ExitOnOutOfMemoryError would have ended the child with a non-zero status)
		assertThat(maxHeap).isLessThanOrEqualTo(128L << 20);
		assertThat(Long.parseLong(result.group(6))).isLessThan(maxHeap);
	}

	/**
	 * What the child printed, for a failure's message: the first line of each exception it printed (its stack
	 * frames left out: the last lines alone showed only the end of one, not what it was), then its last 40 lines.
	 */
	private static String excerpt(String log) {
		List<String> lines = log.lines().toList();
		List<String> thrown = lines.stream()
			.filter(line -> !line.startsWith("\t") && (line.contains("Exception") || line.contains("Error")))
			.limit(20)
			.toList();
		return "exceptions:\n" + String.join("\n", thrown) + "\nlast lines:\n"
				+ String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
	}
}
