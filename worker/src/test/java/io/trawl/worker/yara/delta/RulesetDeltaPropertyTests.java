package io.trawl.worker.yara.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

import io.trawl.worker.yara.YaraMatch;
import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.RuleFingerprintPropertyTests.Namespace;
import io.trawl.worker.yara.delta.RuleFingerprintPropertyTests.Rule;

/**
 * Generated rulesets edited at random (literals changed, rules added and removed, imports toggled): the delta always
 * compiles, and the previous matches merged with the delta scan's equal a full scan with the new rules, in place
 * and after the sample moved.
 */
class RulesetDeltaPropertyTests {

	@Property(tries = 120)
	void givenARandomEdit_whenTheDeltaIsScannedAndMerged_thenEqualsAFullScan(@ForAll long seed) throws IOException {
		Random random = new Random(seed);
		List<Namespace> before = RuleFingerprintPropertyTests.ruleset(random);
		List<Namespace> after = edited(before, random);
		Path beforePath = RuleFingerprintPropertyTests.write(before, seed);
		Path afterPath = RuleFingerprintPropertyTests.write(after, ~seed);
		RulesetDelta delta = RulesetDelta.between(RuleFingerprints.of(RulesetSource.read(beforePath)).sha256s(),
				RuleFingerprints.of(RulesetSource.read(afterPath)));
		RulesetDelta moved = delta.forNewLocation();
		Path deltaPath = TemporaryRules.folder("delta");
		Path movedPath = TemporaryRules.folder("moved");
		delta.writeTo(deltaPath);
		moved.writeTo(movedPath);
		List<String> words = new ArrayList<>();
		before.forEach(namespace -> namespace.rules().forEach(rule -> words.add(rule.literal())));
		after.forEach(namespace -> namespace.rules().forEach(rule -> words.add(rule.literal())));

		try (YaraRules full1 = YaraRules.compile(beforePath, 10); YaraRules full2 = YaraRules.compile(afterPath, 10);
				YaraRules deltaRules = delta.isEmpty() ? null : YaraRules.compile(deltaPath, 10);
				YaraRules movedRules = moved.isEmpty() ? null : YaraRules.compile(movedPath, 10)) {
			for (int sample = 0; sample < 12; sample++) {
				ByteBuffer bytes = sample(words, random);
				Map<String, String> here = Map.of("filename", "x");
				List<YaraMatch> expected = full2.scan(bytes, here);

				assertThat(delta.merge(full1.scan(bytes, here), scan(deltaRules, bytes, here))).isEqualTo(expected);
				assertThat(moved.merge(full1.scan(bytes, Map.of("filename", "y")), scan(movedRules, bytes, here)))
					.as("moved").isEqualTo(expected);
			}
		}
	}

	@AfterContainer
	static void deleteTheRulesets() {
		TemporaryRules.deleteAll();
	}

	static List<YaraMatch> scan(YaraRules rules, ByteBuffer bytes, Map<String, String> externals) {
		return rules == null ? List.of() : rules.scan(bytes, externals);
	}

	/** Some rules' literals changed, a rule added and the last removed here and there, an import toggled. */
	static List<Namespace> edited(List<Namespace> ruleset, Random random) {
		List<Namespace> edited = new ArrayList<>();
		for (Namespace namespace : ruleset) {
			List<Rule> rules = new ArrayList<>(namespace.rules()
				.stream()
				.map(rule -> random.nextInt(4) == 0 ? rule.withLiteral(RuleFingerprintPropertyTests.word(random)) : rule)
				.toList());
			if (random.nextInt(3) == 0 && rules.size() > 1) {
				rules.remove(rules.size() - 1);
			}
			if (random.nextInt(3) == 0) {
				rules.add(new Rule("added", random.nextInt(4) == 0, false, RuleFingerprintPropertyTests.word(random),
						List.of(rules.get(0).name()), false, random.nextBoolean()));
			}
			List<String> imports = random.nextInt(4) == 0 ? List.of("math") : namespace.imports();
			edited.add(new Namespace(namespace.name(), imports, rules));
		}
		return edited;
	}

	/** A direct buffer of a few of the words, some of them, in any order. */
	static ByteBuffer sample(List<String> words, Random random) {
		StringBuilder text = new StringBuilder();
		for (String word : words) {
			if (random.nextInt(3) == 0) {
				text.append(word).append(' ');
			}
		}
		byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
		return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
	}
}
