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

	private final Map<String, Object> fields = new LinkedHashMap<>();
	private final List<AnalysisError> errors = new ArrayList<>();
	private final Map<String, String> analyzers = new LinkedHashMap<>();

	public Findings put(String field, Object value) {
		fields.put(field, value);
		return this;
	}

	public Object get(String field) {
		return fields.get(field);
	}

	public void addError(String analyzer, String message) {
		errors.add(new AnalysisError(analyzer, message));
	}

	void recordAnalyzer(String name, String version) {
		analyzers.put(name, version);
	}

	public Map<String, Object> fields() {
		return Collections.unmodifiableMap(fields);
	}

	public List<AnalysisError> errors() {
		return Collections.unmodifiableList(errors);
	}

	/** Analyzer name to version, for provenance. */
	public Map<String, String> analyzers() {
		return Collections.unmodifiableMap(analyzers);
	}

	public record AnalysisError(String analyzer, String message) {
	}
}
