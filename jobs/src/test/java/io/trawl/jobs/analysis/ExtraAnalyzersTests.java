package io.trawl.jobs.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.trawl.jobs.cli.CrashingAnalyzer;

/** trawl.analysis.extra-analyzers: a class by name, or one sentence saying what is wrong with the name. */
class ExtraAnalyzersTests {

	@Test
	void aClassOnTheClasspathBecomesAnAnalyzer() {
		assertThat(AnalysisConfiguration.instantiate(CrashingAnalyzer.class.getName()).name()).isEqualTo("crashing");
	}

	@Test
	void anUnknownClassIsAClearError() {
		assertThatThrownBy(() -> AnalysisConfiguration.instantiate("com.example.NoSuchAnalyzer"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("trawl.analysis.extra-analyzers names com.example.NoSuchAnalyzer, which is not on the "
					+ "classpath: check the name, and put its jar or folder on TRAWL_CLASSPATH.");
	}

	@Test
	void aClassThatIsNotAnAnalyzerIsAClearError() {
		assertThatThrownBy(() -> AnalysisConfiguration.instantiate("java.lang.String"))
			.hasMessageContaining("does not implement io.trawl.worker.analysis.Analyzer");
	}
}
