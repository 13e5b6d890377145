package io.trawl.worker.yara.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

import io.trawl.worker.yara.YaraRules;

/** The YARA source reader on literals that hide braces and slashes, on includes, and on hostile source. */
class RulesetSourceTests {

	static final String TRICKY = """
			import "pe"
			import "math" /* a } in a comment */

			// rule not_a_rule { condition: true }
			private global rule gate : first second
			{
			    meta:
			        quote = "a \\" } and a // inside a string"
			        weight = 3
			    strings:
			        $hex = { 4D 5A [2-4] ( 90 | 9? ) ?? /* } */ 50 } // a hex string with a jump and alternatives
			        $re = /a\\/b}[0-9]{2}/is
			        $txt = "{ not a brace }" wide ascii
			    condition:
			        ($hex or $re or $txt) and filesize > 0 /* } */
			}

			rule set_one { condition: gate }

			rule set_two { condition: set_one and filename matches /\\.exe$/ }

			rule user
			{
			    condition:
			        any of (set_*) and pe.number_of_sections > 0 and math.entropy(0, filesize) > 1 and filesize*2 > 3
			}
			""";

	@Example
	void givenLiteralsHidingBracesSlashesAndComments_whenRead_thenEachRuleAndItsPartsAreFound() throws IOException {
		Path root = TemporaryRules.folder("source");
		Files.writeString(root.resolve("tricky.yar"), TRICKY);
		try (YaraRules compiled = YaraRules.compile(root, 10)) {
			assertThat(compiled.files()).as("the source is valid YARA").containsExactly("tricky");
		}

		RulesetSource source = RulesetSource.read(root);

		SourceNamespace namespace = source.namespaces().get(0);
		assertThat(namespace.name()).isEqualTo("tricky");
		assertThat(namespace.imports()).containsExactly("pe", "math");
		assertThat(namespace.rules()).extracting(SourceRule::name).containsExactly("gate", "set_one", "set_two", "user");
		SourceRule gate = namespace.rules().get(0);
		assertThat(gate.modifiers()).containsExactlyInAnyOrder("private", "global");
		assertThat(gate.tags()).containsExactly("first", "second");
		assertThat(gate.meta()).startsWith("quote = ").endsWith("weight = 3");
		assertThat(gate.strings()).startsWith("$hex = { 4D 5A").endsWith("wide ascii");
		assertThat(gate.condition()).isEqualTo("($hex or $re or $txt) and filesize > 0");
		assertThat(gate.text()).startsWith("private global rule gate").endsWith("/* } */\n}");
		assertThat(gate.where()).isEqualTo("tricky.yar:5");
		assertThat(namespace.rules().get(2).identifiers()).contains("set_one", "filename");
		SourceRule user = namespace.rules().get(3);
		assertThat(user.wildcards()).containsExactlyInAnyOrder("set_", "filesize");
		assertThat(user.identifiers()).contains("pe", "math", "filesize").doesNotContain("number_of_sections", "entropy");
	}

	@Example
	void givenALaidOutAnew_whenRead_thenTheNormalisedTextIsTheSameUnlessALiteralChanged() throws IOException {
		String compact = "rule a:t{strings:$a=\"x  y\" $b={4D 5A}condition:$a and $b}";
		String spread = "rule a : t // tag\n{\n strings:\n  $a = \"x  y\"\n  $b = {4D 5A}\n condition:\n  $a /*x*/ and $b\n}";

		assertThat(normalised(spread)).isEqualTo(normalised(compact));
		assertThat(normalised(compact.replace("x  y", "x y"))).isNotEqualTo(normalised(compact));
		assertThat(normalised(compact.replace("{4D 5A}", "{4D5A}"))).as("hex strings stay as written")
			.isNotEqualTo(normalised(compact));
	}

	@Example
	void givenIncludes_whenRead_thenTheyResolveFromTheIncludingFileIntoItsNamespace() throws IOException {
		Path root = TemporaryRules.folder("include");
		Files.createDirectories(root.resolve("a/b"));
		Files.createDirectories(root.resolve("shared"));
		Files.writeString(root.resolve("a/b/top.yar"), "include \"../../shared/one.inc\"\nrule top { condition: one }");
		Files.writeString(root.resolve("shared/one.inc"), "import \"math\"\ninclude \"two.inc\"\nrule one { condition: two }");
		Files.writeString(root.resolve("shared/two.inc"), "rule two { condition: true }");

		RulesetSource source = RulesetSource.read(root);

		assertThat(source.namespaces()).extracting(SourceNamespace::name).containsExactly("a/b/top");
		assertThat(source.namespaces().get(0).imports()).containsExactly("math");
		assertThat(source.rules().map(SourceRule::id)).containsExactly("a/b/top:two", "a/b/top:one", "a/b/top:top");
		assertThat(source.rules().map(SourceRule::where)).containsExactly("shared/two.inc:1", "shared/one.inc:3",
				"a/b/top.yar:2");
	}

