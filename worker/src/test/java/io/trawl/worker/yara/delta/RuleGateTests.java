package io.trawl.worker.yara.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.filetype.FileTypeAnalyzer;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * The first-bytes and size gate of a rule and of a delta ruleset: what it reads from a condition, what it does not,
 * and that what it excludes the {@code yara} command does not match, short contents included.
 */
class RuleGateTests {

	private static final byte[] MZ = TestCorpus.pe32();
	private static final byte[] ELF = TestCorpus.elf64();
	private static final byte[] TEXT = "hello, a text file\n".getBytes(StandardCharsets.US_ASCII);
	private static final byte[] SHEBANG = "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.US_ASCII);

	@TempDir
	Path workspace;

	@Test
	void givenAFirstConjunctComparingTheFirstBytes_thenTheRuleIsGatedOnThem() throws IOException {
		RuleGate mz = gate("uint16(0) == 0x5A4D and $a");
		assertThat(mz.excludes(MZ)).isFalse();
		assertThat(mz.excludes(ELF)).isTrue();
		assertThat(mz.excludes(TEXT)).isTrue();
		assertThat(gate("$a and 0x464C457F == uint32(0)").excludes(ELF)).isFalse();
		assertThat(gate("$a and 0x464C457F == uint32(0)").excludes(MZ)).isTrue();
		assertThat(gate("uint16(0)==23117 and $a").excludes(MZ)).as("decimal").isFalse();
		assertThat(gate("uint16(0)==23117 and $a").excludes(ELF)).isTrue();
		assertThat(gate("uint16be(0) == 0x2321 and $a").excludes(SHEBANG)).as("big-endian").isFalse();
		assertThat(gate("uint16(0) == 0x2321 and $a").excludes(SHEBANG)).as("little-endian").isTrue();
		assertThat(gate("uint8(0) == 0x23 and $a").excludes(SHEBANG)).isFalse();
		assertThat(gate("uint32be(0) == 0x7F454C46 and $a").excludes(ELF)).isFalse();
		assertThat(gate("uint32be(0) == 0x7F454C46 and $a").excludes(MZ)).isTrue();
	}

	@Test
	void givenParentheses_thenAWrappedConjunctCountsAndADisjunctionNeedsEveryPartGated() throws IOException {
		assertThat(gate("(uint16(0) == 0x5A4D) and $a").excludes(ELF)).isTrue();
		assertThat(gate("((uint16(0) == 0x5A4D and $a)) and filesize < 10MB").excludes(ELF)).isTrue();
		assertThat(gate("(uint16(0) == 0x5A4D and $a) and (filesize > 10 or $a)").excludes(ELF)).isTrue();
		RuleGate either = gate("(uint16(0) == 0x5A4D and $a) or (uint32(0) == 0x464C457F and $a)");
		assertThat(either.excludes(MZ)).isFalse();
		assertThat(either.excludes(ELF)).isFalse();
		assertThat(either.excludes(TEXT)).isTrue();
		assertThat(noGate("(uint16(0) == 0x5A4D or $a) and $a")).isTrue();
	}

	@Test
	void givenAnOrAtTheTopWithAnUngatedSide_thenNoGate() throws IOException {
		assertThat(noGate("$a or uint16(0) == 0x5A4D and $a")).as("and binds tighter than or").isTrue();
		assertThat(noGate("uint16(0) == 0x5A4D and $a or $a")).isTrue();
		assertThat(noGate("uint16(0) == 0x5A4D or filesize != 10")).isTrue();
		assertThat(noGate("uint16(0) == 0x5A4D or filesize < 10")).as("a bound on the size is a gate").isFalse();
	}

	@Test
	void givenWordsInsideLiteralsAndComments_thenTheyAreNotOperators() throws IOException {
		RuleGate gate = gate("""
				uint16(0) == 0x5A4D /* or $a */ and // or not
				        $a and $b and $c and for any of ($a, $b) : ( $ at 0 or $ at 1 )""",
				"$a = \"x or y\"\n $b = /and|or/\n $c = \"not and\"");
		assertThat(gate.excludes(ELF)).isTrue();
		assertThat(gate.excludes(MZ)).isFalse();
	}

	@Test
	void givenConditionsWithNoComparisonOfTheFirstBytesOrBoundOfTheSize_thenNoGate() throws IOException {
		assertThat(noGate("$a")).isTrue();
		assertThat(noGate("filesize != 100")).isTrue();
		assertThat(noGate("uint16(0) != 0x5A4D")).isTrue();
		assertThat(noGate("not uint16(0) == 0x5A4D")).isTrue();
		assertThat(noGate("not $a and uint16(0) == 0x5A4D")).as("a not at the top").isTrue();
		assertThat(noGate("uint16(2) == 0x5A4D and $a")).as("another offset").isTrue();
		assertThat(noGate("uint16(0) == 0x5A4D + 1 and $a")).isTrue();
		assertThat(noGate("int16(0) == 0x5A4D and $a")).as("signed reads are not read").isTrue();
		assertThat(noGate("uint16(0) == 64KB and $a")).isTrue();
	}

