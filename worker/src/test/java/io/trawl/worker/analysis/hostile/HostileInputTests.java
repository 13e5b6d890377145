package io.trawl.worker.analysis.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.archive.ArchiveAnalyzer;
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

/**
 * Every analyzer over every corpus file, in memory and streamed from disk, plus archives nested 20 deep and a sparse
 * file: the pipeline must return findings (errors at most in fields, none from the new analyzers) in bounded time.
 */
class HostileInputTests {

	@TempDir
	static Path dir;

	private static YaraRules rules;
	private static SampleAnalysis pipeline;

	@BeforeAll
	static void buildPipeline() throws Exception {
		Path rule = Files.writeString(dir.resolve("eicar.yar"), """
				rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }
				""");
		rules = YaraRules.compile(rule, 10);
		List<Analyzer> analyzers = List.of(new HashAnalyzer(), new MimeTypeAnalyzer(), new EntropyAnalyzer(),
				new FileTypeAnalyzer(), new SsdeepAnalyzer(), new TlshAnalyzer(), new PeAnalyzer(), new ElfAnalyzer(),
				new StringsAnalyzer(), new ArchiveAnalyzer(), new YaraAnalyzer(rules));
		pipeline = new SampleAnalysis(analyzers, VerdictPolicy.defaults());
	}

	@AfterAll
	static void closeRules() {
		rules.close();
	}

	@Test
	@Timeout(value = 180, unit = TimeUnit.SECONDS)
	void givenEveryCorpusFile_whenAnalysedInMemoryAndFromDisk_thenFindingsComeBackWithoutErrors() throws Exception {
		List<Path> files = new ArrayList<>(TestCorpus.writeTo(dir.resolve("corpus")));
		files.add(Files.write(dir.resolve("corpus/nested-20.zip"), TestCorpus.nestedZip(20)));
		for (Path file : files) {
			for (long inMemoryLimit : new long[] { Long.MAX_VALUE, 0 }) {
				try (Sample sample = Sample.ofFile(file.getFileName().toString(), file, inMemoryLimit)) {
					Findings findings = pipeline.analyse(sample);
					assertThat(findings.errors()).as("%s (in memory up to %d)", file, inMemoryLimit).isEmpty();
					assertThat(findings.get("verdict")).as(file.toString()).isNotNull();
					assertThat(findings.get("sha256")).as(file.toString()).isNotNull();
					assertThat(findings.get("tlsh")).as(file.toString()).isNotNull();
					assertThat(findings.get("fileType")).as(file.toString()).isNotNull();
				}
			}
		}
	}

	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void givenArchivesNested20Deep_thenTheTreeStopsAtDepth5() {
		Findings findings = pipeline.analyse(Sample.ofBytes("nested-20.zip", TestCorpus.nestedZip(20)));

		int depth = 0;
		for (Findings level = findings; !level.children().isEmpty(); level = level.children().get(0).findings()) {
			depth++;
		}
		assertThat(depth).isEqualTo(5);
		assertThat(findings.errors()).isEmpty();
	}

	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void givenTheEicarInsideAZip_thenTheChildMatchesYara() {
		Findings findings = pipeline.analyse(Sample.ofBytes("normal.zip", TestCorpus.normalZip()));

		Findings eicar = findings.children().stream().filter(c -> c.path().equals("eicar.com")).findFirst()
				.orElseThrow().findings();
		assertThat(eicar.get("yaraMatches").toString()).contains("eicar");
	}

	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void givenASparseFileOf256MiB_thenItIsStreamedFromDiskWithoutErrors() throws Exception {
		Path sparse = dir.resolve("sparse.bin");
		try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
			file.setLength(256L << 20);
			file.seek(100L << 20);
			file.write(TestCorpus.shellScript().getBytes());
		}
		try (Sample sample = Sample.ofFile("sparse.bin", sparse, 64L << 20)) {
			Findings findings = pipeline.analyse(sample);
			assertThat(findings.errors()).isEmpty();
			assertThat((String) findings.get("tlsh")).startsWith("T1").hasSize(72);
			Map<?, ?> strings = (Map<?, ?>) findings.get("strings");
			assertThat(strings.get("count")).isNotEqualTo(0L);
		}
	}
}
