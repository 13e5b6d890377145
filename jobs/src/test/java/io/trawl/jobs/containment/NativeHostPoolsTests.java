package io.trawl.jobs.containment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.isolation.FaultyAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.isolation.IsolatedAnalyzer;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * One set of native hosts per ruleset version, replacing exactly the analyzers with native code; the hosts of a
 * ruleset no job holds any more stop when the next ruleset comes, as on a worker that gets new rules every night.
 */
class NativeHostPoolsTests {

	@TempDir
	Path dir;

	@Test
	void theHostsOfRulesNoJobHoldsStopWhenNewRulesCome() throws Exception {
		Path rules = Files.writeString(dir.resolve("rules.yar"), "rule first { condition: true }\n");
		YaraRules monday = YaraRules.compile(rules, 10);
		try (NativeHostPools pools = new NativeHostPools(Duration.ofSeconds(30), 1 << 20, 1L << 30, 1, dir)) {
			List<Analyzer> pipeline = pools.isolate(List.of(new HashAnalyzer(), new SsdeepAnalyzer(),
					new FaultyAnalyzer(), new YaraAnalyzer(monday)), monday);

			assertThat(pipeline).extracting(Analyzer::name).containsExactly("hashes", "ssdeep", "faulty", "yara");
			assertThat(pipeline.get(0)).isInstanceOf(HashAnalyzer.class);
			assertThat(pipeline.get(1)).as("Java since issue 13: stays in the JVM").isInstanceOf(SsdeepAnalyzer.class);
			assertThat(pipeline.subList(2, 4)).allSatisfy(analyzer -> {
				assertThat(analyzer).isInstanceOf(IsolatedAnalyzer.class);
				assertThat(analyzer.nativeCode()).isFalse();
			});
			assertThat(pools.sets()).isEqualTo(1);

			Files.writeString(rules, "rule second { condition: true }\n");
			YaraRules tuesday = YaraRules.compile(rules, 10);
			pools.isolate(List.of(new FaultyAnalyzer(), new YaraAnalyzer(tuesday)), tuesday);
			assertThat(pools.sets()).as("Monday's rules are still held by a job").isEqualTo(2);

			monday.close(); // what Rulesets does once no job holds them and newer ones exist
			pools.isolate(List.of(new FaultyAnalyzer(), new YaraAnalyzer(tuesday)), tuesday);
			assertThat(pools.sets()).isEqualTo(1);
			tuesday.close();
		}
	}
}
