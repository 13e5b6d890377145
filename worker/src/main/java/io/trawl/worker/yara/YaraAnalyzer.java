package io.trawl.worker.yara;

import java.nio.ByteBuffer;
import java.nio.file.Path;
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
public final class YaraAnalyzer extends AbstractAnalyzer {

	private final YaraRules rules;

	public YaraAnalyzer(YaraRules rules) {
		super("yara", "libyara-4");
		this.rules = rules;
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

	/** A native host compiles the same rules again, and refuses them if they changed since this JVM compiled them. */
	@Override
	public AnalyzerSpec spec() {
		return AnalyzerSpec.of(Recompiled.class, Map.of("rules", rules.source().toString(), "version", rules.version(),
				"timeoutSeconds", rules.timeoutSeconds()));
	}

	/** Builds a YARA analyzer in a native host from the rules its {@link #spec()} names. */
	public static final class Recompiled implements AnalyzerSpec.Factory {

		@Override
		public Analyzer create(Map<String, Object> settings) {
			YaraRules rules = YaraRules.compile(Path.of((String) settings.get("rules")),
					((Number) settings.get("timeoutSeconds")).intValue());
			if (!rules.version().equals(settings.get("version"))) {
				throw new IllegalStateException("the YARA rules at " + settings.get("rules") + " changed since the job "
						+ "compiled them (version " + settings.get("version") + ", now " + rules.version() + ")");
			}
			return new YaraAnalyzer(rules);
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
