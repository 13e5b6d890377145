package io.trawl.worker.analysis.bytes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import io.trawl.worker.source.Sample;

/** The whole of a sample as one little-endian buffer: the shared in-memory view, or a read-only map of its file. */
public final class SampleBytes {

	private SampleBytes() {
	}

	/** At most the first 2 GiB of a file-backed sample; the caller notes when the sample is longer. */
	public static ByteBuffer of(Sample sample) throws IOException {
		ByteBuffer bytes = sample.bytes().orElse(null);
		if (bytes == null) {
			try (FileChannel channel = FileChannel.open(sample.file().orElseThrow(), StandardOpenOption.READ)) {
				bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(channel.size(), Integer.MAX_VALUE));
			}
		}
		else {
			bytes.limit((int) Math.min(bytes.limit(), sample.size()));
		}
		return bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
	}
}
