package io.trawl.jobs.containment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.isolation.FaultyAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.isolation.IsolatedAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * One setup of the native hosts per ruleset version, replacing exactly the analyzers with native code; the hosts serve
 * every ruleset and forget one no job holds any more when the next ruleset comes, as on a worker that gets new rules
 * every night.
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
					new FaultyAnalyzer(), new YaraAnalyzer(monday)), monday, true);

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
			pools.isolate(List.of(new FaultyAnalyzer(), new YaraAnalyzer(tuesday)), tuesday, true);
			assertThat(pools.sets()).as("Monday's rules are still held by a job").isEqualTo(2);

			monday.close(); // what Rulesets does once no job holds them and newer ones exist
			pools.isolate(List.of(new FaultyAnalyzer(), new YaraAnalyzer(tuesday)), tuesday, true);
			assertThat(pools.sets()).isEqualTo(1);
			tuesday.close();
		}
	}

	@Test
	void tomorrowsRulesRunInTheHostsThatRanTodays() throws Exception {
		Path rules = Files.writeString(dir.resolve("rules.yar"),
				"rule today { strings: $a = \"hello\" condition: $a }\n");
		try (YaraRules today = YaraRules.compile(rules, 10);
				NativeHostPools pools = new NativeHostPools(Duration.ofSeconds(30), 1 << 20, 1L << 30, 2, dir)) {
			assertThat(scan(pools.isolate(List.of(new YaraAnalyzer(today)), today, true).get(0)))
				.isEqualTo(List.of("today"));
			assertThat(pools.running()).isEqualTo(1);

			Files.writeString(rules, "rule tomorrow { strings: $a = \"hello\" condition: $a }\n");
			try (YaraRules tomorrow = YaraRules.compile(rules, 10)) {
				today.close();
				Analyzer yara = pools.isolate(List.of(new YaraAnalyzer(tomorrow)), tomorrow, true).get(0);
				assertThat(scan(yara)).isEqualTo(List.of("tomorrow"));
				Thread.sleep(500); // a host of its own, were one started, would be running by now
				assertThat(pools.running()).as("no host started for the new rules").isEqualTo(1);
				assertThat(pools.sets()).isEqualTo(1);
			}
		}
	}

	private static Object scan(Analyzer yara) throws Exception {
		Findings findings = new Findings();
		try (Sample sample = Sample.ofBytes("greeting.txt", "say hello".getBytes())) {
			yara.analyse(sample, findings);
		}
		return findings.get("yara");
	}

	@Test
	void hostsNotWarmedUpStartOnTheFirstSampleThatNeedsOne() throws Exception {
		Path rules = Files.writeString(dir.resolve("rules.yar"), "rule hello { strings: $a = \"hello\" condition: $a }\n");
		try (YaraRules compiled = YaraRules.compile(rules, 10);
				NativeHostPools pools = new NativeHostPools(Duration.ofSeconds(30), 1 << 20, 1L << 30, 2, dir)) {
			Analyzer yara = pools.isolate(List.of(new YaraAnalyzer(compiled)), compiled, false).get(0);
			Thread.sleep(500); // a warm-up would have started its hosts by now
			assertThat(pools.running()).as("no sample needed a host yet").isZero();

			Findings findings = new Findings();
			try (Sample sample = Sample.ofBytes("greeting.txt", "say hello".getBytes())) {
				yara.analyse(sample, findings);
			}

			assertThat(findings.get("yara")).isEqualTo(List.of("hello"));
			assertThat(pools.running()).isEqualTo(1);
		}
	}

	@Test
	void eachPartitionWarmsUpOneHostUpToOnePerSampleAnalysedAtOnce() throws Exception {
		Path rules = Files.writeString(dir.resolve("rules.yar"), "rule everything { condition: true }\n");
		try (YaraRules compiled = YaraRules.compile(rules, 10);
				NativeHostPools pools = new NativeHostPools(Duration.ofSeconds(30), 1 << 20, 1L << 30, 2, dir)) {
			pools.isolate(List.of(new YaraAnalyzer(compiled)), compiled, true);
			await().atMost(Duration.ofSeconds(60)).until(() -> pools.running() == 1);
			Thread.sleep(500); // a second host, were one started, would be running by now
			assertThat(pools.running()).as("a job of one partition starts one host").isEqualTo(1);

			pools.isolate(List.of(new YaraAnalyzer(compiled)), compiled, true);
			await().atMost(Duration.ofSeconds(60)).until(() -> pools.running() == 2);

			pools.isolate(List.of(new YaraAnalyzer(compiled)), compiled, true); // a third partition, after one ended
			Thread.sleep(500);
			assertThat(pools.running()).as("no more hosts than samples analysed at once").isEqualTo(2);
		}
	}

	@Test
	void theSameRulesFromAnotherFolderGetHostsThatReadThatFolder() throws Exception {
		String source = "rule hello { strings: $a = \"hello\" condition: $a }\n";
		Path first = Files.writeString(Files.createDirectories(dir.resolve("monday")).resolve("rules.yar"), source);
		Path second = Files.writeString(Files.createDirectories(dir.resolve("tuesday")).resolve("rules.yar"), source);
		try (YaraRules monday = YaraRules.compile(first, 10); YaraRules tuesday = YaraRules.compile(second, 10);
				NativeHostPools pools = new NativeHostPools(Duration.ofSeconds(30), 1 << 20, 1L << 30, 2, dir)) {
			assertThat(tuesday.version()).as("the same rules").isEqualTo(monday.version());
			pools.isolate(List.of(new YaraAnalyzer(monday)), monday, false);
			Files.delete(first); // Monday's folder is gone before any host compiled from it

			Analyzer yara = pools.isolate(List.of(new YaraAnalyzer(tuesday)), tuesday, false).get(0);
			Findings findings = new Findings();
			try (Sample sample = Sample.ofBytes("greeting.txt", "say hello".getBytes())) {
				yara.analyse(sample, findings);
			}

			assertThat(findings.get("yara")).isEqualTo(List.of("hello"));
		}
	}

	@Test
	void hostsThatRunYaraAloneReadNoSampleIntoMemory() throws Exception {
		Path rules = Files.writeString(dir.resolve("rules.yar"), "rule everything { condition: true }\n");
		try (YaraRules compiled = YaraRules.compile(rules, 10)) {
			assertThat(NativeHostPools.hostInMemoryLimit(List.of(new YaraAnalyzer(compiled)), 1 << 20))
				.as("libyara maps each sample's file, as the yara CLI does").isZero();
			assertThat(NativeHostPools.hostInMemoryLimit(List.of(new FaultyAnalyzer(), new YaraAnalyzer(compiled)),
					1 << 20))
				.as("a plugged-in analyzer still gets small samples in memory").isEqualTo(1 << 20);
		}
	}
}
