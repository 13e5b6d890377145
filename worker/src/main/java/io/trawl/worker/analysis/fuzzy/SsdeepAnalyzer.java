package io.trawl.worker.analysis.fuzzy;

import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * The ssdeep context-triggered piecewise hash, equal to what {@code ssdeep -b} prints (libfuzzy 2.14), computed in
 * Java by {@link Ssdeep} in the same pass over the sample's blocks as the other analyzers read them: in-memory samples
 * from the shared buffer, larger ones streamed from their file.
 */
public final class SsdeepAnalyzer extends AbstractAnalyzer {

	public SsdeepAnalyzer() {
		super("ssdeep", "1");
	}

	@Override
	public Set<String> fields() {
		return Set.of("ssdeep");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		findings.put("ssdeep", hash(sample));
	}

	static String hash(Sample sample) throws Exception {
		// the size is known beforehand, as libfuzzy's fuzzy_hash_file learns it: block sizes it rules out are skipped
		Ssdeep ssdeep = new Ssdeep(sample.size());
		sample.forEachBlock(ssdeep::update);
		return ssdeep.digest();
	}
}
