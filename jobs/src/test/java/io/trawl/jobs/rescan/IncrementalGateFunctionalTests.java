package io.trawl.jobs.rescan;

import static io.trawl.jobs.rescan.ComparableResults.document;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.batch.test.context.SpringBatchTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * The rule gate of a delta scan on the embedded default: a corpus of PE files, ELF files, short files (0, 1 and 2
 * bytes), text and two zip archives (of text, and with a PE member), unchanged between nights, rescanned with rules
 * that change night after night. When every rule of the delta needs the first bytes to be {@code MZ}, the incremental
 * rescan does not open the other files at all, and opens an archive only when a layer of it (the PE member) may
 * match; when they need {@code MZ} or an ELF header, it opens those and no other; when they need a size
 * ({@code filesize < 100}), only files of that size; when a rule of the delta can match anything, it opens every
 * file. Each incremental rescan stores exactly what a {@code --full} one stores, but for job ids, times and
 * provenance, and the contents it skipped have the provenance of a scanned one.
 */
@SpringBatchTest
@SpringBootTest(classes = { TrawlApplication.class, IncrementalRescanFunctionalTests.CountedOpens.class },
		properties = { "spring.datasource.url=jdbc:h2:mem:incremental-gate;DB_CLOSE_DELAY=-1",
				"trawl.data-dir=target/test-data", "trawl.analysis.grid-size=2", "trawl.analysis.chunk-size=3" })
class IncrementalGateFunctionalTests {

	private static final String R1 = """
			private rule IsPe { condition: uint16(0) == 0x5A4D }
			rule PeHello { strings: $h = "hello" condition: uint16(0) == 0x5A4D and $h }
			rule PeViaPrivate { strings: $w = "world" condition: IsPe and $w }
			rule ElfAny { condition: 0x464C457F == uint32(0) }
			rule Text { strings: $t = "text" condition: $t }
			rule Short { condition: filesize < 3 }
			""";

	/** Gated rules only, all on MZ: a private one changed (so its user), one changed, one added. */
	private static final String R2 = """
			private rule IsPe { condition: uint16(0) == 0x5A4D and filesize > 1 }
			rule PeHello { strings: $h = "hello w" condition: uint16(0) == 0x5A4D and $h }
			rule PeViaPrivate { strings: $w = "world" condition: IsPe and $w }
			rule ElfAny { condition: 0x464C457F == uint32(0) }
			rule Text { strings: $t = "text" condition: $t }
			rule Short { condition: filesize < 3 }
			rule PeNote { meta: score = 60 strings: $n = "note" condition: (uint16(0) == 23117) and $n }
			""";

	/** Gated on MZ or an ELF header. */
	private static final String R3 = R2.replace("\"note\"", "\"a note\"") + """
			rule ElfGlibc { strings: $g = "GLIBC" condition: uint32be(0) == 0x7F454C46 and $g }
			""";

	/** An ungated rule added and one changed: the delta can match anything. */
	private static final String R4 = R3.replace("$t = \"text\" condition: $t", "$t = \"text\" nocase condition: $t")
			+ """
					rule World { strings: $w = "world" condition: $w }
					""";

	/** Gated on sizes: a small MZ file with a string, or a file of at most one byte. */
	private static final String R5 = R4 + """
			rule SmallPe { strings: $h = "hello" condition: uint16(0) == 0x5A4D and filesize < 100 and $h }
			rule Tiny { condition: 1 >= filesize }
			""";

	private static final Pattern COUNTS = Pattern.compile("in job execution (\\d+): (\\d+) contents scanned "
			+ "\\((\\d+) bytes\\), (\\d+) skipped by the rule gate, (\\d+) layers of archives spared by it");

	@TempDir
	Path workspace;

	@Autowired
	JobOperatorTestUtils jobs;
	@Autowired
	EventStore events;

	/** What {@link DeltaRulesets} logs (at INFO, which the console leaves out). */
	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeEach
	void listen() {
		log.start();
		((Logger) org.slf4j.LoggerFactory.getLogger(DeltaRulesets.class)).addAppender(log);
	}