	@Example
	void givenIncludesThatEscapeOrCycle_whenRead_thenOneSentenceSaysWhere() throws IOException {
		Path outside = TemporaryRules.folder("outside");
		Files.writeString(outside.resolve("secret.inc"), "rule secret { condition: true }");
		Path root = TemporaryRules.folder("escape");
		Files.writeString(root.resolve("escape.yar"), "include \"../" + outside.getFileName() + "/secret.inc\"");
		assertUnreadable(root, "escape.yar:1: the include \"../" + outside.getFileName()
				+ "/secret.inc\" leaves the rules folder");

		Path cycle = TemporaryRules.folder("cycle");
		Files.writeString(cycle.resolve("a.yar"), "include \"b.inc\"\nrule a { condition: true }");
		Files.writeString(cycle.resolve("b.inc"), "\ninclude \"a.yar\"");
		assertUnreadable(cycle, "b.inc:2: the include \"a.yar\" includes itself (a cycle: b.inc <- a.yar).");

		Path missing = TemporaryRules.folder("missing");
		Files.writeString(missing.resolve("m.yar"), "include \"nowhere.inc\"");
		assertUnreadable(missing, "m.yar:1: the include \"nowhere.inc\" names no file.");
	}

	@Example
	void givenSourceItCannotSplit_whenRead_thenOneSentenceNamesTheFileAndLine() throws IOException {
		assertUnreadable(file("rule a { strings: $a = \"open\ncondition: $a }"),
				"bad.yar:1: a text string is not closed with \" on the line where it starts.");
		assertUnreadable(file("rule a { condition: true }\n/* never closed"),
				"bad.yar:2: a /* comment is never closed with */.");
		assertUnreadable(file("rule a {\n strings: $a = /abc\n condition: $a }"),
				"bad.yar:2: a regular expression is not closed with / on the line where it starts.");
		assertUnreadable(file("rule a { strings: $a = { 4D 5A "), "bad.yar:1: a hex string is not closed with }.");
		assertUnreadable(file("rule a { condition: true"), "bad.yar:1: the rule a is never closed with }.");
		assertUnreadable(file("rule a { strings: $a = \"x\" }"), "bad.yar:1: the rule a has no condition.");
		assertUnreadable(file("rule a { condition: true }\nrule a { condition: false }"),
				"bad.yar:2: the rule a is defined twice in the namespace bad.");
		assertUnreadable(file("\n\nfunction a() {}"),
				"bad.yar:3: expected a rule, an import or an include, found 'function'.");
		assertUnreadable(file("private global"), "bad.yar:1: the source ends where a rule after global was expected.");
	}

	@Example
	void givenAHugeRuleFile_whenRead_thenItIsRefusedBeforeItIsRead() throws IOException {
		Path root = TemporaryRules.folder("huge");
		try (RandomAccessFile huge = new RandomAccessFile(root.resolve("huge.yar").toFile(), "rw")) {
			huge.setLength(RulesetSource.MAX_FILE_BYTES + 1);
		}

		assertUnreadable(root, "The YARA rule file huge.yar is 16777217 bytes, more than the 16777216 Trawl reads; "
				+ "split it.");
	}

	/** Cut, spliced and garbled source: either it reads, or one sentence says why; never another exception. */
	@Property(tries = 400)
	void givenMangledSource_whenRead_thenItReadsOrFailsWithOneSentence(@ForAll long seed,
			@ForAll @IntRange(min = 0, max = 3) int mangling) throws IOException {
		Random random = new Random(seed);
		String source = TRICKY + TRICKY.replace("rule ", "rule x");
		int at = random.nextInt(source.length());
		String mangled = switch (mangling) {
			case 0 -> source.substring(0, at);
			case 1 -> source.substring(0, at) + "\"/{}*\\[(".charAt(random.nextInt(8)) + source.substring(at);
			case 2 -> source.substring(at) + source.substring(0, at);
			default -> source.substring(0, at) + source.substring(Math.min(source.length(), at + random.nextInt(40)));
		};
		Path root = file(mangled);
		try {
			RulesetSource.read(root).rules().forEach(rule -> assertThat(rule.text()).isNotEmpty());
		}
		catch (UnreadableRulesException e) {
			assertThat(e.getMessage()).startsWith("bad.yar:").endsWith(".").doesNotContain("\n");
		}
	}

	@AfterContainer
	static void deleteTheRulesets() {
		TemporaryRules.deleteAll();
	}

	static String normalised(String source) throws IOException {
		return RulesetSource.read(file(source)).rules().toList().get(0).normalised();
	}

	static Path file(String source) throws IOException {
		Path root = TemporaryRules.folder("bad");
		Files.writeString(root.resolve("bad.yar"), source);
		return root;
	}

	static void assertUnreadable(Path root, String message) {
		assertThatThrownBy(() -> RulesetSource.read(root)).isInstanceOf(UnreadableRulesException.class)
			.hasMessageContaining(message)
			.hasMessageNotContaining("\n");
	}
}
