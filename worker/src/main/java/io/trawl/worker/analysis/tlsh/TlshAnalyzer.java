package io.trawl.worker.analysis.tlsh;

import java.util.Set;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/** TLSH locality-sensitive hash; {@code "TNULL"} when the sample is under 50 bytes or too uniform. */
public final class TlshAnalyzer extends AbstractAnalyzer {

	public TlshAnalyzer() {
		super("tlsh", "4.x-1");
	}

	@Override
	public Set<String> fields() {
		return Set.of("tlsh");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		Tlsh tlsh = new Tlsh();
		sample.forEachBlock(tlsh::update);
		findings.put("tlsh", tlsh.digest());
	}
}
