package io.trawl.jobs.analysis;

import java.util.ArrayList;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import io.trawl.jobs.TrawlProperties;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.archive.ArchiveAnalyzer;
import io.trawl.worker.analysis.archive.ArchiveLimits;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.elf.ElfAnalyzer;
import io.trawl.worker.analysis.filetype.FileTypeAnalyzer;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.analysis.pe.PeAnalyzer;
import io.trawl.worker.analysis.strings.StringsAnalyzer;
import io.trawl.worker.analysis.tlsh.TlshAnalyzer;
import io.trawl.worker.analysis.content.MimeTypeAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/** The analyzers every sample goes through, in order. YARA comes last so its externals can use the file type. */
@Configuration(proxyBeanMethods = false)
public class AnalysisConfiguration {

	/** Local rules only; the aws profile supplies a {@link Rulesets} that also fetches s3:// rules. */
	@Bean(destroyMethod = "close")
	@Profile("!aws")
	Rulesets rulesets(TrawlProperties properties) {
		return new Rulesets(properties.analysis().yaraTimeoutSeconds());
	}

	@Bean
	VerdictPolicy verdictPolicy() {
		return VerdictPolicy.defaults();
	}

	@Bean
	AnalysisFactory analysisFactory(VerdictPolicy verdicts, TrawlProperties properties) {
		ArchiveLimits archiveLimits = properties.analysis().archive().limits();
		return rules -> {
			// hashes first: archive members and events are keyed by sha256; mime before file type and YARA externals
			List<Analyzer> analyzers = new ArrayList<>(List.of(new HashAnalyzer(), new MimeTypeAnalyzer(),
					new FileTypeAnalyzer(), new EntropyAnalyzer(), new SsdeepAnalyzer(), new TlshAnalyzer(),
					new PeAnalyzer(), new ElfAnalyzer(), new StringsAnalyzer(), new ArchiveAnalyzer(archiveLimits)));
			analyzers.add(new YaraAnalyzer(rules));
			return new SampleAnalysis(analyzers, verdicts);
		};
	}

	/** Builds the analysis pipeline for one ruleset. */
	@FunctionalInterface
	public interface AnalysisFactory {
		SampleAnalysis create(YaraRules rules);

		/** For samples too large for the whole analysis: hashes, streamed. */
		default SampleAnalysis hashesOnly() {
			return new SampleAnalysis(List.of(new HashAnalyzer()), VerdictPolicy.defaults());
		}
	}
}