	@Test
	void givenGlobalAndPrivateRulesInADelta_thenTheDeltaIsGatedOnlyWhenEveryRuleItHoldsIs() throws IOException {
		String r1 = """
				private rule IsElf { condition: uint32(0) == 0x464C457F }
				private rule Loose { strings: $a = "abc" condition: $a }
				rule Kept { strings: $a = "kept" condition: $a }
				""";
		RulesetDelta gatedByReference = delta(r1, r1 + """
				rule NewElf { strings: $a = "x" condition: IsElf and $a }
				rule NewPe { strings: $a = "x" condition: uint16(0) == 0x5A4D and $a }
				""");
		Optional<RuleGate> both = RuleGate.of(gatedByReference, current);
		assertThat(gatedByReference.dependenciesOnly()).containsExactly("main:IsElf");
		assertThat(both).isPresent();
		assertThat(both.get().excludes(MZ)).isFalse();
		assertThat(both.get().excludes(ELF)).as("through the private rule it names").isFalse();
		assertThat(both.get().excludes(TEXT)).isTrue();

		RulesetDelta ungatedPrivate = delta(r1, r1 + """
				rule NewPe { strings: $a = "x" condition: uint16(0) == 0x5A4D and Loose and $a }
				""");
		assertThat(ungatedPrivate.dependenciesOnly()).containsExactly("main:Loose");
		assertThat(RuleGate.of(ungatedPrivate, current)).as("a rule the delta holds has no gate").isEmpty();

		String withGlobal = "global rule Small { condition: filesize < 1MB }\n" + r1;
		RulesetDelta global = delta(withGlobal, withGlobal + """
				rule NewPe { strings: $a = "x" condition: uint16(0) == 0x5A4D and $a }
				""");
		assertThat(RuleGate.of(global, current)).as("a global rule").isEmpty();

		assertThat(RuleGate.of(delta(r1, r1 + "rule NewAny { strings: $a = \"x\" condition: $a }"), current))
			.as("an ungated rule").isEmpty();
	}

	@Test
	void givenStoredMagic_thenOnlyWellFormedHexIsEvidence() throws IOException {
		RuleGate mz = gate("uint16(0) == 0x5A4D and $a");
		assertThat(mz.excludesMagic("7f454c4602010100")).isTrue();
		assertThat(mz.excludesMagic("4d5a900003000000")).isFalse();
		assertThat(mz.excludesMagic("4d")).as("a one-byte content").isTrue();
		assertThat(mz.excludesMagic("")).as("an empty content").isTrue();
		assertThat(mz.excludesMagic(null)).as("no evidence").isFalse();
		assertThat(mz.excludesMagic("7f454c4")).isFalse();
		assertThat(mz.excludesMagic("zz")).isFalse();
		assertThat(mz.excludesMagic(17)).isFalse();
		assertThat(RuleGate.HEAD_BYTES).isEqualTo(FileTypeAnalyzer.MAGIC_BYTES);
	}

	/**
	 * Each ReversingLabs rule starts with {@code uint16(0) == 0x5A4D and} or the ELF header's, but a few then go on
	 * with {@code ... or (...)} at the top: {@code and} binds tighter, so those can match any content.
	 */
	@Test
	void givenTheReversingLabsRules_thenEachIsGatedOnAPeOrAnElfHeaderUnlessAnOrFollowsAtTheTop() {
		List<SourceRule> rules = RulesetSource.read(ReversingLabsRulesetTests.RULES).rules().toList();
		int pe = 0;
		List<String> ungated = new java.util.ArrayList<>();
		for (SourceRule rule : rules) {
			Optional<RuleGate> gate = RuleGate.of(rule);
			if (gate.isEmpty()) {
				ungated.add(rule.where());
				assertThat(rule.condition()).as(rule.where()).containsPattern("\\)\\s+or\\s");
				continue;
			}
			assertThat(gate.get().excludes(TEXT)).as(rule.where()).isTrue();
			assertThat(gate.get().excludes(MZ) && gate.get().excludes(ELF)).as(rule.where()).isFalse();
			pe += gate.get().excludes(ELF) ? 1 : 0;
		}
		assertThat(rules).hasSize(1204);
		assertThat(ungated).as("ungated").hasSize(4);
		assertThat(pe).as("gated on MZ").isEqualTo(1193);
	}

