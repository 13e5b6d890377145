package io.trawl.worker.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SignalTests {

	@Test
	void givenSignalsRaisedTwice_thenBothAreKeptInOrderAsJsonLikeMaps() {
		Findings findings = new Findings();

		findings.raise(List.of(new Signal("archive-bomb", 40))).raise(List.of(new Signal("archive-nesting", 20)));

		assertThat(findings.signals()).containsExactly(new Signal("archive-bomb", 40),
				new Signal("archive-nesting", 20));
		// the stored field keeps the shape the read model and the result documents have always had
		assertThat(findings.get("signals")).isEqualTo(List.of(Map.of("name", "archive-bomb", "score", 40),
				Map.of("name", "archive-nesting", "score", 20)));
	}

	@Test
	void givenSignalsThatCameBackAsMaps_thenTheyAreReadAndScored() {
		Findings findings = new Findings().put("signals",
				List.of(Map.of("name", "from-a-host", "score", 30L), "not a signal"));

		assertThat(findings.signals()).containsExactly(new Signal("from-a-host", 30));
		assertThat(VerdictPolicy.defaults().verdict(findings)).isEqualTo(Verdict.SUSPICIOUS);
	}

	@Test
	void givenNoSignals_thenNoFieldAndNoScore() {
		Findings findings = new Findings().raise(List.of());

		assertThat(findings.get("signals")).isNull();
		assertThat(findings.signals()).isEmpty();
	}
}
