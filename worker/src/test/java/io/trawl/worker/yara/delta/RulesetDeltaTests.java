package io.trawl.worker.yara.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.testcorpus.TestCorpus;
import io.trawl.worker.yara.YaraMatch;
import io.trawl.worker.yara.YaraRules;

/**
 * Given matches under rules R1 and a delta for rules R2, when merged, then they are what the {@code yara} CLI and a
 * full libyara scan with R2 say, file by file. R2 adds three rules (one reads {@code filename}), changes one, removes
 * one, changes a private rule that public ones use and a global rule, and only reformats another.
 */
class RulesetDeltaTests {

	static final String ALPHA_R1 = """
			import "math"

			// a sample starting with '#' is out of this namespace
			global rule alpha_gate
			{
			    condition:
			        uint8(0) != 0x23
			}

			private rule is_planted
			{
			    strings:
			        $p = "PLANTED"
			    condition:
			        $p
			}

			rule planted_red : colour warm
			{
			    meta:
			        score = 10
			        note = "a \\"quoted\\" note // not a comment"
			    strings:
			        $r = "red" nocase
			    condition:
			        is_planted and $r
			}

			rule planted_blue : colour
			{
			    strings:
			        $b = /bl(ue|ack)\\/x/ nocase // a slash in a regular expression
			    condition:
			        is_planted and $b
			}

			rule high_entropy
			{
			    condition:
			        math.entropy(0, filesize) > 7.5
			}
			""";

	static final String ALPHA_R2 = ALPHA_R1.replace("        $p\n", "        any of them\n")
		.replace("$p = \"PLANTED\"", "$p = \"PLANTED\"\n        $q = \"SEEDED\"") + """

			rule planted_green
			{
			    strings:
			        $g = "green"
			    condition:
			        is_planted and $g
			}
			""";

	static final String BETA_R1 = """
			import "pe"

			private rule mz { condition: uint16(0) == 0x5A4D }

			rule pe_file { condition: mz and pe.number_of_sections > 0 }

			rule elf_file { strings: $h = { 7F 45 4C 46 } condition: $h at 0 }

			/* PL?ANTE: a jump and alternatives */
			rule hex_jump { strings: $j = { 50 4C [1-2] 4E 54 ( 45 | 46 ) } condition: $j }

			rule goes_away { strings: $g = "green" condition: $g }

			rule shell_named { condition: extension == "sh" }

			rule any_format { condition: any of (pe_*, elf_*) }
			""";

	static final String BETA_R2 = BETA_R1.replace("rule goes_away { strings: $g = \"green\" condition: $g }\n", "")
		.replace("{ 50 4C [1-2] 4E 54 ( 45 | 46 ) }", "{ 53 45 [0-2] 44 45 ( 44 | 45 ) }")
		.replace("rule elf_file { strings: $h = { 7F 45 4C 46 } condition: $h at 0 }", """
				rule elf_file // only laid out anew
				{
				    strings: $h = { 7F 45 4C 46 }
				    condition: $h   at   0
				}""") + """

			rule dropper_named { condition: filename contains "dropper" }

			rule big_file { condition: filesize > 100KB }
			""";

	static final String GAMMA_R1 = """
			include "../inc/shared.inc"

			global rule gamma_gate { condition: filesize > 64 }

			rule gamma_seed_or_plan { condition: shared_seed or uint32be(0) == 0x504C414E }
			""";

	static final String GAMMA_R2 = GAMMA_R1.replace("filesize > 64", "filesize > 2048");

	static final String SHARED = """
			rule shared_seed { strings: $s = "SEEDED" condition: $s }
			""";

	@TempDir
	static Path dir;

	static Path r1;
	static Path r2;
	static List<Path> corpus;

	@BeforeAll
	static void givenACorpusAndTwoRulesets() throws IOException {
		r1 = rules("r1", ALPHA_R1, BETA_R1, GAMMA_R1);
		r2 = rules("r2", ALPHA_R2, BETA_R2, GAMMA_R2);
		corpus = corpus(dir.resolve("corpus"));
	}

