package io.trawl.worker.analysis.content;

import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.bytes.ByteHistogram;
import io.trawl.worker.source.Sample;

/** Shannon entropy of the whole sample, in bits per byte (0 to 8). */
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
		ByteHistogram histogram = new ByteHistogram();
		sample.forEachBlock(histogram::add);
		findings.put("entropy", histogram.entropy());
	}
}
