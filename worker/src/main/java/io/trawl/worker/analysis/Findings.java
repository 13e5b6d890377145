package io.trawl.worker.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the analyzers found about one sample: a flat JSON-like object of named fields, plus per-analyzer errors.
 * Values are strings, numbers, booleans, lists and maps, so the read model can store them without knowing them.
 */
public final class Findings {

	private static final String SIGNALS = "signals";

	private final Map<String, Object> fields = new LinkedHashMap<>();
	private final List<AnalysisError> errors = new ArrayList<>();
	private final Map<String, String> analyzers = new LinkedHashMap<>();
	private final List<Child> children = new ArrayList<>();
	private final int depth;
	private final ChildAnalysis childAnalysis;
	private boolean known;
	/** Set while these are one analyzer's own findings, run beside the others: the sample's, and a wait for them. */
	private Findings whole;
	private Runnable before;

	/** Findings of a top-level sample that has no way to analyse children (tests, one-off use). */
	public Findings() {
		this(0, (child, depth) -> {
			throw new IllegalStateException("no child analysis configured");
		});
	}

	Findings(int depth, ChildAnalysis childAnalysis) {
		this.depth = depth;
		this.childAnalysis = childAnalysis;
	}

	/**
	 * Findings for one analyzer of {@code whole} that runs beside the analyzers before it (see {@link SampleAnalysis}):
	 * they start empty, and the first read waits ({@code before}) until {@code whole} holds what the analyzers before
	 * it found, then sees that with this analyzer's own fields added, as it would have running after them.
	 */
	Findings(Findings whole, Runnable before) {
		this(whole.depth, whole.childAnalysis);
		this.whole = whole;
		this.before = before;
	}

	/** 0 for a sample from the source, 1 for a member of an archive, and so on. */
	public int depth() {
		return depth;
	}

	/**
	 * Analyses a sample found inside this one (an archive member) with the whole pipeline, and links it here.
	 * The child's own findings are returned, so a caller can read its sha256.
	 */
	public Findings analyseChild(String pathInParent, io.trawl.worker.source.Sample child) {
		Findings found = childAnalysis.analyse(child, depth + 1);
		children.add(new Child(pathInParent, found));
		return found;
	}

	/** Samples found inside this one, each analysed in turn. */
	public List<Child> children() {
		settle();
		return Collections.unmodifiableList(children);
	}

	public Findings put(String field, Object value) {
		fields.put(field, value);
		return this;
	}

	public Object get(String field) {
		settle();
		return fields.get(field);
	}

	/** Adds signals to those raised before, kept in the {@code signals} field as a list of {@code {name, score}}. */
	public Findings raise(List<Signal> raised) {
		if (raised.isEmpty()) {
			return this;
		}
		List<Object> stored = new ArrayList<>();
		if (fields.get(SIGNALS) instanceof List<?> existing) {
			stored.addAll(existing);
		}
		raised.forEach(signal -> stored.add(signal.toField()));
		fields.put(SIGNALS, stored);
		return this;
	}

	/** The signals raised so far, in order; entries of another shape in the field are skipped. */
	public List<Signal> signals() {
		settle();
		if (!(fields.get(SIGNALS) instanceof List<?> stored)) {
			return List.of();
		}
		return stored.stream().map(Signal::fromField).filter(signal -> signal != null).toList();
	}

	public void addError(String analyzer, String message) {
		errors.add(new AnalysisError(analyzer, message));
	}

	void recordAnalyzer(String name, String version) {
		analyzers.put(name, version);
	}

	void markKnown() {
		known = true;
	}

	/**
	 * True when the analysis stopped after the hashes because the content needs no second analysis (see
	 * {@link SampleAnalysis#analyseUnlessKnown}): these findings are not a result.
	 */
	public boolean known() {
		settle();
		return known;
	}

	public Map<String, Object> fields() {
		settle();
		return Collections.unmodifiableMap(fields);
	}

	public List<AnalysisError> errors() {
		settle();
		return Collections.unmodifiableList(errors);
	}

	/** Analyzer name to version, for provenance. */
	public Map<String, String> analyzers() {
		settle();
		return Collections.unmodifiableMap(analyzers);
	}

	/** Makes {@code these} (one analyzer's, settled after those before it) the whole findings. */
	void adopt(Findings these) {
		these.settle();
		fields.clear();
		fields.putAll(these.fields);
		errors.clear();
		errors.addAll(these.errors);
		analyzers.clear();
		analyzers.putAll(these.analyzers);
		children.clear();
		children.addAll(these.children);
	}

	/**
	 * Once the analyzers before this one are done: puts what they found under what this one found so far, in the
	 * order one analyzer after another would have left them (signals appended to theirs).
	 */
	private void settle() {
		if (before == null) {
			return;
		}
		before.run();
		before = null;
		Map<String, Object> own = new LinkedHashMap<>(fields);
		List<AnalysisError> ownErrors = new ArrayList<>(errors);
		Map<String, String> ownAnalyzers = new LinkedHashMap<>(analyzers);
		List<Child> ownChildren = new ArrayList<>(children);
		adopt(whole);
		own.forEach((field, value) -> {
			if (field.equals(SIGNALS) && value instanceof List<?> raised
					&& fields.get(SIGNALS) instanceof List<?> earlier) {
				List<Object> stored = new ArrayList<>(earlier);
				stored.addAll(raised);
				fields.put(SIGNALS, stored);
			}
			else {
				fields.put(field, value);
			}
		});
		errors.addAll(ownErrors);
		analyzers.putAll(ownAnalyzers);
		children.addAll(ownChildren);
	}

	public record AnalysisError(String analyzer, String message) {
	}

	/** A member of this sample (for example a file in a zip) with its own findings. */
	public record Child(String path, Findings findings) {
	}

	@FunctionalInterface
	interface ChildAnalysis {
		Findings analyse(io.trawl.worker.source.Sample child, int depth);
	}
}
