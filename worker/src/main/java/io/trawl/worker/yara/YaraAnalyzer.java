package io.trawl.worker.yara;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.AnalyzerSpec;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * YARA through libyara. Small samples are scanned from the shared in-memory buffer; large ones from their file, so
 * they never enter the heap.
 */
public final class YaraAnalyzer extends AbstractAnalyzer implements AutoCloseable {

	private final YaraRules rules;
	/** Whether {@link #close} frees the rules: only in a native host, which loaded them for this analyzer alone. */
	private final boolean ownsRules;

	public YaraAnalyzer(YaraRules rules) {
		this(rules, false);
	}

	private YaraAnalyzer(YaraRules rules, boolean ownsRules) {
		super("yara", "libyara-4");
		this.rules = rules;
		this.ownsRules = ownsRules;
	}

	@Override
	public Set<String> fields() {
		return Set.of("rulesetVersion", "yara", "yaraMatches");
	}

	@Override
	public Set<String> reads() {
		return Set.of("mimeType");
	}

	/** libyara runs in this process, through JNA. */
	@Override
	public boolean nativeCode() {
		return true;
	}

	/**
	 * A native host loads the rules as this JVM compiled and saved them ({@link YaraRules#saved}); if it cannot, it
	 * compiles them from their source again, and refuses them if they changed since this JVM compiled them.
	 */
	@Override
	public AnalyzerSpec spec() {
		Map<String, Object> settings = new HashMap<>(Map.of("rules", rules.source().toString(), "version",
				rules.version(), "timeoutSeconds", rules.timeoutSeconds()));
		try {
			settings.put("compiled", rules.saved().toString());
		}
		catch (RuntimeException e) {
			// no temporary folder to save them in: the host compiles them from their source
		}
		return AnalyzerSpec.of(Recompiled.class, Map.copyOf(settings));
	}

	/** Builds a YARA analyzer in a native host from the rules its {@link #spec()} names. */
	public static final class Recompiled implements AnalyzerSpec.Factory {

		@Override
		public Analyzer create(Map<String, Object> settings) {
			Path source = Path.of((String) settings.get("rules"));
			String version = (String) settings.get("version");
			int timeoutSeconds = ((Number) settings.get("timeoutSeconds")).intValue();
			if (settings.get("compiled") instanceof String compiled && Files.isRegularFile(Path.of(compiled))) {
				return new YaraAnalyzer(YaraRules.load(Path.of(compiled), version, source, timeoutSeconds), true);
			}
			YaraRules rules = YaraRules.compile(source, timeoutSeconds);
			if (!rules.version().equals(version)) {
				rules.close();
				throw new IllegalStateException("the YARA rules at " + source + " changed since the job compiled them "
						+ "(version " + version + ", now " + rules.version() + ")");
			}
			return new YaraAnalyzer(rules, true);
		}
	}

	/**
	 * Frees the rules of an analyzer a native host created ({@link Recompiled}), when the host forgets its setup.
	 * Nothing for one made with the public constructor: a job's rules are shared, and their {@code Rulesets} frees them.
	 */
	@Override
	public void close() {
		if (ownsRules) {
			rules.close();
		}
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		findings.put("rulesetVersion", rules.version());
		Map<String, String> externals = externals(sample, findings);
		Optional<ByteBuffer> bytes = sample.bytes();
		List<YaraMatch> matches;
		if (bytes.isPresent()) {
			matches = rules.scan(bytes.get(), externals);
		}
		else {
			matches = rules.scan(sample.file().orElseThrow(), externals);
		}
		findings.put("yara", matches.stream().map(YaraMatch::rule).toList());
		findings.put("yaraMatches", matches.stream()
			.map(m -> Map.of("namespace", m.namespace(), "rule", m.rule(), "tags", m.tags(), "meta", m.meta()))
			.toList());
	}

	private static Map<String, String> externals(Sample sample, Findings findings) {
		String path = sample.name();
		String fileName = path.substring(path.lastIndexOf('/') + 1);
		int dot = fileName.lastIndexOf('.');
		String extension = dot > 0 ? fileName.substring(dot + 1) : "";
		Object type = findings.get("mimeType");
		return Map.of("filename", fileName, "filepath", path, "extension", extension, "filetype",
				type == null ? "" : type.toString());
	}
}
