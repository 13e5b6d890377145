package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.trawl.readmodel.jdbc.JdbcManifests;
import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.RuleFingerprints;

/**
 * The fingerprints of a ruleset are read once per version while it is among the last few used, with real rules
 * compiled by libyara and the manifests on H2: a service that alternates two rulesets (a night's rules, a scan on
 * demand with others) does not parse the nightly rules again each night.
 */
class CurrentFingerprintsTests {

	@TempDir
	Path workspace;

	private final JdbcManifests manifests = new JdbcManifests(new DriverManagerDataSource(
			"jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", ""));
	private final List<YaraRules> compiled = new ArrayList<>();

	@AfterEach
	void free() {
		compiled.forEach(YaraRules::close);
	}

	@Test
	void givenTwoRulesetsInTurn_thenEachIsReadOnceAndStoredForTheNextJobsDelta() throws IOException {
		YaraRules nightly = compile("nightly", "rule A { strings: $a = \"alpha\" condition: $a }");
		YaraRules onDemand = compile("on-demand", "rule B { strings: $b = \"beta\" condition: $b }");
		CurrentFingerprints fingerprints = new CurrentFingerprints(manifests);

		RuleFingerprints first = fingerprints.of(nightly).orElseThrow();
		fingerprints.of(onDemand).orElseThrow();
		// the nightly rules' source is gone: a second read would fail, the kept fingerprints do not need it
		deleteSource(nightly);

		assertThat(fingerprints.of(nightly)).containsSame(first);
		assertThat(manifests.ruleset(nightly.version())).contains(first.sha256s());
		assertThat(manifests.ruleset(onDemand.version())).isPresent();
	}

	@Test
	void givenMoreRulesetsThanKept_thenTheLeastRecentlyUsedIsReadAgain() throws IOException {
		CurrentFingerprints fingerprints = new CurrentFingerprints(manifests);
		YaraRules oldest = compile("r0", "rule R0 { strings: $a = \"r0\" condition: $a }");
		RuleFingerprints first = fingerprints.of(oldest).orElseThrow();
		for (int i = 1; i <= CurrentFingerprints.KEPT; i++) {
			fingerprints.of(compile("r" + i, "rule R" + i + " { strings: $a = \"r" + i + "\" condition: $a }"))
				.orElseThrow();
		}

		RuleFingerprints again = fingerprints.of(oldest).orElseThrow();

		assertThat(again).isNotSameAs(first);
		assertThat(again.sha256s()).isEqualTo(first.sha256s());
	}

	@Test
	void givenASourceThatCannotBeParsed_thenNoFingerprintsAndTheAnswerIsKept() throws IOException {
		YaraRules rules = compile("gone", "rule G { condition: true }");
		deleteSource(rules);
		CurrentFingerprints fingerprints = new CurrentFingerprints(manifests);

		assertThat(fingerprints.of(rules)).isEmpty();
		assertThat(manifests.ruleset(rules.version())).isEmpty();
		// the source back as it was: the version's answer is the one kept, not read again
		compile("gone", "rule G { condition: true }");
		assertThat(fingerprints.of(rules)).isEmpty();
	}

	private YaraRules compile(String name, String source) throws IOException {
		Path folder = Files.createDirectories(workspace.resolve(name));
		Files.writeString(folder.resolve("main.yar"), source);
		YaraRules rules = YaraRules.compile(folder, 10);
		compiled.add(rules);
		return rules;
	}

	private static void deleteSource(YaraRules rules) throws IOException {
		Path source = rules.source();
		Path file = Files.isDirectory(source) ? source.resolve("main.yar") : source;
		Files.delete(file);
		if (Files.isDirectory(source)) {
			Files.delete(source);
		}
	}
}