	@AfterEach
	void stopListening() {
		((Logger) org.slf4j.LoggerFactory.getLogger(DeltaRulesets.class)).detachAppender(log);
	}

	@Test
	void givenDeltasGatedOnTheFirstBytesAndSizes_whenRescannedIncrementally_thenOnlyWhatTheyCanMatchIsReadAndAFullRescanIsEqual()
			throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Map<String, byte[]> files = new LinkedHashMap<>();
		files.put("pe/hello.exe", RescanNights.withText(TestCorpus.pe32(), "hello world, a note\n"));
		files.put("pe/plain.exe", TestCorpus.pe64());
		files.put("pe/mz-text.txt", "MZ hello world text\n".getBytes(StandardCharsets.US_ASCII));
		files.put("elf/glibc.so", RescanNights.withText(TestCorpus.elf64(), "GLIBC_2.3 hello world\n"));
		files.put("elf/plain", TestCorpus.elf32());
		files.put("short/empty", new byte[0]);
		files.put("short/m", new byte[] { 'M' });
		files.put("short/mz", new byte[] { 'M', 'Z' });
		files.put("short/elf1", new byte[] { 0x7f });
		files.put("text/hello.txt", "hello world, a text note\n".getBytes(StandardCharsets.US_ASCII));
		files.put("text/script.sh", TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8));
		files.put("other/random.bin", TestCorpus.randomBytes(5000, 7));
		// archives: one whose every layer the MZ gates exclude, one with a PE member they let through
		files.put("archive/texts.zip", TestCorpus.zip(Map.of("a.txt", "hello world, a text note\n".repeat(8)
			.getBytes(StandardCharsets.US_ASCII), "b.txt", "another world\n".getBytes(StandardCharsets.US_ASCII))));
		byte[] peMember = RescanNights.withText(TestCorpus.pe32(), "hello world, a note inside\n");
		files.put("archive/with-pe.zip", TestCorpus.zip(Map.of("inner/hello.exe", peMember)));
		for (Map.Entry<String, byte[]> file : files.entrySet()) {
			Files.createDirectories(corpus.resolve(file.getKey()).getParent());
			Files.write(corpus.resolve(file.getKey()), file.getValue());
		}
		Set<String> mz = Set.of("pe/hello.exe", "pe/plain.exe", "pe/mz-text.txt", "short/mz", "archive/with-pe.zip");
		Set<String> elf = Set.of("elf/glibc.so", "elf/plain");
		run(corpus, RescanNights.rules(workspace, "r1", R1), false);

		Night mzOnly = night(corpus, RescanNights.rules(workspace, "r2", R2));
		Night mzOrElf = night(corpus, RescanNights.rules(workspace, "r3", R3));
		Night any = night(corpus, RescanNights.rules(workspace, "r4", R4));
		Night sized = night(corpus, RescanNights.rules(workspace, "r5", R5));

		assertThat(mzOnly.opened()).as("only what starts with MZ is read, or holds what does").isEqualTo(mz);
		assertThat(mzOrElf.opened()).as("what starts with MZ or an ELF header").isEqualTo(union(mz, elf));
		assertThat(any.opened()).as("a rule that can match anything").isEqualTo(files.keySet());
		// with-pe.zip's own layer starts with PK: the gate spares it, and its PE member alone goes to YARA
		assertThat(counts(mzOnly)).containsExactly((long) mz.size(), files.size() - (long) mz.size(), 1L);
		assertThat(counts(mzOrElf)).containsExactly(7L, 7L, 1L);
		assertThat(counts(any)).containsExactly((long) files.size(), 0L, 0L);
		Set<String> small = Set.of("pe/mz-text.txt", "short/mz", "short/empty", "short/m", "short/elf1");
		assertThat(sized.opened()).as("MZ files under 100 bytes, and files of 0 or 1 byte").isEqualTo(small);
		assertThat(counts(sized)).containsExactly((long) small.size(), files.size() - (long) small.size(), 0L);
		assertThat(yara(document(events, sized.job(), "pe/mz-text.txt"))).contains("SmallPe");
		assertThat(yara(document(events, sized.job(), "short/empty"))).contains("Tiny");
		assertThat(yara(document(events, sized.job(), "pe/hello.exe"))).doesNotContain("SmallPe", "Tiny");
		assertThat(yara(analysed(mzOnly.job(), peMember))).as("the PE member, scanned in its archive's tree")
			.contains("PeHello", "PeNote");

		long skippedJob = mzOnly.job();
		Map<String, Object> skipped = document(events, skippedJob, "elf/glibc.so");
		assertThat(((Number) ((Map<?, ?>) skipped.get("provenance")).get("yara")).longValue()).as("as if scanned")
			.isEqualTo(skippedJob);
		assertThat(yara(skipped)).contains("ElfAny").doesNotContain("PeHello", "PeNote", "ElfGlibc");
		assertThat(yara(document(events, skippedJob, "pe/hello.exe"))).contains("PeHello", "PeViaPrivate", "PeNote");
		assertThat(yara(document(events, mzOrElf.job(), "elf/glibc.so"))).contains("ElfAny", "ElfGlibc");
		assertThat(yara(document(events, any.job(), "text/hello.txt"))).containsExactly("Text", "World");
	}

	/** An incremental night: its execution and the locations it opened. */
	private record Night(Ran ran, Set<String> opened) {

		long job() {
			return ran.job();
		}
	}

	/** A completed job: its instance and execution ids (not a JobExecution: Spring Batch's test listener calls such methods). */
	private record Ran(long job, long execution) {
	}

	/**
	 * An incremental rescan of the unchanged corpus with {@code rules}, its opens counted, then a full one: their
	 * results must be equal.
	 */
	private Night night(Path corpus, Path rules) throws Exception {
		IncrementalRescanFunctionalTests.CountedOpens.opened.clear();
		Ran incremental = run(corpus, rules, false);
		Set<String> opened = Set.copyOf(IncrementalRescanFunctionalTests.CountedOpens.opened.keySet());
		Ran full = run(corpus, rules, true);
		assertThat(results(incremental.job())).isEqualTo(results(full.job())).isNotEmpty();
		return new Night(incremental, opened);
	}

	/** A job's result of a content, found by its bytes (an archive member has no location of its own). */
	private Map<String, Object> analysed(long job, byte[] content) throws Exception {
		String sha256 = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(content));
		List<ResultEvent> found = events.find(job, sha256,
				EventKind.ANALYSED);
		assertThat(found).as("the result of %s in job %d", sha256, job).hasSize(1);
		@SuppressWarnings("unchecked")
		Map<String, Object> document = JsonMapper.builder().build().readValue(found.get(0).payload(),
				LinkedHashMap.class);
		return document;
	}

	private static List<String> yara(Map<String, Object> document) {
		return ((List<?>) document.get("yara")).stream().map(String::valueOf).toList();
	}

	/** The contents the delta of an execution scanned and skipped, and the archive layers it spared: its log line. */
	private List<Long> counts(Night night) {
		for (ILoggingEvent event : log.list) {
			Matcher matcher = COUNTS.matcher(event.getFormattedMessage());
			if (matcher.find() && Long.parseLong(matcher.group(1)) == night.ran().execution()) {
				return List.of(Long.parseLong(matcher.group(2)), Long.parseLong(matcher.group(4)),
						Long.parseLong(matcher.group(5)));
			}
		}
		throw new AssertionError("no delta counts logged for job execution " + night.ran().execution());
	}

	private static Set<String> union(Set<String> a, Set<String> b) {
		Set<String> union = new java.util.HashSet<>(a);
		union.addAll(b);
		return union;
	}

	private Ran run(Path corpus, Path rules, boolean full) throws Exception {
		JobExecution execution = RescanNights.night(jobs, corpus, rules, full);
		return new Ran(execution.getJobInstance().getInstanceId(), execution.getId());
	}

	/** Every stored result of a job, comparable with another job's ({@link ComparableResults#of}). */
	private Map<String, Object> results(long job) {
		return ComparableResults.of(events, job);
	}
}
