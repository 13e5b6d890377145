package io.trawl.worker.isolation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.sun.jna.Pointer;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Native code gone wrong on hostile input, for the tests: on a sample starting with {@value #SEGFAULT} it reads
 * address 8 through JNA (a real SIGSEGV: hs_err, exit 134); on one starting with {@value #HANG} it never returns.
 */
public final class FaultyAnalyzer implements Analyzer {

	static final String SEGFAULT = "SEGFAULT";
	static final String HANG = "HANG";

	@Override
	public String name() {
		return "faulty";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public boolean nativeCode() {
		return true;
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws InterruptedException {
		String head = new String(sample.head(8), StandardCharsets.US_ASCII);
		if (head.startsWith(SEGFAULT)) {
			findings.put("faulty", new Pointer(8).getInt(0));
		}
		if (head.startsWith(HANG)) {
			Thread.sleep(Long.MAX_VALUE);
		}
		findings.put("faulty", Arrays.toString(sample.head(2)));
	}
}
