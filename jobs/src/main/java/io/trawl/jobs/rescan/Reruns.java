package io.trawl.jobs.rescan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;

/**
 * Which analyzers of this job's pipeline must run again on a stored result whose {@code analyzers} (name to
 * version) are not this pipeline's: those whose version changed or that are new, and those that read a field one of
 * them writes ({@link Analyzer#reads()}: a changed {@code mimeType} re-runs the file type and YARA). The others'
 * stored fields are kept. A result cannot be split, and is analysed in full, when the hashes must run again (they
 * name the content), when an analyzer to re-run declares no fields ({@link Analyzer#fields()}), or when a stored
 * field belongs to no analyzer of this pipeline and not to the pipeline itself (an analyzer removed since, or one
 * that does not declare its fields).
 */
final class Reruns {

	/** The fields the pipeline writes, not an analyzer. */
	static final Set<String> PIPELINE = Set.of("size", "errors", "verdict", "score", "signals", "analyzers",
			"provenance", "depth", "children", "skipped");

	private static final int PLANS_KEPT = 1_000;

	/** Nothing to re-run: the stored result has this pipeline's analyzers and versions. */
	static final Plan NONE = new Plan(List.of(), Set.of(), Set.of(), Set.of(), null);

	private final List<Analyzer> pipeline;
	private final Map<String, String> versions = new LinkedHashMap<>();
	/** Field to the analyzer that writes it. */
	private final Map<String, String> owners = new HashMap<>();
	private final VerdictPolicy verdicts;
	private final Duration timeout;
	private final Map<Map<?, ?>, Optional<Plan>> plans = new ConcurrentHashMap<>();

	/**
	 * The analyzers to run again on a stored result and what they need.
	 * @param names their names
	 * @param fields the fields they write: the stored ones are replaced by what they find now, or dropped
	 * @param given the stored fields they read that the analyzers kept wrote
	 * @param analysis a pipeline of them alone, in this pipeline's order
	 */
	record Plan(List<Analyzer> analyzers, Set<String> names, Set<String> fields, Set<String> given,
			SampleAnalysis analysis) {
	}

	Reruns(SampleAnalysis pipeline, VerdictPolicy verdicts) {
		this.pipeline = pipeline.analyzers();
		this.verdicts = verdicts;
		this.timeout = pipeline.timeout();
		for (Analyzer analyzer : this.pipeline) {
			versions.put(analyzer.name(), analyzer.version());
			analyzer.fields().forEach(field -> owners.putIfAbsent(field, analyzer.name()));
		}
	}

	/** The analyzers of this pipeline, by name, with their versions. */
	Map<String, String> versions() {
		return versions;
	}

	/**
	 * What must run again on a stored result with these {@code analyzers} and top-level {@code fields}: {@link #NONE}
	 * when they are this pipeline's; null when the result cannot be split and must be analysed in full.
	 */
	Plan plan(Object analyzers, Collection<String> fields) {
		if (!(analyzers instanceof Map<?, ?> stored) || stored.values().stream().anyMatch(Objects::isNull)) {
			return null;
		}
		if (versions.equals(stored)) {
			return NONE;
		}
		if (plans.size() > PLANS_KEPT) {
			plans.clear();
		}
		Plan plan = plans.computeIfAbsent(Map.copyOf(stored), this::planFor).orElse(null);
		if (plan == null) {
			return null;
		}
		for (String field : fields) {
			if (!PIPELINE.contains(field) && !owners.containsKey(field)) {
				return null;
			}
		}
		return plan;
	}

	private Optional<Plan> planFor(Map<?, ?> stored) {
		List<Analyzer> rerun = new ArrayList<>();
		Set<String> dirty = new LinkedHashSet<>();
		Set<String> given = new LinkedHashSet<>();
		for (Analyzer analyzer : pipeline) {
			boolean changed = !analyzer.version().equals(stored.get(analyzer.name()));
			boolean reads = analyzer.reads().stream().anyMatch(dirty::contains);
			if (changed || reads) {
				if (analyzer.fields().isEmpty() || analyzer == pipeline.get(0)) {
					return Optional.empty();
				}
				rerun.add(analyzer);
				dirty.addAll(analyzer.fields());
				// what it reads from the analyzers before it that are kept (those after it it would not see)
				analyzer.reads().stream().filter(field -> !dirty.contains(field) && owners.containsKey(field)
						&& versions.containsKey(owners.get(field)) && before(owners.get(field), analyzer))
					.forEach(given::add);
			}
		}
		Set<String> names = new LinkedHashSet<>();
		rerun.forEach(analyzer -> names.add(analyzer.name()));
		return Optional.of(new Plan(List.copyOf(rerun), names, Set.copyOf(dirty), Set.copyOf(given),
				new SampleAnalysis(rerun, verdicts, timeout)));
	}

	private boolean before(String name, Analyzer analyzer) {
		for (Analyzer each : pipeline) {
			if (each == analyzer) {
				return false;
			}
			if (each.name().equals(name)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * True when {@code found}, what a {@link Plan}'s analyzers found given {@code given}, is a part that replaces
	 * theirs in a stored result: no error, no member, no signal (the stored signals cannot be told apart by
	 * analyzer), and no field that the analyzers did not declare.
	 */
	static boolean replaces(Plan plan, Findings found, Map<String, Object> given) {
		if (!found.errors().isEmpty() || !found.children().isEmpty() || !found.signals().isEmpty()) {
			return false;
		}
		return found.fields().keySet().stream().allMatch(field -> plan.fields().contains(field)
				|| given.containsKey(field) || PIPELINE.contains(field));
	}
}
