package io.trawl.jobs.rescan;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

import io.trawl.jobs.TrawlProperties;
import io.trawl.worker.analysis.hash.HashAnalyzer;

/**
 * The digest of the analysis settings that change results: the size above which samples get only the oversized
 * analyzers, those analyzers, the analyzers left out or added, and the archive limits. An incremental job builds
 * only on a job with the same digest. Analyzer versions are compared result by result instead ({@link Incremental}).
 */
final class AnalysisSettings {

	private AnalysisSettings() {
	}

	static String digest(TrawlProperties.Analysis analysis) {
		String settings = String.join("\n", List.of("max-sample-size=" + analysis.maxSampleSize().toBytes(),
				"oversized-analyzers=" + new TreeSet<>(analysis.oversizedAnalyzers()),
				"skip=" + new TreeSet<>(analysis.skip()), "extra-analyzers=" + analysis.extraAnalyzers(),
				"archive=" + analysis.archive()));
		return HashAnalyzer.sha256Hex(settings.getBytes(StandardCharsets.UTF_8));
	}
}
