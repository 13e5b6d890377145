package io.trawl.worker.isolation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native host's protocol: each message a map of names to values, after its length as a 4-byte big-endian int.
 * A value is a one-byte tag and its content: null, a boolean, an int, a long, a double, a string (its UTF-8 length and
 * bytes), a list or a map (the count, then the items). Binary, so that a host loads no JSON library and neither side
 * parses text for every sample; a value keeps its Java type across (an int stays an int).
 * <p>
 * An answer comes from a process that ran native code on a hostile sample, so reading trusts nothing in it: every
 * length and count is checked against the frame, and nesting is bounded.
 */
final class Frames {

	/** Far above any message (a sample's fields and YARA matches); a larger length is not a frame. */
	private static final int MAX_BYTES = 64 << 20;
	/** Deeper than any field (YARA's matches are three levels deep). */
	private static final int MAX_DEPTH = 32;

	private static final byte NULL = 0;
	private static final byte FALSE = 1;
	private static final byte TRUE = 2;
	private static final byte INT = 3;
	private static final byte LONG = 4;
	private static final byte DOUBLE = 5;
	private static final byte STRING = 6;
	private static final byte LIST = 7;
	private static final byte MAP = 8;

	private Frames() {
	}

	/** Writes one message; a value of another type than those above (no analyzer gives one) goes as its string. */
	static void write(DataOutputStream out, Map<String, ?> message) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		writeValue(new DataOutputStream(bytes), message);
		out.writeInt(bytes.size());
		bytes.writeTo(out);
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
		if (bytes.length < length) {
			return null;
		}
		ByteArrayInputStream frame = new ByteArrayInputStream(bytes);
		Object message = readValue(new DataInputStream(frame), frame, 0);
		if (!(message instanceof Map<?, ?>) || frame.available() > 0) {
			throw new IOException("a frame that is not one message: the stream is not the native host's protocol");
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> map = (Map<String, Object>) message;
		return map;
	}

	private static void writeValue(DataOutputStream out, Object value) throws IOException {
		if (value == null) {
			out.writeByte(NULL);
		}
		else if (value instanceof Boolean b) {
			out.writeByte(b ? TRUE : FALSE);
		}
		else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
			out.writeByte(INT);
			out.writeInt(((Number) value).intValue());
		}
		else if (value instanceof Long l) {
			out.writeByte(LONG);
			out.writeLong(l);
		}
		else if (value instanceof Double || value instanceof Float) {
			out.writeByte(DOUBLE);
			out.writeDouble(((Number) value).doubleValue());
		}
		else if (value instanceof Collection<?> items) {
			out.writeByte(LIST);
			out.writeInt(items.size());
			for (Object item : items) {
				writeValue(out, item);
			}
		}
		else if (value instanceof Map<?, ?> entries) {
			out.writeByte(MAP);
			out.writeInt(entries.size());
			for (Map.Entry<?, ?> entry : entries.entrySet()) {
				writeString(out, String.valueOf(entry.getKey()));
				writeValue(out, entry.getValue());
			}
		}
		else {
			out.writeByte(STRING);
			writeString(out, value.toString());
		}
	}

	private static void writeString(DataOutputStream out, String value) throws IOException {
		byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(utf8.length);
		out.write(utf8);
	}

	private static Object readValue(DataInputStream in, ByteArrayInputStream frame, int depth) throws IOException {
		byte tag = in.readByte();
		return switch (tag) {
			case NULL -> null;
			case FALSE -> false;
			case TRUE -> true;
			case INT -> in.readInt();
			case LONG -> in.readLong();
			case DOUBLE -> in.readDouble();
			case STRING -> readString(in, frame);
			case LIST -> {
				int count = count(in, frame, depth);
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(readValue(in, frame, depth + 1));
				}
				yield items;
			}
			case MAP -> {
				int count = count(in, frame, depth);
				Map<String, Object> entries = new LinkedHashMap<>(count * 2);
				for (int i = 0; i < count; i++) {
					entries.put(readString(in, frame), readValue(in, frame, depth + 1));
				}
				yield entries;
			}
			default -> throw new IOException("a value tagged " + tag + ": the stream is not the native host's protocol");
		};
	}

	/** A list's or map's count: each item takes at least one byte of what is left of the frame. */
	private static int count(DataInputStream in, ByteArrayInputStream frame, int depth) throws IOException {
		int count = in.readInt();
		if (count < 0 || count > frame.available() || depth >= MAX_DEPTH) {
			throw new IOException("a list of " + count + " items at depth " + depth
					+ ": the stream is not the native host's protocol");
		}
		return count;
	}

	private static String readString(DataInputStream in, ByteArrayInputStream frame) throws IOException {
		int length = in.readInt();
		if (length < 0 || length > frame.available()) {
			throw new IOException("a string of " + length + " bytes past the frame's end: the stream is not the native "
					+ "host's protocol");
		}
		return new String(in.readNBytes(length), StandardCharsets.UTF_8);
	}
}
