package io.trawl.worker.analysis;

import java.util.Map;

/**
 * How another process (a native host) recreates an analyzer it only knows by description: the class to instantiate
 * and the settings to give it. Plain JSON values only, since the spec crosses a process boundary.
 * @param type an {@link Analyzer} with a public no-argument constructor, or a {@link Factory} given the settings
 * @param settings what a factory needs (a ruleset's path and version); empty for a no-argument analyzer
 */
public record AnalyzerSpec(String type, Map<String, Object> settings) {

	public AnalyzerSpec {
		settings = Map.copyOf(settings);
	}

	/** Recreates an analyzer that needs setup (compiled rules, a loaded model) from its spec's settings. */
	public interface Factory {

		/** Throws with one sentence naming the setting when it cannot build the analyzer the job described. */
		Analyzer create(Map<String, Object> settings);
	}

	/** An analyzer that its public no-argument constructor builds. */
	public static AnalyzerSpec of(Class<? extends Analyzer> type) {
		return new AnalyzerSpec(type.getName(), Map.of());
	}

	/** An analyzer that {@code factory} builds from {@code settings}. */
	public static AnalyzerSpec of(Class<? extends Factory> factory, Map<String, Object> settings) {
		return new AnalyzerSpec(factory.getName(), settings);
	}

	/** The analyzer this spec describes, built in this process. */
	public Analyzer create() {
		Object created;
		try {
			created = Class.forName(type).getConstructor().newInstance();
		}
		catch (ReflectiveOperationException e) {
			throw new IllegalStateException("cannot create the analyzer " + type + ": " + e, e);
		}
		if (created instanceof Factory factory) {
			return factory.create(settings);
		}
		if (created instanceof Analyzer analyzer) {
			return analyzer;
		}
		throw new IllegalStateException("cannot create the analyzer " + type + ": it is neither an "
				+ Analyzer.class.getSimpleName() + " nor an " + Factory.class.getName());
	}
}
