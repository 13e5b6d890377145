package io.trawl.jobs.problem;

import java.time.Duration;

/**
 * A launch or stop refused for a reason the caller can act on: the request id is taken (409), the job is not
 * running (409), or no launch slot is free now (429, try again after {@link #retryAfter()}).
 */
public class LaunchRefusedException extends RuntimeException {

	private final ClientErrors.Kind kind;
	private final Duration retryAfter;

	private LaunchRefusedException(ClientErrors.Kind kind, String message, Duration retryAfter) {
		super(message);
		this.kind = kind;
		this.retryAfter = retryAfter;
	}

	public static LaunchRefusedException conflict(String message) {
		return new LaunchRefusedException(ClientErrors.Kind.CONFLICT, message, null);
	}

	public static LaunchRefusedException busy(String message, Duration retryAfter) {
		return new LaunchRefusedException(ClientErrors.Kind.BUSY, message, retryAfter);
	}

	public ClientErrors.Kind kind() {
		return kind;
	}

	/** When to try again; null unless the kind is BUSY. */
	public Duration retryAfter() {
		return retryAfter;
	}
}
