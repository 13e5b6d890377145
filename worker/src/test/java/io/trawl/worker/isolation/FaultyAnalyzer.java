package io.trawl.worker.isolation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Native code gone wrong on hostile input, for the tests: on a sample starting with {@value #SEGFAULT} it reads
 * address 8 through JNA (a real SIGSEGV: hs_err, exit 134); on one starting with {@value #HANG} it never returns; on
 * one starting with {@value #ALLOCATE} it mallocs 2 GiB (64 MiB when the sample says MiB) and touches every page.
 */
public final class FaultyAnalyzer implements Analyzer {

	static final String SEGFAULT = "SEGFAULT";
	static final String HANG = "HANG";
	static final String ALLOCATE = "ALLOCATE";

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
	public void analyse(Sample sample, Findings findings) throws InterruptedException, IOException {
		String head = new String(sample.head(8), StandardCharsets.US_ASCII);
		if (head.startsWith(SEGFAULT)) {
			findings.put("faulty", new Pointer(8).getInt(0));
		}
		if (head.startsWith(HANG)) {
			Thread.sleep(Long.MAX_VALUE);
		}
		if (head.startsWith(ALLOCATE)) {
			allocate(new String(sample.head(32), StandardCharsets.US_ASCII).contains("GiB") ? 2L << 30 : 64L << 20);
		}
		findings.put("faulty", Arrays.toString(sample.head(2)));
	}

	/** As libyara would: malloc, and touch every page (a failed malloc is an error, not a crash). */
	private static void allocate(long bytes) throws IOException {
		long memory = Native.malloc(bytes);
		if (memory == 0) {
			throw new IllegalStateException("malloc of " + bytes + " bytes failed, under a data limit of "
					+ dataLimit() + " bytes");
		}
		try {
			new Pointer(memory).setMemory(0, bytes, (byte) 1);
		}
		finally {
			Native.free(memory);
		}
	}

	/** "Max data size" (the soft limit) from /proc/self/limits. */
	private static String dataLimit() throws IOException {
		return Files.readAllLines(Path.of("/proc/self/limits")).stream()
			.filter(line -> line.startsWith("Max data size"))
			.map(line -> line.substring("Max data size".length()).trim().split("\\s+")[0])
			.findFirst()
			.orElse("?");
	}
}
