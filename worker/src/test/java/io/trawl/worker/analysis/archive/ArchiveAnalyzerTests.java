package io.trawl.worker.analysis.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZOutputFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.Signal;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

class ArchiveAnalyzerTests {

	@TempDir
	Path dir;

	private static SampleAnalysis pipeline(ArchiveLimits limits) {
		return new SampleAnalysis(List.of(new HashAnalyzer(), new ArchiveAnalyzer(limits)), VerdictPolicy.defaults());
	}

	private final SampleAnalysis pipeline = pipeline(ArchiveLimits.defaults());

	@Test
	void givenANormalZip_thenEveryMemberIsAnalysedAsAChildAndLinkedBySha256() {
		Findings findings = pipeline.analyse(Sample.ofBytes("normal.zip", TestCorpus.normalZip()));

		Map<String, Object> archive = map(findings.get("archive"));
		assertThat(archive).containsEntry("format", "zip").containsEntry("limitsHit", List.of())
				.containsEntry("corrupt", false);
		List<Map<String, Object>> members = list(archive.get("members"));
		assertThat(members).extracting(m -> m.get("path")).containsExactly("bin/pe32.exe", "bin/elf64",
				"scripts/dropper.sh", "eicar.com");
		assertThat(members.get(0)).containsEntry("sha256", HashAnalyzer.sha256Hex(TestCorpus.pe32()))
				.containsEntry("size", (long) TestCorpus.pe32().length);
		assertThat(findings.children()).hasSize(4);
		assertThat(findings.children().get(3).findings().get("sha256"))
				.isEqualTo(HashAnalyzer.sha256Hex(TestCorpus.eicar()));
		assertThat(findings.get("signals")).isNull();
	}

	@Test
	void givenArchivesNested20Deep_thenExpansionStopsAtTheDepthLimitAndTheTopLevelIsTold() {
		Findings findings = pipeline.analyse(Sample.ofBytes("deep.zip", TestCorpus.nestedZip(20)));

		int depth = 0;
		Findings level = findings;
		while (!level.children().isEmpty()) {
			level = level.children().get(0).findings();
			depth++;
		}
		assertThat(depth).isEqualTo(5);
		assertThat(list(map(level.get("archive")).get("limitsHit"))).containsExactly("maxDepth");
		assertThat(list(map(findings.get("archive")).get("limitsHit"))).contains("maxDepth");
		assertThat(signalNames(findings)).contains("archive-nesting");
		assertThat(findings.errors()).isEmpty();
	}

	@Test
	void givenAZipBomb_thenInflationStopsAtTheRatioLimitAndASignalIsRaised() {
		Findings findings = pipeline.analyse(Sample.ofBytes("bomb.zip", TestCorpus.zipBomb()));

		Map<String, Object> archive = map(findings.get("archive"));
		assertThat(list(archive.get("limitsHit"))).containsExactly("maxRatio");
		assertThat(list(archive.get("members"))).isEmpty();
		assertThat(signalNames(findings)).containsExactly("archive-bomb");
		assertThat(findings.get("verdict")).isEqualTo("suspicious");
		assertThat(findings.errors()).isEmpty();
	}

	@Test
	void givenTheExpansionAndMemberLimits_thenEachIsRecordedWhenHit() {
		byte[] bomb = TestCorpus.zipBomb(40L << 20);
		Findings total = pipeline(new ArchiveLimits(5, 1000, 16L << 20, 1_000_000, 64L << 20))
				.analyse(Sample.ofBytes("bomb.zip", bomb));
		assertThat(list(map(total.get("archive")).get("limitsHit"))).containsExactly("maxExpandedBytes");

		Findings member = pipeline(new ArchiveLimits(5, 1000, 256L << 20, 1_000_000, 8L << 20))
				.analyse(Sample.ofBytes("bomb.zip", bomb));
		Map<String, Object> archive = map(member.get("archive"));
		assertThat(list(archive.get("limitsHit"))).containsExactly("maxMemberBytes");
		assertThat(list(archive.get("members"))).containsExactly(Map.of("path", "zeros.bin", "skipped",
				"maxMemberBytes"));
	}

