package io.trawl.jobs.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.yara.YaraMatch;
import io.trawl.worker.yara.YaraRules;

/**
 * Rules are compiled once per process, and again when their content changes (a service outlives many rulesets); an
 * older version is freed once no job holds it.
 */
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
			assertThat(rulesets.versionsHeld()).isEqualTo(1); // nobody held the first: freed at once
		}
	}

	@Test
	void rulesRewrittenWithTheSameSizeAndTimesAreStillReadAgain() throws Exception {
		Path file = Files.writeString(folder.resolve("c.yar"), "rule Old { condition: true }\n");
		FileTime written = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
		Files.setLastModifiedTime(file, written);
		try (Rulesets rulesets = new Rulesets(10)) {
			YaraRules first = rulesets.get(file.toString());
			Thread.sleep(2_100); // the change time of the next write is past any tick of the first
			assertThat(rulesets.get(file.toString())).isSameAs(first);

			Files.writeString(file, "rule New { condition: true }\n");
			Files.setLastModifiedTime(file, written);
			YaraRules rewritten = rulesets.get(file.toString());
			Files.writeString(folder.resolve("d.yar"), "rule Added { condition: true }\n");
			YaraRules added = rulesets.get(folder.toString());

			assertThat(rewritten.version()).isNotEqualTo(first.version()).isEqualTo(YaraRules.versionOf(file));
			assertThat(rulesets.get(file.toString())).isSameAs(rewritten);
			assertThat(added.version()).isEqualTo(YaraRules.versionOf(folder));
			assertThat(added.files()).hasSize(2);
		}
	}

	@Test
	void aSupersededVersionIsFreedWhenItsLastLeaseEndsNotBefore() throws Exception {
		Path file = Files.writeString(folder.resolve("b.yar"), "rule Old { strings: $a = \"abc\" condition: $a }\n");
		ByteBuffer bytes = ByteBuffer.allocateDirect(3).put("abc".getBytes(StandardCharsets.US_ASCII)).flip();
		try (Rulesets rulesets = new Rulesets(10)) {
			Rulesets.Lease job = rulesets.lease(file.toString());

			Files.writeString(file, "rule New { strings: $a = \"abc\" condition: $a }\n");
			YaraRules newer = rulesets.get(file.toString());

			// the job still scans with its version while the newer one exists
			assertThat(job.rules().scan(bytes.duplicate(), Map.of())).extracting(YaraMatch::rule).containsExactly("Old");
			assertThat(newer.scan(bytes.duplicate(), Map.of())).extracting(YaraMatch::rule).containsExactly("New");
			assertThat(rulesets.versionsHeld()).isEqualTo(2);

			job.close();
			job.close(); // twice is harmless

			assertThat(rulesets.versionsHeld()).isEqualTo(1);
			assertThatThrownBy(() -> job.rules().scan(bytes.duplicate(), Map.of())).hasMessageContaining("closed");
			assertThat(rulesets.lease(file.toString()).rules()).isSameAs(newer);
		}
	}
}
