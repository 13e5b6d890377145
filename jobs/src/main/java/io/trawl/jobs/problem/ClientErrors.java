package io.trawl.jobs.problem;

import java.util.Optional;

import org.springframework.batch.core.job.parameters.InvalidJobParametersException;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

import io.trawl.worker.source.SampleSourceException;
import io.trawl.worker.yara.RuleCompilationException;

/**
 * The one place that decides whether a failure is the caller's (a bad source, rules or request; an unknown job; a
 * conflict; no capacity now) and what to tell them. REST turns the answer into a status code, the SQS listener into
 * the DLQ or a retry, the CLI into its message.
 */
public final class ClientErrors {

	/** What kind of caller's error, with its HTTP status. */
	public enum Kind {
		BAD_REQUEST(400), NOT_FOUND(404), CONFLICT(409), TOO_LARGE(413), BUSY(429);

		private final int status;

		Kind(int status) {
			this.status = status;
		}

		public int status() {
			return status;
		}
	}

	static final int MAX_ECHO = 200;
	static final int MAX_MESSAGE = 1000;

	private ClientErrors() {
	}

	/** The caller's error this is, or empty for a server-side failure (including AWS errors a retry may cure). */
	public static Optional<Kind> classify(Throwable e) {
		return clientCause(e).map(ClientErrors::kindOf);
	}

	/** The sentence for the caller: the message of the client error inside {@code e}, bounded and escaped. */
	public static Optional<String> message(Throwable e) {
		return clientCause(e).map(t -> oneLine(t.getMessage() == null ? "The request is not valid." : t.getMessage(),
				MAX_MESSAGE));
	}

	private static Optional<Throwable> clientCause(Throwable e) {
		if (retryable(e)) {
			return Optional.empty();
		}
		for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (kindOf(t) != null) {
				return Optional.of(t);
			}
		}
		return Optional.empty();
	}

	private static Kind kindOf(Throwable t) {
		if (t instanceof LaunchRefusedException refused) {
			return refused.kind();
		}
		if (t instanceof NotFoundException) {
			return Kind.NOT_FOUND;
		}
		if (t instanceof IllegalArgumentException || t instanceof SampleSourceException
				|| t instanceof RuleCompilationException || t instanceof InvalidJobParametersException) {
			return Kind.BAD_REQUEST;
		}
		return null;
	}

	/** An AWS error that a retry may cure (throttling, 5xx, I/O), even when wrapped in a client-looking exception. */
	static boolean retryable(Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof AwsServiceException service) {
				int status = service.statusCode();
				return status >= 500 || status == 429 || service.isThrottlingException();
			}
			if (t instanceof SdkException sdk) {
				return sdk.retryable() || !(sdk instanceof AwsServiceException);
			}
		}
		return false;
	}

	/** A caller's value, quoted into a message: at most 200 characters, control characters escaped. */
	public static String echo(String value) {
		return value == null ? "(none)" : oneLine(value, MAX_ECHO);
	}

	/** One line of at most {@code max} characters: control characters escaped, the rest cut and marked. */
	public static String oneLine(String text, int max) {
		StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
		int limit = Math.min(text.length(), max);
		for (int i = 0; i < limit; i++) {
			char c = text.charAt(i);
			if (c == '\n') {
				out.append("\\n");
			}
			else if (c == '\r') {
				out.append("\\r");
			}
			else if (c == '\t') {
				out.append("\\t");
			}
			else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
				out.append(String.format("\\u%04x", (int) c));
			}
			else {
				out.append(c);
			}
		}
		if (text.length() > limit) {
			out.append("…(").append(text.length()).append(" characters)");
		}
		return out.toString();
	}
}
