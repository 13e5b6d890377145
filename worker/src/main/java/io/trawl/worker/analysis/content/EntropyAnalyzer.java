package io.trawl.worker.analysis.content;

import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.bytes.BlockHistograms;
import io.trawl.worker.source.Sample;

/**
 * Shannon entropy of the whole sample, in bits per byte (0 to 8), from the sample's block histograms, which the ELF
 * and PE analyzers' section entropies then share.
 */
public final class EntropyAnalyzer extends AbstractAnalyzer {

	public EntropyAnalyzer() {
		super("entropy", "1");
	}

	@Override
	public Set<String> fields() {
		return Set.of("entropy");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		findings.put("entropy", BlockHistograms.whole(sample).entropy());
	}
}