	@Test
	void givenMoreMembersThanAllowed_thenTheRestAreNotExtracted() {
		Map<String, byte[]> many = new LinkedHashMap<>();
		for (int i = 0; i < 20; i++) {
			many.put("file" + i + ".txt", ("content " + i).getBytes(StandardCharsets.US_ASCII));
		}
		Findings findings = pipeline(new ArchiveLimits(5, 5, 256L << 20, 100, 64L << 20))
				.analyse(Sample.ofBytes("many.zip", TestCorpus.zip(many)));

		Map<String, Object> archive = map(findings.get("archive"));
		assertThat(list(archive.get("members"))).hasSize(5);
		assertThat(list(archive.get("limitsHit"))).containsExactly("maxChildren");
		assertThat(signalNames(findings)).containsExactly("archive-many-members");
	}

	@Test
	void givenTraversalNames_thenTheyAreOnlyLabelsAndNothingIsWritten() {
		Findings findings = pipeline.analyse(Sample.ofBytes("traversal.zip", TestCorpus.traversalZip()));

		Map<String, Object> archive = map(findings.get("archive"));
		assertThat(ArchiveAnalyzerTests.<Map<String, Object>>list(archive.get("members"))).extracting(m -> m.get("path")).containsExactly(
				"../../../../tmp/trawl-traversal-test", "/etc/trawl-absolute-test",
				"C:/Windows/trawl-drive-test.txt"); // commons-compress reports DOS separators as /
		assertThat(list(archive.get("anomalies"))).hasSize(3);
		assertThat(signalNames(findings)).containsExactly("archive-path-traversal");
		assertThat(Path.of("/tmp/trawl-traversal-test")).doesNotExist();
		assertThat(Path.of("/etc/trawl-absolute-test")).doesNotExist();
	}

	@Test
	void aMemberNameLeavesTheArchiveByARootADriveOrAParentStep() {
		assertThat(List.of("/etc/passwd", "\\evil", "C:/x", "c:x", "z:\nx", "..", "../x", "a/../b", "a\\..\\b", "a/.."))
			.allMatch(ArchiveAnalyzer::isUnsafe);
		assertThat(List.of("a/b", "..x/y", "a..b", "x/..y", "C", "1:/x", ":x", "dir/")).noneMatch(ArchiveAnalyzer::isUnsafe);
	}

	@Test
	void givenACorruptZip_thenItIsMarkedCorruptWithoutAnError() {
		Findings findings = pipeline.analyse(Sample.ofBytes("corrupt.zip", TestCorpus.corruptZip()));

		Map<String, Object> archive = map(findings.get("archive"));
		assertThat(archive).containsEntry("corrupt", true);
		assertThat(list(archive.get("anomalies"))).isNotEmpty();
		assertThat(findings.errors()).isEmpty();
	}

	@Test
	void givenAZipEncryptedWithInfected_thenTheMemberIsDecryptedAndAnalysed() {
		byte[] script = TestCorpus.powershellScript().getBytes(StandardCharsets.UTF_8);
		Findings findings = pipeline.analyse(Sample.ofBytes("infected.zip",
				TestCorpus.zipCrypto(Map.of("sample.ps1", script), "infected")));

		Map<String, Object> archive = map(findings.get("archive"));
		assertThat(archive).containsEntry("encrypted", true).containsEntry("limitsHit", List.of());
		assertThat(list(archive.get("members"))).containsExactly(Map.of("path", "sample.ps1", "size",
				(long) script.length, "sha256", HashAnalyzer.sha256Hex(script), "encrypted", true, "password",
				"infected"));
	}

	@Test
	void givenAZipFromTheZipCommandWithPasswordInfected_thenItIsDecrypted() throws Exception {
		Path content = Files.write(dir.resolve("payload.txt"), TestCorpus.shellScript().repeat(50)
				.getBytes(StandardCharsets.UTF_8));
		Path zip = dir.resolve("cli.zip");
		Process process;
		try {
			process = new ProcessBuilder("zip", "-j", "-P", "infected", zip.toString(), content.toString())
					.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
		}
		catch (IOException e) {
			org.junit.jupiter.api.Assertions.fail("the zip command is not installed");
			return;
		}
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		Findings findings = pipeline.analyse(Sample.ofBytes("cli.zip", Files.readAllBytes(zip)));

		List<Map<String, Object>> members = list(map(findings.get("archive")).get("members"));
		assertThat(members).hasSize(1);
		assertThat(members.get(0)).containsEntry("sha256", HashAnalyzer.sha256Hex(Files.readAllBytes(content)))
				.containsEntry("password", "infected");
	}

