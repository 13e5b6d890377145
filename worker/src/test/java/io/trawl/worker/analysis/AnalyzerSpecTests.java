package io.trawl.worker.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

class AnalyzerSpecTests {

	@TempDir
	Path dir;

	@Test
	void givenAnAnalyzerWithoutSetup_whenItsSpecIsCreated_thenItIsThatClassAgain() {
		Analyzer created = new HashAnalyzer().spec().create();

		assertThat(created).isInstanceOf(HashAnalyzer.class);
	}

	@Test
	void givenYara_whenItsSpecIsCreated_thenTheSameRulesAreCompiledAgain() throws Exception {
		Path rules = Files.writeString(dir.resolve("one.yar"), "rule one { strings: $a = \"trawl\" condition: $a }");
		try (YaraRules compiled = YaraRules.compile(rules, 30)) {
			AnalyzerSpec spec = new YaraAnalyzer(compiled).spec();

			Analyzer created = spec.create();

			assertThat(created).isInstanceOf(YaraAnalyzer.class);
			assertThat(spec.settings()).containsEntry("rules", rules.toString())
				.containsEntry("version", compiled.version())
				.containsEntry("timeoutSeconds", 30);
		}
	}

	@Test
	void givenYaraRulesChangedSinceTheJobCompiledThem_whenTheSpecIsCreated_thenItIsRefused() throws Exception {
		Path rules = Files.writeString(dir.resolve("one.yar"), "rule one { strings: $a = \"trawl\" condition: $a }");
		AnalyzerSpec spec;
		try (YaraRules compiled = YaraRules.compile(rules, 30)) {
			spec = new YaraAnalyzer(compiled).spec();
		}
		Files.writeString(rules, "rule two { strings: $a = \"other\" condition: $a }");

		assertThatThrownBy(spec::create).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("the YARA rules at " + rules + " changed since the job compiled them");
	}

	@Test
	void givenAClassThatIsNoAnalyzer_whenCreated_thenTheMessageNamesIt() {
		Map<String, Object> none = new LinkedHashMap<>();

		assertThatThrownBy(() -> new AnalyzerSpec(String.class.getName(), none).create())
			.hasMessageStartingWith("cannot create the analyzer java.lang.String");
	}
}
