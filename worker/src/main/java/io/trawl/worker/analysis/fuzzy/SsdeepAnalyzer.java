package io.trawl.worker.analysis.fuzzy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * The ssdeep context-triggered piecewise hash, computed by libfuzzy so it equals what {@code ssdeep -b} prints.
 * In-memory samples are hashed from the shared direct buffer without a copy; larger ones from their file.
 */
public final class SsdeepAnalyzer extends AbstractAnalyzer {

	/** FUZZY_MAX_RESULT in fuzzy.h: the longest hash plus its terminating NUL. */
	static final int FUZZY_MAX_RESULT = 148;

	private final LibFuzzy fuzzy;

	public SsdeepAnalyzer() {
		super("ssdeep", "1");
		this.fuzzy = LibFuzzy.load();
	}

	/** libfuzzy runs in this process, through JNA. */
	@Override
	public boolean nativeCode() {
		return true;
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		findings.put("ssdeep", hash(sample));
	}

	String hash(Sample sample) {
		byte[] result = new byte[FUZZY_MAX_RESULT];
		Optional<ByteBuffer> bytes = sample.bytes();
		int status;
		if (bytes.isPresent()) {
			Pointer start = Native.getDirectBufferPointer(bytes.get());
			status = fuzzy.fuzzy_hash_buf(start, (int) sample.size(), result);
		}
		else {
			Path file = sample.file().orElseThrow(() -> new IllegalStateException("sample has neither bytes nor file"));
			status = fuzzy.fuzzy_hash_filename(file.toString(), result);
		}
		if (status != 0) {
			throw new IllegalStateException("libfuzzy could not hash " + sample.name() + " (status " + status + ")");
		}
		int end = 0;
		while (end < result.length && result[end] != 0) {
			end++;
		}
		return new String(result, 0, end, StandardCharsets.US_ASCII);
	}

	interface LibFuzzy extends Library {

		// the length is a uint32_t; in-memory samples never exceed Integer.MAX_VALUE
		int fuzzy_hash_buf(Pointer buffer, int length, byte[] result);

		int fuzzy_hash_filename(String fileName, byte[] result);

		static LibFuzzy load() {
			try {
				return Native.load("fuzzy", LibFuzzy.class);
			}
			catch (UnsatisfiedLinkError e) {
				throw new IllegalStateException("libfuzzy is not installed. Install it with: "
						+ "apt-get install -y libfuzzy2 libfuzzy-dev (the -dev package provides libfuzzy.so)", e);
			}
		}
	}
}
