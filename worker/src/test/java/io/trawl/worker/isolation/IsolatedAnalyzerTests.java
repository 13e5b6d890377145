package io.trawl.worker.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.content.MimeTypeAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * The analyzers with native code, run in child processes: the same fields as in this JVM, and a fault in native code
 * (a real SIGSEGV) or a hang costs the sample an error, not this JVM.
 */
class IsolatedAnalyzerTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	/** The hosts' data limit in these tests. */
	private static final long LIMIT = 1L << 30;

	@TempDir
	Path dir;

	private YaraRules rules;
	private NativeHosts hosts;

	@AfterEach
	void stop() {
		if (hosts != null) {
			hosts.close();
		}
		if (rules != null) {
			rules.close();
		}
	}

	@Test
	void givenTheCorpus_whenAnalysedInHosts_thenEveryFieldEqualsTheAnalysisInThisJvm() throws Exception {
		rules = YaraRules.compile(Path.of("../config/rules").toAbsolutePath().normalize(), 30);
		List<Analyzer> natives = List.of(new YaraAnalyzer(rules));
		hosts = hosts(natives, Duration.ofSeconds(60));
		List<Analyzer> inHosts = new ArrayList<>(List.of(new MimeTypeAnalyzer()));
		natives.forEach(analyzer -> inHosts.add(new IsolatedAnalyzer(analyzer, hosts)));
		List<Analyzer> here = new ArrayList<>(List.of(new MimeTypeAnalyzer()));
		here.addAll(natives);
		SampleAnalysis isolated = new SampleAnalysis(inHosts, VerdictPolicy.defaults());
		SampleAnalysis inProcess = new SampleAnalysis(here, VerdictPolicy.defaults());

		List<Path> files = TestCorpus.writeTo(dir.resolve("corpus"));
		int matched = 0;
		for (Path file : files) {
			try (Sample sample = Sample.ofFile(file.getFileName().toString(), file, 1 << 20)) {
				Findings expected = inProcess.analyse(sample);
				Findings actual = isolated.analyse(sample);
				assertThat(actual.errors()).as("errors on %s", file).isEmpty();
				assertThat(json(actual)).as("fields of %s", file).isEqualTo(json(expected));
				matched += ((List<?>) actual.get("yara")).isEmpty() ? 0 : 1;
			}
		}
		assertThat(matched).as("samples with YARA matches: the comparison covers them").isPositive();

		// an archive member exists only in memory: it goes to the host through a temporary file
		Sample member = Sample.ofBytes("inside.zip/eicar.com", TestCorpus.eicar());
		Findings fromMemory = isolated.analyse(member);
		assertThat(fromMemory.get("yara")).asList().isNotEmpty();
		assertThat(json(fromMemory)).isEqualTo(json(inProcess.analyse(member)));
		assertThat(hosts.running()).as("one host, reused from sample to sample").isEqualTo(1);
	}

	@Test
	void givenASampleThatCrashesNativeCode_whenAnalysed_thenItGetsAnErrorAndTheNextSampleIsAnalysed() throws Exception {
		hosts = hosts(List.of(new FaultyAnalyzer()), Duration.ofSeconds(60));
		SampleAnalysis analysis = new SampleAnalysis(List.of(new IsolatedAnalyzer(new FaultyAnalyzer(), hosts)),
				VerdictPolicy.defaults());

		Findings crashed = analysis.analyse(Sample.ofBytes("poison", (FaultyAnalyzer.SEGFAULT + " rest").getBytes()));
		Findings next = analysis.analyse(Sample.ofFile("next", Files.write(dir.resolve("next"), new byte[] { 1, 2 }),
				1024));

		assertThat(crashed.errors()).singleElement().satisfies(error -> {
			assertThat(error.analyzer()).isEqualTo("faulty");
			assertThat(error.message()).startsWith("its native analysis process died while analysing this sample "
					+ "(exit 134, a crash in native code; crash log " + dir.resolve("hs_err_native_pid"));
		});
		try (var logs = Files.list(dir)) {
			assertThat(logs.map(p -> p.getFileName().toString()))
				.anyMatch(n -> n.matches("hs_err_native_pid\\d+\\.log"));
		}
		assertThat(next.errors()).isEmpty();
		assertThat(next.get("faulty")).isEqualTo("[1, 2]");
	}

	@Test
	void givenASampleThatHangsNativeCode_whenTheTimeoutPasses_thenItsHostIsKilledAndItGetsAnError() throws Exception {
		hosts = hosts(List.of(new FaultyAnalyzer()), Duration.ofSeconds(3));
		SampleAnalysis analysis = new SampleAnalysis(List.of(new IsolatedAnalyzer(new FaultyAnalyzer(), hosts)),
				VerdictPolicy.defaults());
		hosts.warmUp(1);
		Thread.sleep(2000); // started before the clock runs: the timeout is the analysis's own

		Findings hung = analysis.analyse(Sample.ofBytes("hang", (FaultyAnalyzer.HANG + " forever").getBytes()));
		Findings next = analysis.analyse(Sample.ofBytes("next", new byte[] { 3, 4 }));

		assertThat(hung.errors()).singleElement().satisfies(error -> assertThat(error.message())
			.isEqualTo("timed out after 3 s; its native analysis process was killed"));
		assertThat(next.errors()).isEmpty();
		assertThat(next.get("faulty")).isEqualTo("[3, 4]");
		assertThat(hosts.running()).isEqualTo(1);
	}

	/** The fields as JSON, compared as a tree: the order of a match's keys is not part of the result. */
	private static JsonNode json(Findings findings) {
		return JSON.readTree(JSON.writeValueAsString(findings.fields()));
	}

	@Test
	void givenAMemoryLimit_whenNativeCodeAllocatesPastIt_thenTheAllocationFailsInTheHost() throws Exception {
		hosts = hosts(List.of(new FaultyAnalyzer()), Duration.ofSeconds(60));
		SampleAnalysis analysis = new SampleAnalysis(List.of(new IsolatedAnalyzer(new FaultyAnalyzer(), hosts)),
				VerdictPolicy.defaults());

		Findings greedy = analysis.analyse(Sample.ofBytes("greedy", (FaultyAnalyzer.ALLOCATE + " 2 GiB").getBytes()));

		assertThat(greedy.errors()).singleElement().satisfies(error -> assertThat(error.message())
			.isEqualTo("malloc of 2147483648 bytes failed, under a data limit of " + LIMIT + " bytes"));
		// a small allocation still works: the limit bounds, it does not starve
		Findings modest = analysis.analyse(Sample.ofBytes("modest", (FaultyAnalyzer.ALLOCATE + " 64 MiB").getBytes()));
		assertThat(modest.errors()).isEmpty();
	}

	@Test
	void givenAHostThatCannotStart_whenSamplesKeepComing_thenAfterThreeFailedStartsTheyFailAtOnce() throws Exception {
		// a "host" that counts its starts and exits before answering: a broken installation
		Path starts = dir.resolve("starts");
		hosts = new NativeHosts(List.of(new FaultyAnalyzer()), Duration.ofSeconds(60), 1 << 20,
				List.of("/bin/sh", "-c", "echo started >> '" + starts + "'; exit 3"), dir);
		SampleAnalysis analysis = new SampleAnalysis(List.of(new IsolatedAnalyzer(new FaultyAnalyzer(), hosts)),
				VerdictPolicy.defaults());

		List<Findings> findings = new java.util.ArrayList<>();
		long began = System.nanoTime();
		for (int i = 0; i < 20; i++) {
			findings.add(analysis.analyse(Sample.ofBytes("s" + i, new byte[] { 1, 2, 3 })));
		}
		Duration took = Duration.ofNanos(System.nanoTime() - began);

		assertThat(Files.readAllLines(starts)).as("hosts started").hasSize(NativeHosts.FAILED_STARTS);
		assertThat(findings.subList(0, 3)).allSatisfy(f -> assertThat(f.errors()).singleElement()
			.satisfies(e -> assertThat(e.message()).isEqualTo("its native analysis process died while starting (exit 3)")));
		assertThat(findings.subList(3, 20)).allSatisfy(f -> assertThat(f.errors()).singleElement()
			.satisfies(e -> assertThat(e.message()).isEqualTo("its native analysis process failed to start 3 times in a "
					+ "row (the last: its native analysis process died while starting (exit 3)); none is started again "
					+ "for " + NativeHosts.COOL_DOWN.toSeconds() + " s")));
		assertThat(took).as("twenty samples, three starts").isLessThan(Duration.ofSeconds(20));
	}

	private NativeHosts hosts(List<Analyzer> analyzers, Duration timeout) {
		return new NativeHosts(analyzers, timeout, 1 << 20, NativeHosts.commandFor(dir, LIMIT), dir);
	}
}
