package io.trawl.jobs.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.yara.YaraRules;

/** Rules are compiled once per process, and again when their content changes (a service outlives many rulesets). */
class RulesetsTests {

	@TempDir
	Path folder;

	@Test
	void theSameRulesAreCompiledOnceAndEditedRulesAgain() throws Exception {
		Path file = Files.writeString(folder.resolve("a.yar"), "rule A { condition: true }\n");
		try (Rulesets rulesets = new Rulesets(10)) {
			YaraRules first = rulesets.get(file.toString());

			assertThat(rulesets.get(file.toString())).isSameAs(first);

			Files.writeString(file, "rule B { condition: false }\n");
			YaraRules edited = rulesets.get(file.toString());

			assertThat(edited).isNotSameAs(first);
			assertThat(edited.version()).isNotEqualTo(first.version()).isEqualTo(YaraRules.versionOf(file));
		}
	}
}