	@Test
	void givenR1AndR2_whenCompared_thenEachRuleIsAddedChangedUnchangedOrRemovedAsEdited() {
		RuleFingerprints before = RuleFingerprints.of(RulesetSource.read(r1));
		RuleFingerprints after = RuleFingerprints.of(RulesetSource.read(r2));

		RulesetDelta delta = RulesetDelta.between(before.sha256s(), after);

		assertThat(delta.added()).containsExactly("alpha:planted_green", "beta:dropper_named", "beta:big_file");
		assertThat(delta.changed()).containsExactly("alpha:is_planted", "alpha:planted_red", "alpha:planted_blue",
				"beta:hex_jump", "gamma/nested:shared_seed", "gamma/nested:gamma_gate",
				"gamma/nested:gamma_seed_or_plan");
		assertThat(delta.unchanged()).containsExactly("alpha:alpha_gate", "alpha:high_entropy", "beta:mz",
				"beta:pe_file", "beta:elf_file", "beta:shell_named", "beta:any_format");
		assertThat(delta.removed()).containsExactly("beta:goes_away");
		assertThat(delta.dependenciesOnly()).containsExactly("alpha:alpha_gate");
		assertThat(after.all().entrySet().stream().filter(e -> e.getValue().locationDependent()).map(Map.Entry::getKey))
			.containsExactly("beta:shell_named", "beta:dropper_named");
		assertThat(after.all().get("beta:shell_named").externals()).containsExactly("extension");
		assertThat(after.all().get("beta:dropper_named").externals()).containsExactly("filename");
		assertThat(after.all().get("beta:any_format").externals()).isEmpty();
		assertThat(RulesetDelta.between(after.sha256s(), after).isEmpty()).isTrue();
	}

	@Test
	void givenR1Matches_whenMergedWithTheDeltaScanOfR2_thenEqualsYaraCliAndAFullScanWithR2() throws Exception {
		RuleFingerprints before = RuleFingerprints.of(RulesetSource.read(r1));
		RuleFingerprints after = RuleFingerprints.of(RulesetSource.read(r2));
		RulesetDelta delta = RulesetDelta.between(before.sha256s(), after);
		RulesetDelta moved = delta.forNewLocation();
		delta.writeTo(dir.resolve("delta"));
		moved.writeTo(dir.resolve("delta-moved"));
		List<String> namespaces = after.source().namespaces().stream().map(SourceNamespace::name).toList();
		List<String> beforeNamespaces = before.source().namespaces().stream().map(SourceNamespace::name).toList();
		assertThat(delta.sources().get("alpha")).contains("private global rule alpha_gate")
			.doesNotContain("high_entropy");
		assertThat(delta.sources()).doesNotContainKey("beta-unchanged").containsOnlyKeys("alpha", "beta", "gamma/nested");
		assertThat(moved.scanned()).contains("beta:shell_named");

		Set<String> everMatched = new LinkedHashSet<>();
		try (YaraRules full1 = YaraRules.compile(r1, 10); YaraRules full2 = YaraRules.compile(r2, 10);
				YaraRules deltaRules = YaraRules.compile(dir.resolve("delta"), 10);
				YaraRules movedRules = YaraRules.compile(dir.resolve("delta-moved"), 10)) {
			for (Path file : corpus) {
				Map<String, String> here = externals("corpus/" + file.getFileName());
				Map<String, String> before1 = externals("old/" + file.getFileName() + ".dropper.sh");
				List<YaraMatch> previous = full1.scan(file, here);
				List<YaraMatch> scanned = deltaRules.scan(file, here);
				List<YaraMatch> merged = delta.merge(previous, scanned);

				List<String> expected = YaraCli.matches(r2, namespaces, file, here);
				assertThat(ids(previous)).as("libyara and yara agree on R1, %s", file)
					.isEqualTo(YaraCli.matches(r1, beforeNamespaces, file, here));
				assertThat(ids(scanned)).as("the delta reports scanned rules only, %s", file)
					.isSubsetOf(delta.scanned());
				assertThat(ids(merged)).as("%s", file).isEqualTo(expected);
				assertThat(merged).as("tags and metas too, %s", file).isEqualTo(full2.scan(file, here));

				List<YaraMatch> movedMerged = moved.merge(full1.scan(file, before1), movedRules.scan(file, here));
				assertThat(ids(movedMerged)).as("after a move, %s", file).isEqualTo(expected);
				everMatched.addAll(expected);
			}
		}
		assertThat(everMatched).as("every public rule of R2 matches some file")
			.containsExactlyInAnyOrderElementsOf(after.source()
				.rules()
				.filter(rule -> !rule.isPrivate())
				.map(SourceRule::id)
				.toList());
	}

