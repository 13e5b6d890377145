package io.trawl.jobs.audit;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per security-relevant action (a launch, a stop, a key created or revoked), on the {@code io.trawl.audit}
 * logger. Every value a caller supplied is escaped, so a request id with a newline cannot forge a second line.
 */
public final class AuditLog {

	private static final Logger log = LoggerFactory.getLogger("io.trawl.audit");

	private AuditLog() {
	}

	/** Records {@code action} by {@code principal}, with its details in the given order. */
	public static void record(String action, String principal, Map<String, ?> details) {
		StringBuilder line = new StringBuilder("action=").append(escape(action))
			.append(" principal=")
			.append(escape(principal));
		details.forEach((name, value) -> line.append(' ').append(name).append('=').append(escape(value)));
		log.info(line.toString());
	}

	/**
	 * A value as one quoted token: control characters, quotes and backslashes escaped, at most 300 characters (the
	 * rest is cut and marked), so the line stays one line and readable whatever the caller sent.
	 */
	public static String escape(Object value) {
		if (value == null) {
			return "-";
		}
		String text = value.toString();
		StringBuilder out = new StringBuilder(Math.min(text.length(), 300) + 2).append('"');
		int limit = Math.min(text.length(), 300);
		for (int i = 0; i < limit; i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		if (text.length() > limit) {
			out.append("...(").append(text.length()).append(" chars)");
		}
		return out.append('"').toString();
	}
}
