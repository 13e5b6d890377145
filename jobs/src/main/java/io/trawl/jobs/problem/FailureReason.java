package io.trawl.jobs.problem;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns what Spring Batch stores as a failed execution's exit description (whole stack traces, sometimes several)
 * into one line a user can read: the innermost cause's message, first line, without Java type names. The full trace
 * stays in the log and the job repository.
 */
public final class FailureReason {

	static final String INTERNAL = "The job failed with an internal error; the service log has the details.";
	private static final Pattern TYPE_NAME = Pattern
		.compile("^(?:[a-zA-Z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error|Throwable|Failure)(?::\\s*|\\s*$)");
	private static final Pattern PACKAGED_TYPE = Pattern.compile("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?::\\s*|\\s*$)");
	private static final int MAX = 500;

	private FailureReason() {
	}

	/** One line for a stored exit description; null and blank stay as they are. */
	public static String of(String description) {
		if (description == null || description.isBlank()) {
			return description;
		}
		String[] lines = description.split("\\R");
		if (lines.length == 1 && !TYPE_NAME.matcher(lines[0].trim()).find()
				&& !PACKAGED_TYPE.matcher(lines[0].trim()).find()) {
			return ClientErrors.oneLine(lines[0].trim(), MAX);
		}
		// the headline of the trace and of each "Caused by:"; the innermost says what really went wrong
		List<String> headlines = new ArrayList<>();
		headlines.add(lines[0]);
		for (String line : lines) {
			if (line.startsWith("Caused by: ")) {
				headlines.add(line.substring("Caused by: ".length()));
			}
		}
		for (int i = headlines.size() - 1; i >= 0; i--) {
			String message = withoutTypeNames(headlines.get(i));
			if (!message.isEmpty()) {
				return ClientErrors.oneLine(message, MAX);
			}
		}
		return INTERNAL;
	}

	/** One line for a failure: the innermost cause's message with text, first line, without type names. */
	public static String ofFailure(Throwable failure) {
		String reason = null;
		for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
			String message = t.getMessage() == null ? "" : withoutTypeNames(t.getMessage().lines().findFirst().orElse(""));
			if (!message.isEmpty()) {
				reason = message;
			}
		}
		return reason == null ? INTERNAL : ClientErrors.oneLine(reason, MAX);
	}

	private static String withoutTypeNames(String headline) {
		String text = headline.trim();
		for (int i = 0; i < 10; i++) {
			var typed = TYPE_NAME.matcher(text);
			var packaged = PACKAGED_TYPE.matcher(text);
			if (typed.find()) {
				text = text.substring(typed.end()).trim();
			}
			else if (packaged.find()) {
				text = text.substring(packaged.end()).trim();
			}
			else {
				break;
			}
		}
		// a trace line that slipped into a message is no reason
		return text.startsWith("at ") ? "" : text;
	}
}