	static List<String> ids(List<YaraMatch> matches) {
		return matches.stream().map(match -> match.namespace() + ":" + match.rule()).toList();
	}

	/** As the YARA analyzer sets them; filetype stays empty (no rule here reads it). */
	static Map<String, String> externals(String path) {
		String name = path.substring(path.lastIndexOf('/') + 1);
		int dot = name.lastIndexOf('.');
		return Map.of("filename", name, "filepath", path, "extension", dot > 0 ? name.substring(dot + 1) : "",
				"filetype", "");
	}

	static Path rules(String name, String alpha, String beta, String gamma) throws IOException {
		Path root = dir.resolve(name);
		Files.createDirectories(root.resolve("gamma"));
		Files.createDirectories(root.resolve("inc"));
		Files.writeString(root.resolve("alpha.yar"), alpha);
		Files.writeString(root.resolve("beta.yar"), beta);
		Files.writeString(root.resolve("gamma/nested.yar"), gamma);
		Files.writeString(root.resolve("inc/shared.inc"), SHARED);
		return root;
	}

	/** The synthetic corpus, two real executables, and files with planted words in many combinations and sizes. */
	static List<Path> corpus(Path folder) throws IOException {
		List<Path> files = new ArrayList<>(TestCorpus.writeTo(folder));
		for (String executable : List.of("/usr/bin/true", "/usr/bin/ls")) {
			files.add(Files.copy(Path.of(executable), folder.resolve(Path.of(executable).getFileName() + ".elf")));
		}
		Map<String, String> planted = new LinkedHashMap<>();
		planted.put("planted-red.txt", "xx PLANTED red xx");
		planted.put("planted-blue.txt", "PLANTED BLUE/x");
		planted.put("planted-black.sh", "PLANTED black/x\n");
		planted.put("hash-first.txt", "#!/bin/sh PLANTED red");
		planted.put("seeded-red.txt", "SEEDED Red");
		planted.put("seeded-green-dropper.bin", "SEEDED green");
		planted.put("green.txt", "green");
		planted.put("PLAN-magic", "PLANTED at the start, then SEEDED");
		String[] words = { "PLANTED", "SEEDED", "red", "Blue/x", "green", "PLNNTE", "SEDDED", "black/X" };
		String[] names = { "mix-%d.txt", "mix-%d.sh", "dropper-%d.bin", "mix-%d", "PLAN-%d.dat" };
		Random random = new Random(14);
		for (int i = 0; i < 30; i++) {
			StringBuilder text = new StringBuilder(i % 5 == 4 ? "PLAN" : "");
			for (String word : words) {
				if (random.nextInt(3) > 0) {
					text.append(word).append(' ');
				}
				text.append("~".repeat(random.nextInt(i % 3 == 0 ? 900 : 40)));
			}
			planted.put(names[i % names.length].formatted(i), text.toString());
		}
		for (Map.Entry<String, String> file : planted.entrySet()) {
			files.add(Files.writeString(folder.resolve(file.getKey()), file.getValue(), StandardCharsets.US_ASCII));
		}
		return files;
	}
}
