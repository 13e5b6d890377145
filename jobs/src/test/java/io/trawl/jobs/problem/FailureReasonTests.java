package io.trawl.jobs.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import org.junit.jupiter.api.Test;

import io.trawl.worker.source.SampleSourceException;

/** A failed job's stored exit description becomes one line a user can read, without Java type names. */
class FailureReasonTests {

	@Test
	void aStoredStackTraceBecomesTheInnermostMessageFirstLine() {
		Exception failure = new IllegalStateException("Partition 3 failed",
				new UncheckedIOException("reading samples",
						new java.io.IOException("Disk quota exceeded\nsecond line")));

		String reason = FailureReason.of(trace(failure));

		assertThat(reason).isEqualTo("Disk quota exceeded");
	}

	@Test
	void aTraceWhoseInnermostCauseHasNoMessageUsesTheNextOne() {
		Exception failure = new SampleSourceException("The sample folder /data is not readable by this user.",
				new NullPointerException());

		assertThat(FailureReason.of(trace(failure))).isEqualTo("The sample folder /data is not readable by this user.");
	}

	@Test
	void aTraceWithoutAnyMessageSaysSoWithoutATypeName() {
		String reason = FailureReason.of(trace(new StackOverflowError()));

		assertThat(reason).isEqualTo(FailureReason.INTERNAL).doesNotContain("StackOverflow");
	}

	@Test
	void plainDescriptionsAndBlanksStayAndEveryResultIsOneBoundedLine() {
		assertThat(FailureReason.of("")).isEmpty();
		assertThat(FailureReason.of(null)).isNull();
		assertThat(FailureReason.of("Stopped by an operator")).isEqualTo("Stopped by an operator");
		String longest = FailureReason.of(trace(new IllegalArgumentException("x".repeat(5000))));
		assertThat(longest).hasSizeLessThan(600).doesNotContain("\n").doesNotContain("java.");
		// two traces joined, as ExitStatus.and does
		String joined = trace(new IllegalStateException("first")) + "; " + trace(new RuntimeException("wrapped",
				new IllegalArgumentException("the real reason")));
		assertThat(FailureReason.of(joined)).isEqualTo("the real reason");
	}

	@Test
	void echoesOfCallersValuesAreCutAndEscaped() {
		String echoed = ClientErrors.echo("/tmp/" + "a".repeat(25_000_000) + "\n\u0007");
		assertThat(echoed).hasSizeLessThan(300).contains("(25000007 characters)").doesNotContain("\n");
		assertThat(ClientErrors.echo("a\nb\u0000c")).isEqualTo("a\\nb\\u0000c");
	}

	private static String trace(Throwable t) {
		StringWriter out = new StringWriter();
		t.printStackTrace(new PrintWriter(out));
		return out.toString();
	}
}