	@Test
	void givenFilesizeBounds_thenTheRuleIsGatedOnTheSizeWhenItIsKnown() throws IOException {
		RuleGate small = gate("filesize < 64KB and $a");
		assertThat(small.excludes(MZ, 64 * 1024 - 1)).isFalse();
		assertThat(small.excludes(MZ, 64 * 1024)).isTrue();
		assertThat(small.excludes(MZ, -1)).as("size not known").isFalse();
		assertThat(small.excludes(MZ)).as("size not known").isFalse();
		assertThat(gate("filesize <= 2MB and $a").excludes(null, 2 * 1024 * 1024)).isFalse();
		assertThat(gate("filesize <= 2MB and $a").excludes(null, 2 * 1024 * 1024 + 1)).isTrue();
		assertThat(gate("filesize > 0x10 and $a").excludes(null, 16)).isTrue();
		assertThat(gate("filesize > 0x10 and $a").excludes(null, 17)).isFalse();
		assertThat(gate("filesize >= 6KB and filesize < 20KB").excludes(null, 6 * 1024)).isFalse();
		assertThat(gate("filesize >= 6KB and filesize < 20KB").excludes(null, 6 * 1024 - 1)).isTrue();
		assertThat(gate("filesize >= 6KB and filesize < 20KB").excludes(null, 20 * 1024)).isTrue();
		assertThat(gate("filesize == 3 and $a").excludes(null, 3)).isFalse();
		assertThat(gate("filesize == 3 and $a").excludes(null, 4)).isTrue();
		assertThat(gate("10 > filesize and $a").excludes(null, 9)).as("the constant first").isFalse();
		assertThat(gate("10 > filesize and $a").excludes(null, 10)).isTrue();
		assertThat(gate("10 <= filesize and $a").excludes(null, 9)).isTrue();
		RuleGate both = gate("uint16(0) == 0x5A4D and filesize < 100 and $a");
		assertThat(both.excludes(MZ, 99)).isFalse();
		assertThat(both.excludes(MZ, 100)).isTrue();
		assertThat(both.excludes(ELF, 99)).isTrue();
		assertThat(both.excludes(null, 99)).as("first bytes not known").isFalse();
		RuleGate either = gate("(uint16(0) == 0x5A4D and $a) or (uint32(0) == 0x464C457F and filesize < 20KB)");
		assertThat(either.excludes(ELF, 20 * 1024)).isTrue();
		assertThat(either.excludes(ELF, 100)).isFalse();
		assertThat(either.excludes(MZ, 1 << 30)).isFalse();
		assertThat(either.excludesStored("7f454c4602010100", 20 * 1024)).isTrue();
		assertThat(either.excludesStored("7f454c4602010100", 20.0 * 1024)).as("not an integer").isFalse();
		assertThat(either.excludesStored("7f454c4602010100", null)).isFalse();
		assertThat(either.excludesStored(null, 100)).isFalse();
		// no bound: another operator, a size YARA does not write so, or filesize in an expression
		assertThat(noGate("filesize != 3 and $a")).isTrue();
		assertThat(noGate("filesize < 1GB and $a")).isTrue();
		assertThat(noGate("filesize - 1 < 3 and $a")).isTrue();
		assertThat(noGate("filesize < = 3 and $a")).as("a space in the operator").isTrue();
		assertThat(noGate("not filesize < 3 and $a")).isTrue();
	}

