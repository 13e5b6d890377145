package io.trawl.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditLogTests {

	@Test
	void aValueWithControlCharactersStaysOneQuotedToken() {
		String escaped = AuditLog.escape("a\nforged=line\r\"x\"\u0007\\");

		assertThat(escaped).isEqualTo("\"a\\nforged=line\\r\\\"x\\\"\\u0007\\\\\"");
		assertThat(escaped).doesNotContain("\n", "\r");
	}

	@Test
	void aHugeValueIsCutAndSaysHowLongItWas() {
		String escaped = AuditLog.escape("x".repeat(1_000_000));

		assertThat(escaped).hasSizeLessThan(400).endsWith("...(1000000 chars)\"");
	}

	@Test
	void nullIsADash() {
		assertThat(AuditLog.escape(null)).isEqualTo("-");
	}
}
