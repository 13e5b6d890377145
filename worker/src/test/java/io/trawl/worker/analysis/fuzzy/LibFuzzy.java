package io.trawl.worker.analysis.fuzzy;

import java.nio.charset.StandardCharsets;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * libfuzzy 2.14 through JNA: the reference the Java {@link Ssdeep} is checked against, in tests and benchmarks only.
 * Trawl itself no longer loads it.
 */
interface LibFuzzy extends Library {

	/** FUZZY_MAX_RESULT in fuzzy.h: the longest hash plus its terminating NUL. */
	int MAX_RESULT = 148;

	LibFuzzy INSTANCE = load();

	int fuzzy_hash_buf(byte[] buffer, int length, byte[] result);

	int fuzzy_hash_buf(com.sun.jna.Pointer buffer, int length, byte[] result);

	int fuzzy_hash_filename(String fileName, byte[] result);

	com.sun.jna.Pointer fuzzy_new();

	int fuzzy_update(com.sun.jna.Pointer state, byte[] buffer, long length);

	int fuzzy_digest(com.sun.jna.Pointer state, byte[] result, int flags);

	void fuzzy_free(com.sun.jna.Pointer state);

	/**
	 * libfuzzy's hash of {@code data} fed with {@code fuzzy_update} in pieces of {@code piece} bytes, its length never
	 * announced: its streaming mode, where every block size stays in play.
	 */
	static String hashStreamed(byte[] data, int piece) {
		com.sun.jna.Pointer state = INSTANCE.fuzzy_new();
		try {
			for (int at = 0; at < data.length; at += piece) {
				int n = Math.min(piece, data.length - at);
				byte[] part = java.util.Arrays.copyOfRange(data, at, at + n);
				if (INSTANCE.fuzzy_update(state, part, n) != 0) {
					throw new IllegalStateException("fuzzy_update failed");
				}
			}
			byte[] result = new byte[MAX_RESULT];
			if (INSTANCE.fuzzy_digest(state, result, 0) != 0) {
				throw new IllegalStateException("fuzzy_digest failed");
			}
			return terminated(result);
		}
		finally {
			INSTANCE.fuzzy_free(state);
		}
	}

	/** libfuzzy's hash of the first {@code length} bytes of {@code data}, as {@code fuzzy_hash_buf} gives it. */
	static String hash(byte[] data, int length) {
		byte[] result = new byte[MAX_RESULT];
		int status = INSTANCE.fuzzy_hash_buf(data.length == 0 ? new byte[1] : data, length, result);
		if (status != 0) {
			throw new IllegalStateException("fuzzy_hash_buf failed: " + status);
		}
		return terminated(result);
	}

	static String hash(byte[] data) {
		return hash(data, data.length);
	}

	/** libfuzzy's hash of a file read as a stream of unknown length, as {@code fuzzy_hash_filename} gives it. */
	static String hashFile(String file) {
		byte[] result = new byte[MAX_RESULT];
		int status = INSTANCE.fuzzy_hash_filename(file, result);
		if (status != 0) {
			throw new IllegalStateException("fuzzy_hash_filename failed on " + file + ": " + status);
		}
		return terminated(result);
	}

	/** libfuzzy's hash of a direct buffer, read in place (as Trawl's analyzer did before issue 13). */
	static String hash(java.nio.ByteBuffer direct) {
		byte[] result = new byte[MAX_RESULT];
		int status = INSTANCE.fuzzy_hash_buf(Native.getDirectBufferPointer(direct), direct.remaining(), result);
		if (status != 0) {
			throw new IllegalStateException("fuzzy_hash_buf failed: " + status);
		}
		return terminated(result);
	}

	private static String terminated(byte[] result) {
		int end = 0;
		while (end < result.length && result[end] != 0) {
			end++;
		}
		return new String(result, 0, end, StandardCharsets.US_ASCII);
	}

	private static LibFuzzy load() {
		try {
			return Native.load("fuzzy", LibFuzzy.class);
		}
		catch (UnsatisfiedLinkError e) {
			throw new IllegalStateException("the tests compare with libfuzzy: apt-get install -y libfuzzy2 libfuzzy-dev",
					e);
		}
	}
}
