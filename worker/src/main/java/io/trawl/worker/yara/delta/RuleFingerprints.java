package io.trawl.worker.yara.delta;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import io.trawl.worker.yara.YaraRules;

/**
 * A fingerprint for every rule of a ruleset: what its matches depend on, hashed. Two rules with the same id and
 * fingerprint match the same contents, so a rescan can carry their matches forward.
 */
public final class RuleFingerprints {

	/** The externals whose value is the sample's location rather than its content. */
	public static final Set<String> LOCATION_EXTERNALS = Set.of("filename", "filepath", "extension");

	/**
	 * @param sha256 over the rule's normalised source, the fingerprints of the rules its condition refers to
	 *        (transitively), every global rule of its namespace, the namespace's imports and the libyara build
	 * @param externals the external variables ({@link YaraRules#EXTERNALS}) that the rule, a rule it refers to or a
	 *        global of its namespace reads: its matches depend on their values too
	 */
	public record Fingerprint(String sha256, Set<String> externals) {

		/** Reads {@code filename}, {@code filepath} or {@code extension}: its matches hold for one location only. */
		public boolean locationDependent() {
			return !Collections.disjoint(externals, LOCATION_EXTERNALS);
		}
	}

	private final RulesetSource source;
	private final Map<String, Fingerprint> fingerprints = new LinkedHashMap<>();
	private final Map<String, Set<String>> dependencies = new HashMap<>();

	private RuleFingerprints(RulesetSource source, String libyara) {
		this.source = source;
		for (SourceNamespace namespace : source.namespaces()) {
			fingerprint(namespace, libyara);
		}
	}

	/** Fingerprints with the libyara this process loaded. */
	public static RuleFingerprints of(RulesetSource source) {
		return of(source, LibYaraBuild.identity());
	}

	/** Fingerprints as if scanned with the libyara named {@code libyara}. */
	public static RuleFingerprints of(RulesetSource source, String libyara) {
		return new RuleFingerprints(source, libyara);
	}

	public RulesetSource source() {
		return source;
	}

	/** Every rule's fingerprint by id ({@code namespace:rule}), in compilation order. */
	public Map<String, Fingerprint> all() {
		return Collections.unmodifiableMap(fingerprints);
	}

	/** Every rule's sha256 by id: what a job keeps to compute its successor's delta. */
	public Map<String, String> sha256s() {
		Map<String, String> sha256s = new LinkedHashMap<>();
		fingerprints.forEach((id, fingerprint) -> sha256s.put(id, fingerprint.sha256()));
		return sha256s;
	}

	/** The rules {@code id} needs to compile and to match as in the whole ruleset: what it refers to, the globals. */
	Set<String> dependencies(String id) {
		return dependencies.get(id);
	}

	private void fingerprint(SourceNamespace namespace, String libyara) {
		Map<String, String> content = new HashMap<>();
		Map<String, Set<String>> closures = new HashMap<>();
		Map<String, Integer> earlier = new HashMap<>();
		List<SourceRule> rules = namespace.rules();
		for (int i = 0; i < rules.size(); i++) {
			SourceRule rule = rules.get(i);
			Sha256 hash = new Sha256().add(rule.normalised()).add(String.join("\n", namespace.imports())).add(libyara);
			Set<String> closure = new LinkedHashSet<>();
			for (SourceRule referenced : referenced(rule, rules, earlier)) {
				hash.add(referenced.name()).add(content.get(referenced.id()));
				closure.add(referenced.id());
				closure.addAll(closures.get(referenced.id()));
			}
			content.put(rule.id(), hash.hex());
			closures.put(rule.id(), closure);
			earlier.put(rule.name(), i);
		}
		Set<String> globals = new LinkedHashSet<>();
		Sha256 globalsHash = new Sha256();
		for (SourceRule rule : namespace.rules()) {
			if (rule.isGlobal()) {
				globals.add(rule.id());
				globals.addAll(closures.get(rule.id()));
				globalsHash.add(content.get(rule.id()));
			}
		}
		String gate = globalsHash.hex();
		Map<String, Set<String>> externals = new HashMap<>();
		for (SourceRule rule : namespace.rules()) {
			Set<String> read = new TreeSet<>(rule.identifiers());
			read.retainAll(YaraRules.EXTERNALS);
			externals.put(rule.id(), read);
		}
		for (SourceRule rule : namespace.rules()) {
			Set<String> needs = new LinkedHashSet<>(closures.get(rule.id()));
			needs.addAll(globals);
			needs.remove(rule.id());
			Set<String> read = new TreeSet<>(externals.get(rule.id()));
			needs.forEach(id -> read.addAll(externals.get(id)));
			dependencies.put(rule.id(), Collections.unmodifiableSet(needs));
			fingerprints.put(rule.id(), new Fingerprint(new Sha256().add(content.get(rule.id())).add(gate).hex(),
					Collections.unmodifiableSet(read)));
		}
	}

	/**
	 * The rules declared before {@code rule} that its condition names, or a rule set of it covers, in declaration
	 * order; a condition can name no later rule, which also keeps references free of cycles.
	 */
	private static List<SourceRule> referenced(SourceRule rule, List<SourceRule> rules, Map<String, Integer> earlier) {
		SortedSet<Integer> positions = new TreeSet<>();
		rule.identifiers().stream().map(earlier::get).filter(Objects::nonNull).forEach(positions::add);
		for (String prefix : rule.wildcards()) {
			earlier.forEach((name, position) -> {
				if (name.startsWith(prefix)) {
					positions.add(position);
				}
			});
		}
		return positions.stream().map(rules::get).toList();
	}
}
