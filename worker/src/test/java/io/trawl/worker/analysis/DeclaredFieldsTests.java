package io.trawl.worker.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
 * Every analyzer declares the top-level fields it writes and the other analyzers' fields it reads
 * ({@link Analyzer#fields()}, {@link Analyzer#reads()}): an incremental rescan splits a stored result per analyzer
 * by them. Each analyzer of the shipped pipeline runs here, wrapped so that what it writes and reads is recorded, over
 * a varied corpus (PE, ELF, archives of several kinds, nested, a bomb, text, scripts, empty and short files).
 */
class DeclaredFieldsTests {

	/** The fields the pipeline itself writes, which no analyzer may declare. */
	private static final Set<String> PIPELINE = Set.of("size", "errors", "verdict", "score", "signals", "analyzers",
			"provenance", "depth", "children", "skipped");

	private static YaraRules rules;

	@BeforeAll
	static void compile() {
		rules = YaraRules.compile(Path.of("../config/rules").toAbsolutePath().normalize(), 30);
	}

	@AfterAll
	static void free() {
		rules.close();
	}

	@Test
	void givenEveryAnalyzer_whenItRunsOverAVariedCorpus_thenItWritesOnlyTheFieldsItDeclares() {
		Map<String, Set<String>> written = new ConcurrentHashMap<>();
		SampleAnalysis pipeline = new SampleAnalysis(shipped().stream()
			.<Analyzer>map(analyzer -> new Recorded(analyzer, written))
			.toList(), VerdictPolicy.defaults());

		for (Map.Entry<String, byte[]> sample : corpus().entrySet()) {
			Findings findings = pipeline.analyse(Sample.ofBytes(sample.getKey(), sample.getValue()));
			assertThat(findings.errors()).as(sample.getKey()).isEmpty();
		}

		Map<String, Set<String>> undeclared = new TreeMap<>();
		for (Analyzer analyzer : shipped()) {
			Set<String> extra = new TreeSet<>(written.getOrDefault(analyzer.name(), Set.of()));
			extra.removeAll(analyzer.fields());
			extra.removeAll(PIPELINE);
			undeclared.put(analyzer.name(), extra);
			assertThat(analyzer.fields()).as("%s declares pipeline fields", analyzer.name())
				.isNotEmpty()
				.doesNotContainAnyElementsOf(PIPELINE);
			assertThat(written.getOrDefault(analyzer.name(), Set.of())).as("%s writes each field it declares on some "
					+ "sample of the corpus", analyzer.name()).containsAll(analyzer.fields());
		}
		assertThat(undeclared).as("fields written but not declared").allSatisfy((name, fields) -> assertThat(fields)
			.as(name).isEmpty());
		assertThat(shipped().stream().flatMap(analyzer -> analyzer.fields().stream()).toList())
			.as("no field has two analyzers").doesNotHaveDuplicates();
		assertThat(written.get("archive")).as("the archive analyzer raised signals on the bomb").contains("signals");
	}

	/**
	 * What an incremental rescan does when one analyzer changed: it runs that analyzer alone, given the stored values
	 * of the fields it declares it reads. Over every content that is not an archive (an archive is analysed in full),
	 * each analyzer but the hashes (which name the content, and never run alone) gives alone what it gives in the
	 * whole pipeline.
	 */
	@Test
	void givenEveryAnalyzer_whenItRunsAloneWithTheFieldsItDeclaresItReads_thenItFindsWhatTheWholePipelineFinds() {
		SampleAnalysis pipeline = new SampleAnalysis(shipped(), VerdictPolicy.defaults());
		int compared = 0;
		for (Map.Entry<String, byte[]> sample : corpus().entrySet()) {
			Findings whole = pipeline.analyse(Sample.ofBytes(sample.getKey(), sample.getValue()));
			if (!whole.children().isEmpty() || whole.get("archive") != null) {
				continue;
			}
			for (Analyzer analyzer : shipped().subList(1, shipped().size())) {
				Map<String, Object> given = new HashMap<>();
				analyzer.reads().forEach(field -> given.put(field, whole.get(field)));
				Findings alone = new SampleAnalysis(List.of(analyzer), VerdictPolicy.defaults())
					.analyse(Sample.ofBytes(sample.getKey(), sample.getValue()), given);
				for (String field : analyzer.fields()) {
					assertThat(alone.get(field)).as("%s of %s", field, sample.getKey()).isEqualTo(whole.get(field));
				}
				compared++;
			}
		}
		assertThat(compared).isGreaterThan(100);
	}

	private static List<Analyzer> shipped() {
		return List.of(new HashAnalyzer(), new MimeTypeAnalyzer(), new FileTypeAnalyzer(), new EntropyAnalyzer(),
				new SsdeepAnalyzer(), new TlshAnalyzer(), new PeAnalyzer(), new ElfAnalyzer(), new StringsAnalyzer(),
				new ArchiveAnalyzer(), new YaraAnalyzer(rules));
	}

	private static Map<String, byte[]> corpus() {
		Map<String, byte[]> corpus = new LinkedHashMap<>();
		corpus.put("pe32.exe", TestCorpus.pe32());
		corpus.put("pe64.dll", TestCorpus.pe64());
		corpus.put("truncated.exe", TestCorpus.truncatedPe());
		corpus.put("elf32", TestCorpus.elf32());
		corpus.put("elf64.so", TestCorpus.elf64());
		corpus.put("truncated.elf", TestCorpus.truncatedElf());
		corpus.put("normal.zip", TestCorpus.normalZip());
		corpus.put("nested.zip", TestCorpus.nestedZip(3));
		corpus.put("traversal.zip", TestCorpus.traversalZip());
		corpus.put("corrupt.zip", TestCorpus.corruptZip());
		corpus.put("bomb.zip", TestCorpus.zipBomb());
		corpus.put("crypto.zip", TestCorpus.zipCrypto(Map.of("eicar.com", TestCorpus.eicar()), "infected"));
		corpus.put("members.tar", TestCorpus.tar(Map.of("a.sh", TestCorpus.shellScript().getBytes(
				StandardCharsets.UTF_8), "b.exe", TestCorpus.pe32())));
		corpus.put("elf.gz", TestCorpus.gzip(TestCorpus.elf64()));
		corpus.put("eicar.com", TestCorpus.eicar());
		corpus.put("script.sh", TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8));
		corpus.put("script.ps1", TestCorpus.powershellScript().getBytes(StandardCharsets.UTF_8));
		corpus.put("wide.bin", TestCorpus.utf16Strings());
		corpus.put("text.txt", "hello world http://example.com/a 10.0.0.1\n".getBytes(StandardCharsets.US_ASCII));
		corpus.put("random.bin", TestCorpus.randomBytes(70_000, 3));
		corpus.put("empty", new byte[0]);
		corpus.put("one", new byte[] { 'M' });
		corpus.put("two", new byte[] { 'M', 'Z' });
		return corpus;
	}

	/**
	 * An analyzer that records, by name, the fields whose values it changed. The pipeline runs
	 * small samples' analyzers one after another, so the findings before and after it are its own doing.
	 */
	private static final class Recorded implements Analyzer {

		private final Analyzer inside;
		private final Map<String, Set<String>> written;

		Recorded(Analyzer inside, Map<String, Set<String>> written) {
			this.inside = inside;
			this.written = written;
		}

		@Override
		public String name() {
			return inside.name();
		}

		@Override
		public String version() {
			return inside.version();
		}

		@Override
		public void analyse(Sample sample, Findings findings) throws Exception {
			Map<String, Object> before = new HashMap<>(findings.fields());
			inside.analyse(sample, findings);
			Set<String> changed = written.computeIfAbsent(inside.name(), n -> ConcurrentHashMap.newKeySet());
			findings.fields().forEach((field, value) -> {
				if (!before.containsKey(field) || !Objects.equals(before.get(field), value)) {
					changed.add(field);
				}
			});
		}
	}
}
