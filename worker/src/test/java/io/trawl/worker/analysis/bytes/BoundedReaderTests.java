package io.trawl.worker.analysis.bytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class BoundedReaderTests {

	@Test
	void givenAReadThatEndsPastTheFile_whenRead_thenItIsTruncatedNamingTheOffset() {
		BoundedReader reader = reader(new byte[] { 1, 2, 3, 4, 5, 6 });

		assertThat(reader.u32(2)).isEqualTo(0x06050403L);
		assertThatThrownBy(() -> reader.u32(3)).isInstanceOf(BoundedReader.Truncated.class)
			.hasMessage("offset 3 is outside the file");
		assertThatThrownBy(() -> reader.u16(-1)).isInstanceOf(BoundedReader.Truncated.class)
			.hasMessage("offset -1 is outside the file");
	}

	@Test
	void givenAnUnsigned64BitValueAboveLongMax_whenReadAsAnOffset_thenItIsMinusOne() {
		byte[] bytes = new byte[8];
		bytes[7] = (byte) 0x80;
		BoundedReader reader = reader(bytes);

		assertThat(reader.u64(0)).isEqualTo(-1L);
		assertThat(reader.s64(0)).isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void givenBigEndianOrder_whenRead_thenValuesAreBigEndian() {
		BoundedReader reader = reader(new byte[] { 0x12, 0x34 });

		reader.order(ByteOrder.BIG_ENDIAN);

		assertThat(reader.u16(0)).isEqualTo(0x1234);
	}

	@Test
	void givenAString_whenReadPrintable_thenItStopsAtNulOrTheEndAndEscapesTheRest() {
		BoundedReader reader = reader(new byte[] { 'l', 'i', 'b', 1, 0, 'x', 'y' });

		assertThat(reader.printable(0, 100)).isEqualTo("lib\\x01");
		assertThat(reader.printable(5, 100)).isEqualTo("xy");
		assertThat(reader.printable(0, 2)).isEqualTo("li");
		assertThat(reader.printable(7, 100)).isNull();
	}

	@Test
	void givenARangeOutsideTheFile_whenEntropyIsAsked_thenItIsZero() {
		BoundedReader reader = reader(new byte[] { 0, 1, 2, 3 });

		assertThat(reader.entropy(0, 4)).isEqualTo(2.0);
		assertThat(reader.entropy(4, 4)).isZero();
		assertThat(reader.entropy(0, 0)).isZero();
	}

	private static BoundedReader reader(byte[] bytes) {
		return new BoundedReader(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
	}
}
