package io.trawl.worker.analysis.tlsh;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/** TLSH locality-sensitive hash; {@code "TNULL"} when the sample is under 50 bytes or too uniform. */
public final class TlshAnalyzer implements Analyzer {

	@Override
	public String name() {
		return "tlsh";
	}

	@Override
	public String version() {
		return "4.x-1";
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		Tlsh tlsh = new Tlsh();
		sample.forEachBlock(tlsh::update);
		findings.put("tlsh", tlsh.digest());
	}
}
