package io.trawl.worker.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.analysis.tlsh.TlshAnalyzer;
import io.trawl.worker.source.Sample;

/** An analyzer over its time costs that sample one error field; the others still run. */
class DeadlineTests {

	@Test
	void anAnalyzerOverItsTimeBecomesAnErrorAndTheOthersStillRun() throws Exception {
		Analyzer endless = new Analyzer() {
			@Override
			public String name() {
				return "endless";
			}

			@Override
			public String version() {
				return "1";
			}

			@Override
			public void analyse(Sample sample, Findings findings) {
				while (true) {
					Deadline.check();
				}
			}
		};
		SampleAnalysis analysis = new SampleAnalysis(List.of(endless, new HashAnalyzer()), VerdictPolicy.defaults(),
				Duration.ofMillis(50));

		// the JDK's digests loaded first: on a cold JVM at a tenth of a core, loading them alone can take 50 ms
		new HashAnalyzer().analyse(Sample.ofBytes("warm-up", new byte[1]), new Findings());
		Findings findings = analysis.analyse(Sample.ofBytes("x", new byte[1024]));

		assertThat(findings.errors()).singleElement().satisfies(error -> {
			assertThat(error.analyzer()).isEqualTo("endless");
			assertThat(error.message()).contains("timed out after 50 ms");
		});
		assertThat(findings.get("sha256")).isNotNull();
	}

	@Test
	void realAnalyzersCheckTheirTimeBetweenChunks() {
		SampleAnalysis analysis = new SampleAnalysis(List.of(new TlshAnalyzer()), VerdictPolicy.defaults(),
				Duration.ZERO);

		Findings findings = analysis.analyse(Sample.ofBytes("big", new byte[1 << 20]));

		assertThat(findings.errors()).extracting(Findings.AnalysisError::analyzer).containsExactly("tlsh");
		assertThat(findings.get("tlsh")).isNull();
	}

	@Test
	void withoutAnOpenDeadlineCheckDoesNothing() throws Exception {
		Sample big = Sample.ofBytes("big", new byte[1 << 20]);
		assertThatCode(Deadline::check).doesNotThrowAnyException();
		Findings timedOut = new SampleAnalysis(List.of(new TlshAnalyzer()), VerdictPolicy.defaults(), Duration.ZERO)
			.analyse(big);
		assertThat(timedOut.errors()).isNotEmpty();

		// the expired deadline closed with its analyzer: this thread has none open again
		assertThatCode(Deadline::check).doesNotThrowAnyException();
		// so an analyzer called outside an analysis runs to the end, however long it takes
		Findings direct = new Findings();
		new TlshAnalyzer().analyse(big, direct);
		assertThat(direct.get("tlsh")).isNotNull();
	}
}
