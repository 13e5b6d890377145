package io.trawl.readmodel.query;

import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

import tools.jackson.databind.json.JsonMapper;

/**
 * One sample's result as a query reads it: the analysis report merged with its sources, as a JSON document.
 * {@code sha256} is null for a location that could not be read. {@code rules} are the YARA rules its document names
 * (its top-level {@code "yara"} list) when the one who made the view read them there, as the projection does; null
 * otherwise (a view read back from the tables has none). A diff compares two results by them without reading the
 * documents ({@link #rulesKey}).
 */
public record SampleView(long jobInstanceId, String sampleKey, String sha256, String verdict, Instant analysedAt,
		String document, List<String> rules) {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final String NO_RULES = "[]";

	public SampleView {
		rules = rules == null ? null : List.copyOf(rules);
	}

	/** A view without its rules: a diff reads them from its document. */
	public SampleView(long jobInstanceId, String sampleKey, String sha256, String verdict, Instant analysedAt,
			String document) {
		this(jobInstanceId, sampleKey, sha256, verdict, analysedAt, document, null);
	}

	/**
	 * The set of its rules as one text, the same for the same set whatever their order or repeats (a JSON list of
	 * them sorted, each once); null when the view has no rules ({@link DiffRow#rules}).
	 */
	public String rulesKey() {
		if (rules == null) {
			return null;
		}
		// most samples hit no rule: the projection writes this for each row, on its one writing thread
		return rules.isEmpty() ? NO_RULES : JSON.writeValueAsString(new TreeSet<>(rules));
	}
}
