package io.trawl.worker.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraMatch;
import io.trawl.worker.yara.YaraRules;

/**
 * One pool of host processes serves several setups (rulesets): a host loads each the first time a request names it,
 * from the rules this JVM compiled and saved, and keeps the ones it used last. A service that meets new rules every
 * night, or a job that scans with a delta ruleset beside the whole one, starts no JVM for them.
 */
class SharedHostsTests {

	@TempDir
	Path dir;

	private final List<AutoCloseable> open = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (int i = open.size() - 1; i >= 0; i--) {
			open.get(i).close();
		}
	}

	@Test
	void savedRules_whenLoaded_matchEverySampleAsTheCompiledOnes() throws Exception {
		YaraRules compiled = keep(YaraRules.compile(Path.of("../config/rules").toAbsolutePath().normalize(), 30));
		Path saved = compiled.saved();
		assertThat(compiled.saved()).as("saved once").isEqualTo(saved);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved.getParent())))
			.as("the folder of the saved rules is its user's alone").isEqualTo("rwx------");
		YaraRules loaded = keep(YaraRules.load(saved, compiled.version(), compiled.source(), 30));

		int matched = 0;
		for (Path file : TestCorpus.writeTo(dir.resolve("corpus"))) {
			List<YaraMatch> expected = compiled.scan(file, externals(file));
			assertThat(loaded.scan(file, externals(file))).as("matches of %s", file).isEqualTo(expected);
			matched += expected.isEmpty() ? 0 : 1;
		}
		assertThat(matched).as("samples with matches: the comparison covers them").isPositive();
		assertThat(loaded.version()).isEqualTo(compiled.version());

		compiled.close();
		assertThat(saved).as("deleted with the rules").doesNotExist();
		assertThat(saved.getParent()).doesNotExist();
	}

	@Test
	void aHostRunsTheRulesThisJvmCompiled_evenAfterTheirFileChanged() throws Exception {
		Path file = Files.writeString(dir.resolve("rules.yar"), rule("hello"));
		YaraRules compiled = keep(YaraRules.compile(file, 10));
		Files.writeString(file, rule("changed"));
		NativeHosts hosts = keep(pool());
		Analyzer yara = new IsolatedAnalyzer(new YaraAnalyzer(compiled),
				hosts.setup(List.of(new YaraAnalyzer(compiled)), 0));

		assertThat(scan(yara)).containsExactly("hello");
	}

	@Test
	void withoutItsSavedRules_aHostCompilesTheSource_andRefusesItIfItChanged() throws Exception {
		Path file = Files.writeString(dir.resolve("rules.yar"), rule("hello"));
		YaraRules compiled = keep(YaraRules.compile(file, 10));
		Map<String, Object> settings = new HashMap<>(new YaraAnalyzer(compiled).spec().settings());
		settings.put("compiled", dir.resolve("gone.yarc").toString()); // deleted, or never saved

		YaraAnalyzer fromSource = (YaraAnalyzer) new YaraAnalyzer.Recompiled().create(settings);
		Findings findings = new Findings();
		try (Sample sample = Sample.ofBytes("greeting.txt", "say hello".getBytes())) {
			fromSource.analyse(sample, findings);
		}
		assertThat(findings.get("yara")).isEqualTo(List.of("hello"));
		fromSource.close();

		Files.writeString(file, rule("changed"));
		assertThatThrownBy(() -> new YaraAnalyzer.Recompiled().create(settings))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("changed since the job compiled them");
	}

	@Test
	void closingTheJobsOwnAnalyzerLeavesTheSharedRulesOpen() throws Exception {
		YaraRules shared = keep(YaraRules.compile(Files.writeString(dir.resolve("r.yar"), rule("hello")), 10));
		new YaraAnalyzer(shared).close();
		assertThat(shared.closed()).as("the job's rules are its Rulesets' to free").isFalse();
	}

	@Test
	void oneHostLoadsEachRulesetOnDemand_andLoadsAgainOneItForgot() throws Exception {
		NativeHosts hosts = keep(pool());
		List<Analyzer> byRuleset = new ArrayList<>();
		int rulesets = NativeHosts.SETUPS_PER_HOST + 2;
		for (int i = 0; i < rulesets; i++) {
			YaraRules rules = keep(YaraRules.compile(Files.writeString(dir.resolve("night" + i + ".yar"),
					rule("night" + i)), 10));
			byRuleset.add(new IsolatedAnalyzer(new YaraAnalyzer(rules),
					hosts.setup(List.of(new YaraAnalyzer(rules)), 0)));
		}

		for (int i = 0; i < rulesets; i++) {
			assertThat(scan(byRuleset.get(i))).as("ruleset %d", i).containsExactly("night" + i);
		}
		assertThat(hosts.running()).as("one host served every ruleset").isEqualTo(1);

		// the first rulesets were forgotten to keep the host's memory bounded: asked again, it loads them again
		assertThat(scan(byRuleset.get(0))).containsExactly("night0");
		assertThat(scan(byRuleset.get(1))).containsExactly("night1");
		assertThat(hosts.running()).isEqualTo(1);
	}

	@Test
	void aRetiredSetupIsForgotten_andTheHostServesTheNext() throws Exception {
		NativeHosts hosts = keep(pool());
		YaraRules monday = keep(YaraRules.compile(Files.writeString(dir.resolve("monday.yar"), rule("monday")), 10));
		YaraRules tuesday = keep(YaraRules.compile(Files.writeString(dir.resolve("tuesday.yar"), rule("tuesday")), 10));
		NativeHosts.Setup mondays = hosts.setup(List.of(new YaraAnalyzer(monday)), 0);
		NativeHosts.Setup tuesdays = hosts.setup(List.of(new YaraAnalyzer(tuesday)), 0);

		assertThat(scan(new IsolatedAnalyzer(new YaraAnalyzer(monday), mondays))).containsExactly("monday");
		mondays.retire();
		monday.close(); // its saved rules are gone: a host that had not forgotten them could not load them again
		assertThat(scan(new IsolatedAnalyzer(new YaraAnalyzer(tuesday), tuesdays))).containsExactly("tuesday");
		assertThat(hosts.running()).isEqualTo(1);
		assertThat(hosts.retiredHeld()).as("no host holds Monday's rules any more").isZero();
	}

	private NativeHosts pool() {
		return new NativeHosts(Duration.ofSeconds(60), NativeHosts.commandFor(dir, 1L << 30), dir);
	}

	private List<String> scan(Analyzer yara) throws Exception {
		Findings findings = new Findings();
		try (Sample sample = Sample.ofBytes("greeting.txt", "say hello".getBytes())) {
			yara.analyse(sample, findings);
		}
		assertThat(findings.errors()).isEmpty();
		return ((List<?>) findings.get("yara")).stream().map(String::valueOf).toList();
	}

	private static String rule(String name) {
		return "rule " + name + " { strings: $a = \"hello\" condition: $a }\n";
	}

	private <T extends AutoCloseable> T keep(T closeable) {
		open.add(closeable);
		return closeable;
	}

	/** The externals YaraAnalyzer gives a file of this name, with no file type known. */
	private static Map<String, String> externals(Path file) {
		String name = file.getFileName().toString();
		int dot = name.lastIndexOf('.');
		return Map.of("filename", name, "filepath", file.toString(), "extension",
				dot > 0 ? name.substring(dot + 1) : "", "filetype", "");
	}
}
