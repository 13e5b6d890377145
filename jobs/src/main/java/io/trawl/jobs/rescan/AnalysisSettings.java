package io.trawl.jobs.rescan;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

import io.trawl.jobs.TrawlProperties;
import io.trawl.worker.analysis.hash.HashAnalyzer;

/**
 * The digest of the analysis settings that change results beyond one analyzer's own: the size above which samples
 * get only the oversized analyzers, those analyzers, and the archive limits. An incremental job builds only on a job
 * with the same digest. Which analyzers run ({@code skip}, {@code extra-analyzers}) is not in it: results record
 * their analyzers and versions, and those are compared result by result ({@link Reruns}): an analyzer added since
 * runs alone, and a result holding the fields of an analyzer left out since is analysed in full.
 */
final class AnalysisSettings {

	private AnalysisSettings() {
	}

	static String digest(TrawlProperties.Analysis analysis) {
		String settings = String.join("\n", List.of("max-sample-size=" + analysis.maxSampleSize().toBytes(),
				"oversized-analyzers=" + new TreeSet<>(analysis.oversizedAnalyzers()), "archive=" + analysis.archive()));
		return HashAnalyzer.sha256Hex(settings.getBytes(StandardCharsets.UTF_8));
	}
}
