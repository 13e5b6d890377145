package io.trawl.worker.yara.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

import io.trawl.worker.yara.YaraRules;

/**
 * A rule's fingerprint changes when, and only when, its source, a rule it refers to, a global rule of its namespace,
 * the namespace's imports or libyara change. Generated rulesets (references, rule sets, private and global rules,
 * a location external) are written with random layout, then edited one way, and the fingerprints compared with what
 * the edit must change.
 */
class RuleFingerprintPropertyTests {

	static final String LIBYARA = "libyara-under-test";


	/** One rule of a generated ruleset: a literal, the earlier rules it names, and what else its condition reads. */
	record Rule(String name, boolean global, boolean isPrivate, String literal, List<String> refs, boolean ruleSet,
			boolean location) {

		Rule withLiteral(String other) {
			return new Rule(name, global, isPrivate, other, refs, ruleSet, location);
		}

		/** Does this rule's condition name {@code other}, declared earlier, directly? */
		boolean names(Rule other) {
			return refs.contains(other.name) || ruleSet && other.name.startsWith("set_");
		}
	}

	record Namespace(String name, List<String> imports, List<Rule> rules) {
	}

	@Property(tries = 150)
	void givenOnlyLayoutAndCommentsChanged_whenFingerprinted_thenNothingChanges(@ForAll long seed) throws IOException {
		List<Namespace> ruleset = ruleset(new Random(seed));
		Path written = write(ruleset, seed);
		try (YaraRules compiled = YaraRules.compile(written, 10)) {
			assertThat(compiled.files()).as("the generated rules are valid YARA").hasSize(ruleset.size());
		}

		assertThat(fingerprints(write(ruleset, ~seed), LIBYARA)).isEqualTo(fingerprints(written, LIBYARA));
		assertThat(locationDependent(written)).isEqualTo(expectedLocationDependent(ruleset));
	}

	@Property(tries = 200)
	void givenOneRulesLiteralChanged_whenFingerprinted_thenItAndWhatDependsOnItChangeOnly(@ForAll long seed,
			@ForAll @IntRange(min = 0, max = 1000) int pick) throws IOException {
		List<Namespace> before = ruleset(new Random(seed));
		Namespace namespace = before.get(pick % before.size());
		Rule edited = namespace.rules().get(pick % namespace.rules().size());
		List<Namespace> after = replace(before, namespace,
				new Namespace(namespace.name(), namespace.imports(), namespace.rules()
					.stream()
					.map(rule -> rule == edited ? rule.withLiteral(rule.literal() + "x") : rule)
					.toList()));

		Set<String> expected = dependents(namespace, edited);
		if (namespace.rules().stream().anyMatch(rule -> rule.global() && dependents(namespace, edited).contains(
				namespace.name() + ":" + rule.name()))) {
			expected.addAll(ids(namespace));
		}
		assertThat(changed(write(before, seed), write(after, seed + 1), LIBYARA, LIBYARA)).isEqualTo(expected);
	}

	@Property(tries = 100)
	void givenAnImportAddedOrRemoved_whenFingerprinted_thenEveryRuleOfThatNamespaceChangesOnly(@ForAll long seed,
			@ForAll @IntRange(min = 0, max = 1) int which) throws IOException {
		List<Namespace> before = ruleset(new Random(seed));
		Namespace namespace = before.get(which % before.size());
		List<String> imports = new ArrayList<>(namespace.imports());
		if (!imports.remove("math")) {
			imports.add("math");
		}
		List<Namespace> after = replace(before, namespace, new Namespace(namespace.name(), imports, namespace.rules()));

		assertThat(changed(write(before, seed), write(after, seed), LIBYARA, LIBYARA)).isEqualTo(ids(namespace));
	}

	@Property(tries = 100)
	void givenARuleAddedOrRemovedAtTheEnd_whenFingerprinted_thenOnlyAGlobalOneChangesTheOthers(@ForAll long seed,
			@ForAll boolean global) throws IOException {
		List<Namespace> before = ruleset(new Random(seed));
		Namespace namespace = before.get(0);
		List<Rule> rules = new ArrayList<>(namespace.rules());
		rules.add(new Rule("added", global, false, "fresh", List.of(), false, false));
		List<Namespace> after = replace(before, namespace, new Namespace(namespace.name(), namespace.imports(), rules));
		Path beforePath = write(before, seed);
		Path afterPath = write(after, seed);

		Set<String> expected = global ? ids(namespace) : Set.of();
		assertThat(changed(beforePath, afterPath, LIBYARA, LIBYARA)).as("added").isEqualTo(expected);
		assertThat(changed(afterPath, beforePath, LIBYARA, LIBYARA)).as("removed").isEqualTo(expected);
		RulesetDelta delta = RulesetDelta.between(fingerprints(beforePath, LIBYARA),
				RuleFingerprints.of(RulesetSource.read(afterPath), LIBYARA));
		assertThat(delta.added()).containsExactly(namespace.name() + ":added");
		assertThat(delta.removed()).isEmpty();
	}

	@Property(tries = 30)
	void givenAnotherLibyara_whenFingerprinted_thenEveryRuleChanges(@ForAll long seed) throws IOException {
		List<Namespace> ruleset = ruleset(new Random(seed));
		Path written = write(ruleset, seed);

		assertThat(changed(written, written, LIBYARA, LIBYARA + " 4.5.0")).isEqualTo(
				ruleset.stream().flatMap(namespace -> ids(namespace).stream()).collect(Collectors.toSet()));
	}

