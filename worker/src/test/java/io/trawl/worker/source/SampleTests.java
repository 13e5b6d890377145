package io.trawl.worker.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleTests {

	@TempDir
	Path dir;

	@Test
	void givenASmallSampleReadAfterALargerOne_thenItSeesOnlyItsOwnBytes() throws Exception {
		byte[] large = random(300_000, 1);
		byte[] small = random(70_000, 2);
		try (Sample first = Sample.ofFile("large", write("large", large), 1 << 20)) {
			assertThat(contentOf(first)).isEqualTo(large);
		}
		// the large sample's buffer is reused: the small one must not see its tail
		try (Sample second = Sample.ofFile("small", write("small", small), 1 << 20)) {
			assertThat(second.size()).isEqualTo(small.length);
			assertThat(contentOf(second)).isEqualTo(small);
		}
		try (Sample empty = Sample.ofFile("empty", write("empty", new byte[0]), 1 << 20)) {
			assertThat(empty.size()).isZero();
			assertThat(contentOf(empty)).isEmpty();
		}
	}

	@Test
	void givenTwoSamplesOpenAtOnce_thenNeitherOverwritesTheOther() throws Exception {
		byte[] a = random(100_000, 3);
		byte[] b = random(100_000, 4);
		Sample first = Sample.ofFile("a", write("a", a), 1 << 20);
		first.close();
		first.close(); // a second close must not hand its buffer out twice
		try (Sample x = Sample.ofFile("a", write("a", a), 1 << 20);
				Sample y = Sample.ofFile("b", write("b", b), 1 << 20)) {
			assertThat(contentOf(x)).isEqualTo(a);
			assertThat(contentOf(y)).isEqualTo(b);
		}
	}

	@Test
	void givenASampleAboveTheInMemoryLimit_thenItIsStreamedFromItsFile() throws Exception {
		byte[] content = random(50_000, 5);
		try (Sample sample = Sample.ofFile("big", write("big", content), 10_000)) {
			assertThat(sample.bytes()).isEmpty();
			assertThat(sample.file()).isPresent();
			assertThat(sample.openStream().readAllBytes()).isEqualTo(content);
		}
	}

	private Path write(String name, byte[] content) throws Exception {
		return Files.write(dir.resolve(name), content);
	}

	private static byte[] contentOf(Sample sample) {
		ByteBuffer view = sample.bytes().orElseThrow();
		byte[] out = new byte[view.remaining()];
		view.get(out);
		return out;
	}

	private static byte[] random(int size, long seed) {
		byte[] bytes = new byte[size];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}
}
