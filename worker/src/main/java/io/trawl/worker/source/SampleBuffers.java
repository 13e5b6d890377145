package io.trawl.worker.source;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct buffers for samples read into memory, reused from one sample to the next. A fresh direct buffer is zeroed
 * by the JVM and faulted in page by page by the kernel, which cost as much CPU as hashing the bytes; a reused one
 * costs only the read. At most {@link #KEEP} buffers are kept, one per core (the default number of samples analysed
 * at once), the largest first, each at most the in-memory limit rounded up to a power of two: the pool holds about
 * what the samples in flight hold at their peak.
 */
final class SampleBuffers {

	static final int KEEP = Math.max(1, Runtime.getRuntime().availableProcessors());

	private static final int MIN_CAPACITY = 64 * 1024;

	private static final List<ByteBuffer> free = new ArrayList<>();

	private SampleBuffers() {
	}

	/** A buffer with at least {@code size} bytes of room, its position 0 and its limit {@code size}. */
	static ByteBuffer take(int size) {
		ByteBuffer buffer = smallestFitting(size);
		if (buffer == null) {
			// a power of two, so buffers fit many later samples; the limit caps it at the size asked for
			int capacity = size <= MIN_CAPACITY ? MIN_CAPACITY : Integer.highestOneBit(size - 1) << 1;
			buffer = ByteBuffer.allocateDirect(capacity > 0 ? capacity : size);
		}
		buffer.clear().limit(size);
		return buffer;
	}

	/** Returns a buffer from {@link #take}; nothing may read it afterwards. */
	static synchronized void give(ByteBuffer buffer) {
		if (free.size() < KEEP) {
			free.add(buffer);
			return;
		}
		int smallest = 0;
		for (int i = 1; i < free.size(); i++) {
			if (free.get(i).capacity() < free.get(smallest).capacity()) {
				smallest = i;
			}
		}
		if (free.get(smallest).capacity() < buffer.capacity()) {
			free.set(smallest, buffer);
		}
	}

	private static synchronized ByteBuffer smallestFitting(int size) {
		int best = -1;
		for (int i = 0; i < free.size(); i++) {
			int capacity = free.get(i).capacity();
			if (capacity >= size && (best < 0 || capacity < free.get(best).capacity())) {
				best = i;
			}
		}
		return best < 0 ? null : free.remove(best);
	}
}
