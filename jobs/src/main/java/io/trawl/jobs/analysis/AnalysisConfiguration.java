package io.trawl.jobs.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.containment.NativeHostPools;
import io.trawl.jobs.rules.Rulesets;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.archive.ArchiveAnalyzer;
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

/**
 * The analyzers every sample goes through, in order: the built-in ones, then those named in
 * {@code trawl.analysis.extra-analyzers}, then YARA, last so its externals can use the file type.
 */
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

	@Bean(destroyMethod = "close")
	NativeHostPools nativeHostPools(TrawlProperties properties) {
		return new NativeHostPools(properties.analysis().analyzerTimeout(),
				properties.analysis().inMemoryLimit().toBytes(), properties.analysis().nativeMemoryLimit().toBytes(),
				properties.analysis().effectiveThreads(),
				Path.of(properties.dataDir()));
	}

	@Bean
	AnalysisFactory analysisFactory(VerdictPolicy verdicts, TrawlProperties properties, NativeHostPools hosts) {
		// analyzers are thread-safe: one set serves every partition. Hashes first (events and archive members are
		// keyed by sha256), mime before file type; YARA, built per ruleset, last so its filetype external is known
		List<Analyzer> analyzers = new ArrayList<>(List.of(new HashAnalyzer(), new MimeTypeAnalyzer(),
				new FileTypeAnalyzer(), new EntropyAnalyzer(), new SsdeepAnalyzer(), new TlshAnalyzer(),
				new PeAnalyzer(), new ElfAnalyzer(), new StringsAnalyzer(),
				new ArchiveAnalyzer(properties.analysis().archive().limits())));
		for (String className : properties.analysis().extraAnalyzers()) {
			if (className.isBlank()) {
				continue;
			}
			Analyzer extra = instantiate(className.trim());
			if (extra.name().equals("yara") || analyzers.stream().anyMatch(a -> a.name().equals(extra.name()))) {
				throw new IllegalArgumentException("trawl.analysis.extra-analyzers: " + className + " is named '"
						+ extra.name() + "', like an analyzer that already runs; give it another name().");
			}
			analyzers.add(extra);
		}
		Set<String> skip = Set.copyOf(properties.analysis().skip());
		Set<String> skippable = new TreeSet<>(List.of("yara"));
		analyzers.stream().map(Analyzer::name).filter(name -> !name.equals("hashes")).forEach(skippable::add);
		skip.stream().filter(name -> !skippable.contains(name)).findFirst().ifPresent(name -> {
			throw new IllegalArgumentException("trawl.analysis.skip names " + name + ", which is not an analyzer "
					+ "that can be left out; these can: " + skippable);
		});
		properties.analysis().oversizedAnalyzers().stream()
			.filter(name -> !name.equals("hashes") && !skippable.contains(name))
			.findFirst()
			.ifPresent(name -> {
				throw new IllegalArgumentException("trawl.analysis.oversized-analyzers names " + name + ", which is not "
						+ "an analyzer; these are: hashes, " + String.join(", ", skippable));
			});
		List<Analyzer> kept = analyzers.stream().filter(analyzer -> !skip.contains(analyzer.name())).toList();
		return (rules, warmUp) -> {
			List<Analyzer> pipeline = new ArrayList<>(kept);
			if (!skip.contains("yara")) {
				pipeline.add(new YaraAnalyzer(rules));
			}
			if (properties.analysis().isolateNativeCode()) {
				pipeline = hosts.isolate(pipeline, rules, warmUp);
			}
			return new SampleAnalysis(pipeline, verdicts, properties.analysis().analyzerTimeout());
		};
	}

	/** An analyzer named in trawl.analysis.extra-analyzers; a mistake there is one sentence, before any job runs. */
	static Analyzer instantiate(String className) {
		String setting = "trawl.analysis.extra-analyzers names " + className;
		Class<?> type;
		try {
			type = Class.forName(className, true, AnalysisConfiguration.class.getClassLoader());
		}
		catch (ClassNotFoundException | LinkageError e) {
			throw new IllegalArgumentException(setting + ", which is not on the classpath: check the name, and put its "
					+ "jar or folder on TRAWL_CLASSPATH.", e);
		}
		if (!Analyzer.class.isAssignableFrom(type)) {
			throw new IllegalArgumentException(setting + ", which does not implement " + Analyzer.class.getName() + ".");
		}
		try {
			return (Analyzer) type.getConstructor().newInstance();
		}
		catch (NoSuchMethodException e) {
			throw new IllegalArgumentException(setting + ", which has no public no-argument constructor.", e);
		}
		catch (ReflectiveOperationException e) {
			Throwable cause = e.getCause() == null ? e : e.getCause();
			throw new IllegalArgumentException(setting + ", which could not be created: " + cause, e);
		}
	}

	/** Builds the analysis pipeline for one ruleset. */
	@FunctionalInterface
	public interface AnalysisFactory {

		/** @param warmUp start the native hosts now, not on the first sample that needs them */
		SampleAnalysis create(YaraRules rules, boolean warmUp);

		/** The pipeline of a full analysis of every sample: its native hosts start ahead of the first. */
		default SampleAnalysis create(YaraRules rules) {
			return create(rules, true);
		}
	}
}
