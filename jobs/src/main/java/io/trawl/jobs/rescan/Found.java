package io.trawl.jobs.rescan;

import java.util.Map;

import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * What an analyse partition has found so far, kept in its execution context as one count per key
 * ({@code found.verdict.clean}, {@code found.rule.ns:Rule}), so it is saved with each chunk and survives a restart
 * exactly as the chunks do. Counted per analysis: a content seen at two locations is analysed once when it is at
 * least {@code look-up-contents-from} (the second location is looked up), but a smaller one is analysed, and
 * counted, at each, until the projection's summary, which counts distinct samples, replaces these figures.
 */
public final class Found {

	static final String VERDICT = "found.verdict.";
	static final String RULE = "found.rule.";

	private Found() {
	}

	static void add(ExecutionContext context, String kind, String name) {
		context.putLong(kind + name, context.getLong(kind + name, 0L) + 1);
	}

	/** The verdict counts in a partition's context, added to {@code into}. */
	public static void verdicts(ExecutionContext context, Map<String, Long> into) {
		collect(context, VERDICT, into);
	}

	/** The rule hit counts in a partition's context, added to {@code into}. */
	public static void ruleHits(ExecutionContext context, Map<String, Long> into) {
		collect(context, RULE, into);
	}

	private static void collect(ExecutionContext context, String kind, Map<String, Long> into) {
		for (Map.Entry<String, Object> entry : context.entrySet()) {
			if (entry.getKey().startsWith(kind) && entry.getValue() instanceof Number count) {
				into.merge(entry.getKey().substring(kind.length()), count.longValue(), Long::sum);
			}
		}
	}
}
