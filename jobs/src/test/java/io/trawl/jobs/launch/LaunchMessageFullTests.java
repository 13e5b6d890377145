package io.trawl.jobs.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The launch message's optional {@code full}: absent in older messages, which stay valid and incremental. */
class LaunchMessageFullTests {

	private static final String BODY = "{\"version\":1,\"type\":\"rescan\",\"requestId\":\"r-1\","
			+ "\"source\":\"s3://samples/all/\"%s}";

	@Test
	void aMessageWithoutFullIsAnIncrementalRescan() {
		LaunchMessage message = LaunchMessage.parse(BODY.formatted(""));

		assertThat(message.full()).isFalse();
		assertThat(message.request().full()).isFalse();
		assertThat(message.toJson()).doesNotContain("full");
	}

	@Test
	void fullTrueAsksForAFullRescanAndSurvivesTheRoundTrip() {
		LaunchMessage message = LaunchMessage.parse(BODY.formatted(",\"full\":true"));

		assertThat(message.request().full()).isTrue();
		assertThat(LaunchMessage.parse(message.toJson())).isEqualTo(message);
	}

	@Test
	void fullThatIsNotABooleanIsRefusedInOneSentence() {
		assertThatThrownBy(() -> LaunchMessage.parse(BODY.formatted(",\"full\":\"yes\"")))
			.isInstanceOf(LaunchMessage.InvalidLaunchMessageException.class)
			.hasMessage("The launch message's full must be true or false, not \"yes\".");
	}
}
