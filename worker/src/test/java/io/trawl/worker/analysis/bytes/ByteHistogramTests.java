package io.trawl.worker.analysis.bytes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteHistogramTests {

	@Test
	void givenKnownDistributions_thenTheEntropyIsTheTextbookValue() {
		byte[] everyValue = new byte[256 * 1000];
		for (int i = 0; i < everyValue.length; i++) {
			everyValue[i] = (byte) i;
		}
		assertThat(entropyOf(everyValue)).isEqualTo(8.0);
		assertThat(entropyOf(new byte[100_003])).isEqualTo(0.0);
		assertThat(entropyOf(new byte[] { 'a', 'b', 'a', 'b', 'a' })).isEqualTo(0.970951); // -(.6 log .6 + .4 log .4)
		assertThat(entropyOf(new byte[0])).isEqualTo(0.0);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 3, 4, 5, 65_535, 65_536, 65_537, 1_000_003 })
	void givenAnyLength_thenTheCountsAreThoseOfASimpleLoop(int length) {
		byte[] bytes = new byte[length];
		Random random = new Random(length);
		for (int i = 0; i < length; i++) {
			// skewed, with runs, as executables are
			bytes[i] = (byte) (random.nextInt(4) == 0 ? 0 : random.nextInt(1 + i % 200));
		}
		long[] counts = new long[256];
		for (byte b : bytes) {
			counts[b & 0xff]++;
		}
		double expected = 0;
		for (long count : counts) {
			if (count > 0) {
				double p = (double) count / length;
				expected -= p * Math.log(p) / Math.log(2);
			}
		}
		assertThat(entropyOf(bytes)).isEqualTo(Math.round(expected * 1e6) / 1e6);
	}

	private static double entropyOf(byte[] bytes) {
		ByteBuffer direct = ByteBuffer.allocateDirect(Math.max(bytes.length, 1)).put(bytes).flip();
		return new ByteHistogram().add(direct).entropy();
	}
}
