package io.trawl.worker.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The native host's protocol: every kind of value a field holds comes back equal and of the same type, and a frame
 * that a compromised host could send (lengths past the end, unknown tags, endless nesting) is refused as not the
 * protocol, never an exception of another kind or an allocation of its claimed size.
 */
class FramesTests {

	@Test
	void givenAMessageOfEveryKindOfValue_whenWrittenAndRead_thenItComesBackEqual() throws IOException {
		Map<String, Object> meta = new LinkedHashMap<>();
		meta.put("author", "ünïcode ✓");
		meta.put("score", 7L);
		meta.put("active", true);
		Map<String, Object> message = new LinkedHashMap<>();
		message.put("yara", List.of("rule_a", "rule_b"));
		message.put("yaraMatches", List.of(Map.of("namespace", "pe", "rule", "rule_a", "tags", List.of(), "meta", meta)));
		message.put("size", 12L);
		message.put("count", 3);
		message.put("entropy", 7.25);
		message.put("empty", "");
		message.put("missing", null);
		message.put("no", false);

		Map<String, Object> read = roundTrip(message);

		assertThat(read).isEqualTo(message);
		assertThat(read.keySet()).containsExactlyElementsOf(message.keySet());
		assertThat(read.get("size")).isInstanceOf(Long.class);
		assertThat(read.get("count")).isInstanceOf(Integer.class);
	}

	@Test
	void givenTwoMessages_whenRead_thenEachIsReadThenTheEndIsNull() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(bytes);
		Frames.write(out, Map.of("a", 1));
		Frames.write(out, Map.of("b", "2"));
		DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));

		assertThat(Frames.read(in)).isEqualTo(Map.of("a", 1));
		assertThat(Frames.read(in)).isEqualTo(Map.of("b", "2"));
		assertThat(Frames.read(in)).isNull();
	}

	@Test
	void givenHostileFrames_whenRead_thenEachIsRefusedAsNotTheProtocol() {
		byte map = 8;
		byte list = 7;
		byte string = 6;
		List<byte[]> hostile = List.of(
				frame(new byte[] { map, 0x7f, -1, -1, -1 }), // a map of 2^31 entries
				frame(new byte[] { map, 0, 0, 0, 1, 0, 0, 0, 1, 'k', string, 0x7f, -1, -1, -1 }), // a 2 GB string
				frame(new byte[] { map, 0, 0, 0, 1, 0, 0, 0, 1, 'k', 42 }), // an unknown tag
				frame(new byte[] { list, 0, 0, 0, 0 }), // not a map
				frame(new byte[] { map, 0, 0, 0, 0, 9 }), // a byte after the message
				frame(nested(10_000)), // nesting far past any field
				ByteBuffer.allocate(4).putInt(-5).array(), // a negative length
				ByteBuffer.allocate(4).putInt(100 << 20).array()); // a length past any message
		for (byte[] bytes : hostile) {
			assertThatIOException().as(Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 16))))
				.isThrownBy(() -> Frames.read(new DataInputStream(new ByteArrayInputStream(bytes))))
				.withMessageContaining("not the native host's protocol");
		}
	}

	@Test
	void givenAFrameCutShort_whenRead_thenItIsTheEndOfTheStream() throws IOException {
		byte[] whole = frame(new byte[] { 8, 0, 0, 0, 0 });

		assertThat(Frames.read(new DataInputStream(new ByteArrayInputStream(Arrays.copyOf(whole, 6))))).isNull();
	}

	private static Map<String, Object> roundTrip(Map<String, Object> message) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Frames.write(new DataOutputStream(bytes), message);
		return Frames.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
	}

	private static byte[] frame(byte[] body) {
		return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
	}

	/** A map whose one entry is a list of one list of one list... {@code depth} deep. */
	private static byte[] nested(int depth) {
		ByteBuffer body = ByteBuffer.allocate(10 + depth * 5);
		body.put((byte) 8).putInt(1).putInt(1).put((byte) 'k');
		for (int i = 0; i < depth; i++) {
			body.put((byte) 7).putInt(1);
		}
		return Arrays.copyOf(body.array(), body.position());
	}
}
