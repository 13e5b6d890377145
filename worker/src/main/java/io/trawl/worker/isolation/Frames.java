package io.trawl.worker.isolation;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The native host's protocol: JSON objects, each after its length as a 4-byte big-endian int. */
final class Frames {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
	};
	/** Far above any message (a sample's fields and YARA matches); a larger length is not a frame. */
	private static final int MAX_BYTES = 64 << 20;

	private Frames() {
	}

	static void write(DataOutputStream out, Map<String, ?> message) throws IOException {
		byte[] bytes = JSON.writeValueAsBytes(message);
		out.writeInt(bytes.length);
		out.write(bytes);
		out.flush();
	}

	/** The next message, or null when the stream ended (the other process is gone). */
	static Map<String, Object> read(DataInputStream in) throws IOException {
		int length;
		try {
			length = in.readInt();
		}
		catch (EOFException end) {
			return null;
		}
		if (length < 0 || length > MAX_BYTES) {
			throw new IOException("a frame of " + length + " bytes: the stream is not the native host's protocol");
		}
		byte[] bytes = in.readNBytes(length);
		return bytes.length < length ? null : JSON.readValue(bytes, OBJECT);
	}
}
