package io.trawl.worker.analysis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something an analyzer noticed that raises a sample's score on its own (an archive bomb, a path traversal), without
 * a YARA rule. {@link Findings#raise} records it, {@link VerdictPolicy} adds up the scores.
 * @param name a short stable name, {@code archive-bomb}
 * @param score what it adds to the sample's score
 */
public record Signal(String name, int score) {

	/** The stored shape, a JSON-like map like every other field's value. */
	Map<String, Object> toField() {
		Map<String, Object> field = new LinkedHashMap<>();
		field.put("name", name);
		field.put("score", score);
		return field;
	}

	/** A signal from its stored shape; null for anything else. */
	static Signal fromField(Object value) {
		if (value instanceof Signal signal) {
			return signal;
		}
		if (value instanceof Map<?, ?> map && map.get("name") instanceof String name
				&& map.get("score") instanceof Number score) {
			return new Signal(name, score.intValue());
		}
		return null;
	}
}