	/**
	 * The reference: every content a gate excludes, the {@code yara} command does not match, and a rule that is only
	 * its comparisons matches every content its gate lets through. Contents of 0 to 3 bytes read past their end.
	 */
	@Test
	void givenShortAndWholeContents_thenWhatTheGateExcludesYaraDoesNotMatch() throws Exception {
		Map<String, String> conditions = new LinkedHashMap<>();
		conditions.put("mz", "uint16(0) == 0x5A4D");
		conditions.put("a_byte", "uint8(0) == 0x41");
		conditions.put("a_word", "uint16(0) == 0x0041");
		conditions.put("a_word_be", "uint16be(0) == 0x4100");
		conditions.put("elf_be", "uint32be(0) == 0x7F454C46");
		conditions.put("elf", "0x464C457F == uint32(0)");
		conditions.put("zero", "uint32(0) == 0");
		conditions.put("either", "(uint16(0) == 0x4241 and filesize < 10) or uint8(0) == 0x4D");
		conditions.put("below_two", "filesize < 2");
		conditions.put("two_to_four", "2 <= filesize and filesize <= 4");
		conditions.put("three", "filesize == 3");
		conditions.put("big_mz", "uint16(0) == 0x5A4D and filesize > 0x10");
		conditions.put("small_elf", "uint32(0) == 0x464C457F and filesize >= 1KB");
		Set<String> pure = Set.of("mz", "a_byte", "a_word", "a_word_be", "elf_be", "elf", "zero", "below_two",
				"two_to_four", "three", "big_mz", "small_elf");
		Map<String, byte[]> contents = new LinkedHashMap<>();
		contents.put("empty", new byte[0]);
		contents.put("A", new byte[] { 'A' });
		contents.put("A0", new byte[] { 'A', 0 });
		contents.put("M", new byte[] { 'M' });
		contents.put("MZ", new byte[] { 'M', 'Z' });
		contents.put("zero3", new byte[3]);
		contents.put("zero4", new byte[4]);
		contents.put("ELF3", Arrays.copyOf(ELF, 3));
		contents.put("elf", ELF);
		contents.put("pe", MZ);
		contents.put("AB", "ABCDEFGHIJKLMNOP".getBytes(StandardCharsets.US_ASCII));
		contents.put("text", TEXT);
		Path samples = Files.createDirectories(workspace.resolve("samples"));
		for (Map.Entry<String, byte[]> content : contents.entrySet()) {
			Files.write(samples.resolve(content.getKey()), content.getValue());
		}
		StringBuilder source = new StringBuilder();
		conditions.forEach((name, condition) -> source.append("rule ").append(name).append(" { condition: ")
			.append(condition).append(" }\n"));
		Path rules = Files.writeString(workspace.resolve("short.yar"), source);
		Set<String> matched = yara(rules, samples);

		int excluded = 0;
		for (Map.Entry<String, String> rule : conditions.entrySet()) {
			RuleGate gate = gate(rule.getValue());
			for (Map.Entry<String, byte[]> content : contents.entrySet()) {
				byte[] head = Arrays.copyOf(content.getValue(), Math.min(8, content.getValue().length));
				boolean excludes = gate.excludesStored(HexFormat.of().formatHex(head), content.getValue().length);
				boolean matches = matched.contains(rule.getKey() + " " + content.getKey());
				String pair = rule.getKey() + " on " + content.getKey();
				assertThat(excludes && matches).as("%s: excluded, yet yara matches", pair).isFalse();
				if (pure.contains(rule.getKey())) {
					assertThat(matches).as("%s: yara matches what the gate lets through", pair).isEqualTo(!excludes);
				}
				excluded += excludes ? 1 : 0;
			}
		}
		assertThat(matched).contains("a_word A0", "a_byte A", "zero zero4", "mz pe", "elf elf", "elf_be elf",
				"either M", "either MZ", "a_word_be A0", "below_two A", "two_to_four zero3", "three ELF3", "big_mz pe")
			.doesNotContain("a_word A", "zero zero3", "mz M", "elf ELF3", "below_two MZ", "big_mz MZ");
		assertThat(excluded).isGreaterThan(conditions.size() * contents.size() / 2);
	}

	private RuleFingerprints current;

	private RulesetDelta delta(String r1, String r2) throws IOException {
		RuleFingerprints previous = RuleFingerprints.of(source(r1), "libyara-test");
		current = RuleFingerprints.of(source(r2), "libyara-test");
		return RulesetDelta.between(previous.sha256s(), current);
	}

	private RuleGate gate(String condition, String... strings) throws IOException {
		Optional<RuleGate> gate = RuleGate.of(rule(condition, strings));
		assertThat(gate).as("a gate for: %s", condition).isPresent();
		return gate.get();
	}

	private boolean noGate(String condition) throws IOException {
		return RuleGate.of(rule(condition)).isEmpty();
	}

	private SourceRule rule(String condition, String... strings) throws IOException {
		String declared = strings.length > 0 ? strings[0] : "$a = \"abc\"";
		return source("rule r {\n strings:\n " + declared + "\n condition:\n " + condition + "\n}\n").rules()
			.findFirst().orElseThrow();
	}

	private RulesetSource source(String text) throws IOException {
		Path folder = Files.createTempDirectory(workspace, "rules");
		Files.writeString(folder.resolve("main.yar"), text);
		return RulesetSource.read(folder);
	}

	/** "rule content" for every match of {@code yara -w RULES FOLDER}. */
	private static Set<String> yara(Path rules, Path folder) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("yara", "-w", rules.toString(), folder.toString())
			.redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as(output).isZero();
		Set<String> matched = new HashSet<>();
		for (String line : output.split("\n")) {
			String[] parts = line.split(" ", 2);
			if (parts.length == 2) {
				matched.add(parts[0] + " " + Path.of(parts[1]).getFileName());
			}
		}
		return matched;
	}

}