	/** Two namespaces of one to eight rules; each names earlier rules, by name or as the rule set {@code set_*}. */
	static List<Namespace> ruleset(Random random) {
		List<Namespace> namespaces = new ArrayList<>();
		for (String name : List.of("first", "sub/second")) {
			List<Rule> rules = new ArrayList<>();
			int size = 1 + random.nextInt(8);
			for (int i = 0; i < size; i++) {
				List<String> refs = rules.stream().filter(rule -> random.nextInt(10) < 3).map(Rule::name).toList();
				boolean ruleSet = rules.stream().anyMatch(rule -> rule.name().startsWith("set_")) && random.nextInt(5) == 0;
				// once set_* is used, libyara refuses a later rule whose name it would have matched
				boolean setUsed = ruleSet || rules.stream().anyMatch(Rule::ruleSet);
				rules.add(new Rule((random.nextBoolean() && !setUsed ? "set_" : "r") + i, random.nextInt(8) == 0,
						random.nextInt(4) == 0, word(random), refs, ruleSet, random.nextInt(7) == 0));
			}
			List<String> imports = Stream.of("math", "pe").filter(module -> random.nextBoolean()).toList();
			namespaces.add(new Namespace(name, imports, rules));
		}
		return namespaces;
	}

	/** Writes the ruleset with the layout (spaces, line breaks, comments) {@code layout} picks. */
	static Path write(List<Namespace> ruleset, long layout) throws IOException {
		Random random = new Random(layout);
		Path root = TemporaryRules.folder("rules");
		for (Namespace namespace : ruleset) {
			List<String> tokens = new ArrayList<>();
			namespace.imports().forEach(module -> tokens.addAll(List.of("import", "\"" + module + "\"")));
			for (Rule rule : namespace.rules()) {
				tokens.addAll(rule.isPrivate() ? List.of("private") : List.of());
				tokens.addAll(rule.global() ? List.of("global") : List.of());
				tokens.addAll(List.of("rule", rule.name(), "{", "strings", ":", "$a", "=", "\"" + rule.literal() + "\"",
						"condition", ":", "$a"));
				rule.refs().forEach(ref -> tokens.addAll(List.of("or", ref)));
				tokens.addAll(rule.ruleSet() ? List.of("or", "any", "of", "(", "set_*", ")") : List.of());
				tokens.addAll(rule.location() ? List.of("or", "filename", "==", "\"x\"") : List.of());
				tokens.add("}");
			}
			String[] blanks = { " ", "\n\t", "  /* note } */ ", " // note {\n" };
			StringBuilder source = new StringBuilder();
			tokens.forEach(token -> source.append(token).append(blanks[random.nextInt(blanks.length)]));
			Path file = root.resolve(namespace.name() + ".yar");
			Files.createDirectories(file.getParent());
			Files.writeString(file, source);
		}
		return root;
	}

	static Map<String, String> fingerprints(Path root, String libyara) {
		return RuleFingerprints.of(RulesetSource.read(root), libyara).sha256s();
	}

	static Set<String> locationDependent(Path root) {
		RuleFingerprints fingerprints = RuleFingerprints.of(RulesetSource.read(root), LIBYARA);
		return fingerprints.all().entrySet().stream().filter(entry -> entry.getValue().locationDependent())
			.map(Map.Entry::getKey).collect(Collectors.toSet());
	}

	/** The ids present in both rulesets whose fingerprint differs. */
	static Set<String> changed(Path before, Path after, String libyaraBefore, String libyaraAfter) {
		Map<String, String> old = fingerprints(before, libyaraBefore);
		Map<String, String> now = fingerprints(after, libyaraAfter);
		return now.keySet().stream().filter(old::containsKey).filter(id -> !old.get(id).equals(now.get(id)))
			.collect(Collectors.toSet());
	}

	/** {@code rule} and every rule that names it, directly or through others. */
	static Set<String> dependents(Namespace namespace, Rule rule) {
		Set<String> names = new LinkedHashSet<>(List.of(rule.name()));
		List<Rule> rules = namespace.rules();
		for (int i = rules.indexOf(rule) + 1; i < rules.size(); i++) {
			Rule later = rules.get(i);
			if (rules.subList(0, i).stream().anyMatch(earlier -> names.contains(earlier.name()) && later.names(earlier))) {
				names.add(later.name());
			}
		}
		return names.stream().map(name -> namespace.name() + ":" + name).collect(Collectors.toSet());
	}

	static Set<String> expectedLocationDependent(List<Namespace> ruleset) {
		Set<String> expected = new LinkedHashSet<>();
		for (Namespace namespace : ruleset) {
			Set<String> reading = new LinkedHashSet<>();
			namespace.rules().stream().filter(Rule::location).forEach(rule -> reading.addAll(dependents(namespace, rule)));
			boolean gated = namespace.rules().stream()
				.anyMatch(rule -> rule.global() && reading.contains(namespace.name() + ":" + rule.name()));
			expected.addAll(gated ? ids(namespace) : reading);
		}
		return expected;
	}

	static Set<String> ids(Namespace namespace) {
		return namespace.rules().stream().map(rule -> namespace.name() + ":" + rule.name())
			.collect(Collectors.toCollection(LinkedHashSet::new));
	}

	static List<Namespace> replace(List<Namespace> ruleset, Namespace old, Namespace now) {
		return ruleset.stream().map(namespace -> namespace == old ? now : namespace).toList();
	}

	static String word(Random random) {
		return random.ints(3 + random.nextInt(6), 'a', 'z' + 1)
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString();
	}

	@AfterContainer
	static void deleteTheRulesets() {
		TemporaryRules.deleteAll();
	}
}
