package io.trawl.worker.analysis.content;

import java.util.List;
import java.util.Locale;

import org.apache.tika.Tika;

/**
 * Per-sample cost of MIME detection, before ({@code new Tika().detect(head)}, as the analyzer did) and after
 * ({@link MimeTypeAnalyzer#detect}), on the same ~2,000 inputs held in memory, in one run: a warm-up, then timed
 * passes that alternate old and new. Also checks that both give the same answer for every input. Not a test; run by
 * hand from the repository's root:
 *
 * <pre>
 * ./mvnw -B -q -pl worker test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.analysis.content.MimeDetectBench [passes=5]
 * </pre>
 * {@code -Dmode=old} or {@code -Dmode=new} loops over one of the two only (for a profiler).
 */
public final class MimeDetectBench {

	private MimeDetectBench() {
	}

	public static void main(String[] args) {
		int passes = args.length > 0 ? Integer.parseInt(args[0]) : 5;
		String mode = System.getProperty("mode", "both");
		List<MimeCorpus.Input> inputs = MimeCorpus.benchSet();
		long bytes = inputs.stream().mapToLong(input -> input.head().length).sum();
		Tika tika = new Tika();
		MimeTypeAnalyzer analyzer = new MimeTypeAnalyzer();
		int differ = 0;
		for (MimeCorpus.Input input : inputs) {
			if (!tika.detect(input.head()).equals(analyzer.detect(input.head()))) {
				differ++;
				System.out.println("DIFFERS: " + input.name());
			}
		}
		System.out.printf(Locale.ROOT, "%d inputs (heads: %.1f MiB), %d differ, fast path: %s, %d timed passes%n",
				inputs.size(), bytes / 1048576.0, differ, analyzer.fast(), passes);
		long oldNanos = 0;
		long newNanos = 0;
		int sink = 0;
		for (int pass = -2; pass < passes; pass++) {
			long t0 = System.nanoTime();
			if (!mode.equals("new")) {
				for (MimeCorpus.Input input : inputs) {
					sink += tika.detect(input.head()).length();
				}
			}
			long t1 = System.nanoTime();
			if (!mode.equals("old")) {
				for (MimeCorpus.Input input : inputs) {
					sink += analyzer.detect(input.head()).length();
				}
			}
			long t2 = System.nanoTime();
			if (pass >= 0) {
				oldNanos += t1 - t0;
				newNanos += t2 - t1;
			}
		}
		double samples = (double) inputs.size() * passes;
		double oldMicros = oldNanos / 1e3 / samples;
		double newMicros = newNanos / 1e3 / samples;
		System.out.printf(Locale.ROOT, "old (new Tika().detect(head)): %8.1f us/sample%n", oldMicros);
		System.out.printf(Locale.ROOT, "new (MimeTypeAnalyzer.detect): %8.1f us/sample%n", newMicros);
		if (mode.equals("both")) {
			System.out.printf(Locale.ROOT, "ratio old/new: %.1fx%n", oldMicros / newMicros);
		}
		if (sink == 42) {
			System.out.println();
		}
	}
}
