package io.trawl.jobs.security;

import java.util.concurrent.atomic.AtomicInteger;

/** Real API keys for tests that call the REST API, created through the {@link ApiKeys} bean. */
public final class TestApiKeys {

	private static final AtomicInteger NEXT = new AtomicInteger();

	private TestApiKeys() {
	}

	/** A new key with that role, under a fresh name; returns the key to send as {@code X-API-Key}. */
	public static String create(ApiKeys keys, Role role) {
		return keys.create("test-" + role.label() + "-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet()
				+ "-" + System.nanoTime() % 100_000, role).secret();
	}
}
