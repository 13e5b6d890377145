package io.trawl.worker.yara.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.yara.YaraRules;

/** The ReversingLabs ruleset (274 files, 1204 rules), a real one, read, fingerprinted and changed one rule at a time. */
class ReversingLabsRulesetTests {

	static final Path RULES = Path.of("/work/shared/rules/reversinglabs");

	static final Pattern RULE = Pattern.compile("(?m)^\\s*(?:(?:private|global)\\s+)*rule\\s+(\\w+)");

	@Test
	void givenTheRuleset_whenFingerprinted_thenEveryRuleHasOneAndTheDeltaAgainstItselfIsEmpty() throws IOException {
		RuleFingerprints fingerprints = RuleFingerprints.of(RulesetSource.read(RULES));

		assertThat(fingerprints.all()).hasSize(declaredRules(RULES).size()).hasSizeGreaterThan(1000);
		assertThat(fingerprints.all().keySet()).containsExactlyInAnyOrderElementsOf(declaredRules(RULES));
		assertThat(fingerprints.all().values()).allSatisfy(f -> assertThat(f.sha256()).matches("[0-9a-f]{64}"));
		RulesetDelta itself = RulesetDelta.between(fingerprints.sha256s(),
				RuleFingerprints.of(RulesetSource.read(RULES)));
		assertThat(itself.isEmpty()).isTrue();
		assertThat(itself.sources()).isEmpty();
		assertThat(itself.unchanged()).hasSize(fingerprints.all().size());
	}

	@Test
	void givenOneRuleChanged_whenComparedToTheRuleset_thenTheDeltaCompilesAndHoldsThatRuleAndWhatItNeedsOnly(
			@TempDir Path dir) throws IOException {
		RuleFingerprints original = RuleFingerprints.of(RulesetSource.read(RULES));
		List<SourceRule> rules = original.source().rules().toList();
		// rules other rules name first, then a spread of the rest
		List<SourceRule> chosen = Stream
			.concat(rules.stream().filter(rule -> !dependents(original, rule.id()).isEmpty()).limit(3),
					Stream.iterate(0, i -> i + rules.size() / 5).limit(5).map(rules::get))
			.toList();
		for (SourceRule rule : chosen) {
			Path copy = dir.resolve("rules-" + rule.name());
			copyTree(RULES, copy);
			Path file = copy.resolve(rule.where().substring(0, rule.where().lastIndexOf(':')));
			String text = Files.readString(file);
			int condition = rule.text().lastIndexOf(rule.condition());
			String edited = rule.text().substring(0, condition) + "(" + rule.condition() + ") and filesize >= 0"
					+ rule.text().substring(condition + rule.condition().length());
			Files.writeString(file, text.replace(rule.text(), edited));

			RulesetDelta delta = RulesetDelta.between(original.sha256s(), RuleFingerprints.of(RulesetSource.read(copy)));

			Set<String> expected = new LinkedHashSet<>(List.of(rule.id()));
			expected.addAll(dependents(original, rule.id()));
			assertThat(delta.scanned()).as("%s", rule.id()).containsExactlyInAnyOrderElementsOf(expected);
			assertThat(delta.added()).isEmpty();
			assertThat(delta.removed()).isEmpty();
			Set<String> needed = new LinkedHashSet<>();
			expected.forEach(id -> needed.addAll(original.dependencies(id)));
			needed.removeAll(expected);
			assertThat(delta.dependenciesOnly()).containsExactlyInAnyOrderElementsOf(needed);
			Path deltaFolder = dir.resolve("delta-" + rule.name());
			delta.writeTo(deltaFolder);
			try (YaraRules compiled = YaraRules.compile(deltaFolder, 10)) {
				assertThat(compiled.files()).containsExactly(rule.namespace());
			}
			Set<String> inDelta = new LinkedHashSet<>();
			delta.sources().forEach((namespace, source) -> ruleNames(source)
				.forEach(name -> inDelta.add(namespace + ":" + name)));
			expected.addAll(needed);
			assertThat(inDelta).as("%s", rule.id()).containsExactlyInAnyOrderElementsOf(expected);
		}
	}

	/** The rules whose fingerprint takes in {@code id}'s. */
	static Set<String> dependents(RuleFingerprints fingerprints, String id) {
		Set<String> dependents = new LinkedHashSet<>();
		fingerprints.all().keySet().stream().filter(other -> fingerprints.dependencies(other).contains(id))
			.forEach(dependents::add);
		return dependents;
	}

	/** Every rule declared under {@code root}, counted apart from the reader: a regular expression per file. */
	static List<String> declaredRules(Path root) throws IOException {
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter(p -> p.toString().endsWith(".yara") || p.toString().endsWith(".yar"))
				.sorted()
				.flatMap(file -> {
					String namespace = root.relativize(file).toString().replaceFirst("\\.yara?$", "");
					return ruleNames(read(file)).stream().map(name -> namespace + ":" + name);
				})
				.toList();
		}
	}

	static List<String> ruleNames(String source) {
		Matcher matcher = RULE.matcher(source);
		return matcher.results().map(result -> result.group(1)).toList();
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path path : files.sorted(Comparator.naturalOrder()).toList()) {
				Path target = to.resolve(from.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target);
				}
			}
		}
	}
}
