package io.trawl.worker.yara.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.trawl.worker.yara.YaraMatch;

/**
 * What a new ruleset changes against the fingerprints of the previous one, and the delta ruleset that scans only
 * that. The delta holds the new and changed rules, plus the rules they need (the rules they refer to, the globals
 * of their namespace) made {@code private}, so a scan with the delta reports the new and changed rules only.
 */
public final class RulesetDelta {

	private final RuleFingerprints current;
	private final Set<String> added;
	private final Set<String> changed;
	private final Set<String> unchanged;
	private final Set<String> removed;
	private final Set<String> scanned;
	/**
	 * Each rule's place in the new ruleset, made once: {@link #merge} runs for every reused sample of a rules night,
	 * and making it there (thousands of rules) was a tenth of such a night's analysing threads (bench/README.md,
	 * session 15).
	 */
	private volatile Map<String, Integer> order;

	private RulesetDelta(RuleFingerprints current, Set<String> added, Set<String> changed, Set<String> unchanged,
			Set<String> removed) {
		this.current = current;
		this.added = Collections.unmodifiableSet(added);
		this.changed = Collections.unmodifiableSet(changed);
		this.unchanged = Collections.unmodifiableSet(unchanged);
		this.removed = Collections.unmodifiableSet(removed);
		Set<String> both = new LinkedHashSet<>(added);
		both.addAll(changed);
		this.scanned = Collections.unmodifiableSet(both);
	}

	/**
	 * @param previous the previous ruleset's fingerprints ({@link RuleFingerprints#sha256s()}), by rule id
	 */
	public static RulesetDelta between(Map<String, String> previous, RuleFingerprints current) {
		Set<String> added = new LinkedHashSet<>();
		Set<String> changed = new LinkedHashSet<>();
		Set<String> unchanged = new LinkedHashSet<>();
		current.all().forEach((id, fingerprint) -> {
			String before = previous.get(id);
			(before == null ? added : before.equals(fingerprint.sha256()) ? unchanged : changed).add(id);
		});
		Set<String> removed = new LinkedHashSet<>(previous.keySet());
		removed.removeAll(current.all().keySet());
		return new RulesetDelta(current, added, changed, unchanged, removed);
	}

	/**
	 * The delta for a sample whose location (path, name) changed since its previous matches: the rules that read the
	 * location cannot be carried forward, so they are scanned too.
	 */
	public RulesetDelta forNewLocation() {
		Set<String> moved = new LinkedHashSet<>(changed);
		Set<String> kept = new LinkedHashSet<>();
		for (String id : unchanged) {
			(current.all().get(id).locationDependent() ? moved : kept).add(id);
		}
		return new RulesetDelta(current, added, moved, kept, removed);
	}

	/** Rules whose id the previous ruleset did not have. */
	public Set<String> added() {
		return added;
	}

	/** Rules the previous ruleset had with another fingerprint. */
	public Set<String> changed() {
		return changed;
	}

	/** Rules whose previous matches still hold. */
	public Set<String> unchanged() {
		return unchanged;
	}

	/** Rules of the previous ruleset that are gone: their matches are dropped. */
	public Set<String> removed() {
		return removed;
	}

	/** The rules a scan with the delta reports: {@link #added()} and {@link #changed()}. */
	public Set<String> scanned() {
		return scanned;
	}

	/** True when no rule needs a scan: the previous matches, less the removed rules', are the new ones. */
	public boolean isEmpty() {
		return added.isEmpty() && changed.isEmpty();
	}

	/** Rules in the delta ruleset only because a scanned rule needs them; private there, so never reported. */
	public Set<String> dependenciesOnly() {
		Set<String> scanned = scanned();
		Set<String> needed = new LinkedHashSet<>();
		scanned.forEach(id -> needed.addAll(current.dependencies(id)));
		needed.removeAll(scanned);
		return Collections.unmodifiableSet(needed);
	}

	/** The delta ruleset's source, by namespace: the imports, then the rules it holds in their original order. */
	public Map<String, String> sources() {
		Set<String> scanned = scanned();
		Set<String> dependenciesOnly = dependenciesOnly();
		Map<String, String> sources = new LinkedHashMap<>();
		for (SourceNamespace namespace : current.source().namespaces()) {
			StringBuilder text = new StringBuilder();
			for (SourceRule rule : namespace.rules()) {
				boolean dependency = dependenciesOnly.contains(rule.id());
				if (scanned.contains(rule.id()) || dependency) {
					text.append(dependency && !rule.isPrivate() ? "private " : "").append(rule.text()).append("\n\n");
				}
			}
			if (!text.isEmpty()) {
				StringBuilder imports = new StringBuilder();
				namespace.imports().forEach(module -> imports.append("import \"").append(module).append("\"\n"));
				sources.put(namespace.name(), imports.append('\n').append(text).toString());
			}
		}
		return sources;
	}

	/**
	 * Writes {@link #sources()} into {@code folder}, one {@code namespace.yar} file per namespace, so that
	 * {@code YaraRules.compile(folder, ...)} gives the rules their original namespaces. An {@link #isEmpty()} delta
	 * writes nothing: there is nothing to compile or scan.
	 * @throws IllegalArgumentException when the folder already holds files: they would be compiled too
	 */
	public void writeTo(Path folder) throws IOException {
		Files.createDirectories(folder);
		try (Stream<Path> existing = Files.list(folder)) {
			if (existing.findAny().isPresent()) {
				throw new IllegalArgumentException("The folder " + folder + " for a delta ruleset must be empty.");
			}
		}
		for (Map.Entry<String, String> namespace : sources().entrySet()) {
			Path file = folder.resolve(namespace.getKey() + ".yar").normalize();
			if (!file.startsWith(folder.normalize())) {
				throw new IllegalArgumentException("The namespace " + namespace.getKey() + " leaves " + folder + ".");
			}
			Files.createDirectories(file.getParent());
			Files.writeString(file, namespace.getValue());
		}
	}

	/**
	 * The matches of the new ruleset: the previous matches of unchanged rules plus the delta scan's matches of the
	 * scanned rules, in the order a scan with the whole new ruleset reports them.
	 */
	public List<YaraMatch> merge(List<YaraMatch> previous, List<YaraMatch> scannedMatches) {
		Map<String, Integer> order = order();
		List<YaraMatch> merged = new ArrayList<>();
		previous.stream().filter(match -> unchanged.contains(id(match))).forEach(merged::add);
		scannedMatches.stream().filter(match -> scanned.contains(id(match))).forEach(merged::add);
		merged.sort(Comparator.comparing(match -> order.get(id(match))));
		return merged;
	}

	private Map<String, Integer> order() {
		Map<String, Integer> made = order;
		if (made == null) {
			Map<String, Integer> places = new HashMap<>();
			current.all().keySet().forEach(id -> places.put(id, places.size()));
			order = made = Collections.unmodifiableMap(places);
		}
		return made;
	}

	private static String id(YaraMatch match) {
		return SourceRule.id(match.namespace(), match.rule());
	}
}