	@Test
	void givenAZipWithAnUnknownPassword_thenItIsListedAsEncryptedNotAnError() {
		Findings findings = pipeline.analyse(Sample.ofBytes("secret.zip",
				TestCorpus.zipCrypto(Map.of("a.txt", "secret text".getBytes(StandardCharsets.US_ASCII)), "hunter2")));

		Map<String, Object> archive = map(findings.get("archive"));
		assertThat(archive).containsEntry("encrypted", true);
		assertThat(list(archive.get("limitsHit"))).containsExactly("encrypted");
		assertThat(list(archive.get("members"))).containsExactly(Map.of("path", "a.txt", "declaredSize", 11L,
				"encrypted", true));
		assertThat(signalNames(findings)).containsExactly("archive-encrypted");
		assertThat(findings.errors()).isEmpty();
	}

	@Test
	void givenGzipTarAndTarGz_thenMembersAreExtractedThroughEveryLayer() {
		byte[] script = TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8);
		Findings gzip = pipeline.analyse(Sample.ofBytes("dir/script.sh.gz", TestCorpus.gzip(script)));
		assertThat(map(gzip.get("archive"))).containsEntry("format", "gzip");
		assertThat(list(map(gzip.get("archive")).get("members"))).containsExactly(Map.of("path", "script.sh",
				"size", (long) script.length, "sha256", HashAnalyzer.sha256Hex(script)));

		byte[] tar = TestCorpus.tar(Map.of("bin/pe32.exe", TestCorpus.pe32(), "etc/run.sh", script));
		Findings tarGz = pipeline.analyse(Sample.ofBytes("bundle.tgz", TestCorpus.gzip(tar)));
		Findings inner = tarGz.children().get(0).findings();
		assertThat(tarGz.children().get(0).path()).isEqualTo("bundle.tar");
		assertThat(ArchiveAnalyzerTests.<Map<String, Object>>list(map(inner.get("archive")).get("members"))).extracting(m -> m.get("path"))
				.containsExactly("bin/pe32.exe", "etc/run.sh");
	}

	@Test
	void givenA7zArchive_thenItsMembersAreExtracted() throws Exception {
		SeekableInMemoryByteChannel channel = new SeekableInMemoryByteChannel();
		try (SevenZOutputFile sevenZ = new SevenZOutputFile(channel)) {
			SevenZArchiveEntry entry = new SevenZArchiveEntry();
			entry.setName("docs/eicar.com");
			sevenZ.putArchiveEntry(entry);
			sevenZ.write(TestCorpus.eicar());
			sevenZ.closeArchiveEntry();
		}
		byte[] archive = java.util.Arrays.copyOf(channel.array(), (int) channel.size());
		Findings findings = pipeline.analyse(Sample.ofBytes("a.7z", archive));

		assertThat(map(findings.get("archive"))).containsEntry("format", "7z");
		assertThat(list(map(findings.get("archive")).get("members"))).containsExactly(Map.of("path",
				"docs/eicar.com", "size", 68L, "sha256", HashAnalyzer.sha256Hex(TestCorpus.eicar())));
	}

	@Test
	void givenAFileBackedArchive_thenItIsReadFromTheFile() throws Exception {
		Path zip = Files.write(dir.resolve("normal.zip"), TestCorpus.normalZip());
		try (Sample sample = Sample.ofFile("normal.zip", zip, 0)) {
			Findings findings = pipeline.analyse(sample);
			assertThat(list(map(findings.get("archive")).get("members"))).hasSize(4);
		}
	}

	@Test
	void givenANonArchive_thenNoField() {
		Findings findings = pipeline.analyse(Sample.ofBytes("pe", TestCorpus.pe32()));
		assertThat(findings.get("archive")).isNull();
	}

	private static List<Object> signalNames(Findings findings) {
		return findings.signals().stream().map(Signal::name).map(Object.class::cast).toList();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static <T> List<T> list(Object value) {
		assertThat(value).isInstanceOf(List.class);
		return (List<T>) value;
	}
}
