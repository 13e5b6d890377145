package io.trawl.worker.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.archive.ArchiveAnalyzer;
import io.trawl.worker.analysis.archive.ArchiveLimits;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.content.MimeTypeAnalyzer;
import io.trawl.worker.analysis.elf.ElfAnalyzer;
import io.trawl.worker.analysis.filetype.FileTypeAnalyzer;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.analysis.pe.PeAnalyzer;
import io.trawl.worker.analysis.strings.StringsAnalyzer;
import io.trawl.worker.analysis.tlsh.TlshAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/** A large sample's analyzers run side by side, and leave the result one after another would have. */
class SideBySideAnalysisTests {

	private static final long LARGE = SampleAnalysis.WIDE_FROM + 1;

	@TempDir
	Path folder;

	@Test
	void givenLargeSamplesWhenAnalysedSideBySideThenEveryFieldErrorAndMemberIsAsOneAfterAnother() throws Exception {
		Path rulesFile = Files.writeString(folder.resolve("rules.yar"), """
				rule Eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS" condition: $a }
				rule Zipped { condition: filetype contains "zip" }
				rule Executable { condition: filetype contains "msdownload" or filetype contains "elf" }
				""");
		byte[] pe = concat(TestCorpus.pe32(), TestCorpus.randomBytes((int) LARGE, 1),
				"http://evil.example.com/x C:\\Windows\\evil.dll".getBytes(), TestCorpus.eicar());
		Map<String, byte[]> members = new LinkedHashMap<>();
		members.put("big.bin", TestCorpus.randomBytes((int) LARGE, 2));
		members.put("bin/elf64", TestCorpus.elf64());
		members.put("eicar.com", TestCorpus.eicar());
		byte[] zip = TestCorpus.zip(members);
		Path peFile = Files.write(folder.resolve("large.exe"), pe);
		try (YaraRules rules = YaraRules.compile(rulesFile, 10)) {
			SampleAnalysis pipeline = new SampleAnalysis(List.of(new HashAnalyzer(), new MimeTypeAnalyzer(),
					new FileTypeAnalyzer(), new EntropyAnalyzer(), new SsdeepAnalyzer(), new TlshAnalyzer(),
					new PeAnalyzer(), new ElfAnalyzer(), new StringsAnalyzer(),
					new ArchiveAnalyzer(ArchiveLimits.defaults()), new YaraAnalyzer(rules)), VerdictPolicy.defaults());

			for (boolean streamed : List.of(false, true)) {
				Findings oneAfterAnother;
				Findings sideBySide;
				try (Sample sample = Sample.ofFile("large.exe", peFile, streamed ? 1024 : Long.MAX_VALUE)) {
					oneAfterAnother = pipeline.sideBySideFrom(Long.MAX_VALUE).analyse(sample);
					sideBySide = pipeline.sideBySideFrom(LARGE).analyse(sample);
				}
				assertSame(sideBySide, oneAfterAnother);
				assertThat(sideBySide.get("yara")).asList().contains("Eicar", "Executable");
			}
			Findings zipOneAfterAnother = pipeline.sideBySideFrom(Long.MAX_VALUE).analyse(Sample.ofBytes("a.zip", zip));
			Findings zipSideBySide = pipeline.sideBySideFrom(LARGE).analyse(Sample.ofBytes("a.zip", zip));
			assertSame(zipSideBySide, zipOneAfterAnother);
			assertThat(zipSideBySide.get("yara")).asList().contains("Zipped");
			assertThat(zipSideBySide.children()).hasSize(3);
		}
	}

	@Test
	void givenALargeSampleWhenAnAnalyzerReadsAnotherOnesFieldThenItWaitsForItAndTheWaitIsNotItsTime() {
		Set<String> threads = ConcurrentHashMap.newKeySet();
		Analyzer slow = analyzer("slow", findings -> {
			threads.add(Thread.currentThread().getName());
			Thread.sleep(1500);
			findings.put("slow", "done");
			findings.raise(List.of(new Signal("slow-signal", 10)));
		});
		Analyzer failing = analyzer("failing", findings -> {
			threads.add(Thread.currentThread().getName());
			findings.put("partial", 1);
			throw new IllegalStateException("bad input");
		});
		Analyzer reader = analyzer("reader", findings -> {
			threads.add(Thread.currentThread().getName());
			findings.raise(List.of(new Signal("reader-signal", 5)));
			findings.put("read", findings.get("slow"));
			Deadline.check(); // 1.5 s waited, 1 s allowed: the wait is not counted
			findings.put("errorsSeen", findings.errors().size());
		});
		Analyzer endless = analyzer("endless", findings -> {
			while (true) {
				Deadline.check();
			}
		});
		SampleAnalysis analysis = new SampleAnalysis(List.of(new HashAnalyzer(), slow, failing, endless, reader),
				VerdictPolicy.defaults(), Duration.ofSeconds(1));
		byte[] content = TestCorpus.randomBytes((int) LARGE, 3);

		Findings sideBySide = analysis.analyse(Sample.ofBytes("large.bin", content));
		Set<String> sideBySideThreads = Set.copyOf(threads);
		Findings oneAfterAnother = analysis.sideBySideFrom(Long.MAX_VALUE).analyse(Sample.ofBytes("large.bin", content));

		assertThat(sideBySideThreads).isNotEmpty().allMatch(name -> name.startsWith("analyse-wide-"));
		assertThat(sideBySide.get("read")).isEqualTo("done");
		assertThat(sideBySide.get("errorsSeen")).isEqualTo(2);
		assertThat(sideBySide.errors()).containsExactly(new Findings.AnalysisError("failing", "bad input"),
				new Findings.AnalysisError("endless", "timed out after 1000 ms"));
		assertThat(sideBySide.signals()).extracting(Signal::name).containsExactly("slow-signal", "reader-signal");
		assertSame(sideBySide, oneAfterAnother);
	}

	private static void assertSame(Findings actual, Findings expected) {
		assertThat(new ArrayList<>(actual.fields().entrySet()))
			.isEqualTo(new ArrayList<>(expected.fields().entrySet()));
		assertThat(actual.errors()).isEqualTo(expected.errors());
		assertThat(new ArrayList<>(actual.analyzers().entrySet()))
			.isEqualTo(new ArrayList<>(expected.analyzers().entrySet()));
		assertThat(actual.children()).hasSameSizeAs(expected.children());
		for (int i = 0; i < actual.children().size(); i++) {
			assertThat(actual.children().get(i).path()).isEqualTo(expected.children().get(i).path());
			assertSame(actual.children().get(i).findings(), expected.children().get(i).findings());
		}
	}

	private static byte[] concat(byte[]... parts) {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	private static Analyzer analyzer(String name, Body body) {
		return new AbstractAnalyzer(name, "1") {
			@Override
			public void analyse(Sample sample, Findings findings) throws Exception {
				body.run(findings);
			}
		};
	}

	@FunctionalInterface
	private interface Body {
		void run(Findings findings) throws Exception;
	}
}
