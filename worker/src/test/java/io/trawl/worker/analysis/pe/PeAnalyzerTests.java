package io.trawl.worker.analysis.pe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

class PeAnalyzerTests {

	/** pefile's imphash input for {@link TestCorpus#DEFAULT_IMPORTS}: ws2_32 and oleaut32 ordinals resolved. */
	private static final String IMPHASH_INPUT = "kernel32.exitprocess,kernel32.getprocaddress,kernel32.loadlibrarya,"
			+ "kernel32.virtualalloc,user32.messageboxa,ws2_32.closesocket,ws2_32.wsastartup,oleaut32.sysallocstring,"
			+ "helper.ord7,helper.start";

	private final PeAnalyzer analyzer = new PeAnalyzer();

	@TempDir
	Path dir;

	@Test
	void givenAPe32_thenHeadersSectionsImportsExportsAndResourcesAreReported() throws Exception {
		Map<String, Object> pe = report(TestCorpus.pe32());

		assertThat(pe).containsEntry("machine", "I386").containsEntry("format", "PE32")
				.containsEntry("timestamp", TestCorpus.PE_TIMESTAMP)
				.containsEntry("timestampIso", "2021-03-04T05:06:07Z").containsEntry("subsystem", "WINDOWS_GUI")
				.containsEntry("entryPoint", 0x1000L).containsEntry("resourceCount", 1)
				.containsEntry("signed", false).containsEntry("overlaySize", 0L)
				.containsEntry("exports", List.of("Alpha", "Beta")).containsEntry("anomalies", List.of());
		List<Map<String, Object>> sections = list(pe.get("sections"));
		assertThat(sections).extracting(s -> s.get("name")).containsExactly(".text", ".rdata", ".rsrc");
		assertThat(sections.get(0)).containsEntry("rawSize", 0x200L).containsKey("virtualSize");
		assertThat((double) sections.get(0).get("entropy")).isBetween(0.1, 1.0);
		Map<String, Object> imports = map(pe.get("imports"));
		assertThat(imports).containsOnlyKeys("KERNEL32.dll", "USER32.dll", "WS2_32.dll", "OLEAUT32.dll",
				"helper.ocx");
		assertThat(imports.get("WS2_32.dll")).isEqualTo(List.of("closesocket", "WSAStartup"));
		assertThat(imports.get("helper.ocx")).isEqualTo(List.of("ord7", "Start"));
		assertThat(pe.get("imphash")).isEqualTo(PeAnalyzer.md5(IMPHASH_INPUT));
	}

	@Test
	void givenAPe32Plus_thenItIsReportedAsAmd64WithTheSameImphash() throws Exception {
		Map<String, Object> pe = report(TestCorpus.pe64());

		assertThat(pe).containsEntry("machine", "AMD64").containsEntry("format", "PE32+")
				.containsEntry("subsystem", "WINDOWS_CUI").containsEntry("imageBase", 0x140000000L)
				.containsEntry("imphash", PeAnalyzer.md5(IMPHASH_INPUT)).containsEntry("exports", List.of());
	}

	@Test
	void givenASignedPeWithOverlay_thenSignedAndOverlaySizeAreReported() throws Exception {
		Map<String, Object> pe = report(TestCorpus.pe(false, TestCorpus.DEFAULT_IMPORTS, List.of(), 300, true));

		assertThat(pe).containsEntry("signed", true).containsEntry("overlaySize", 300L);
	}

	@Test
	void givenTheCorpusPes_thenImphashExportsAndResourcesAgreeWithTheYaraPeModule() throws Exception {
		for (byte[] content : List.of(TestCorpus.pe32(), TestCorpus.pe64(),
				TestCorpus.pe(true, Map.of("WSOCK32.dll", List.of("#1", "#23", "#999"), "MSVCRT.dll",
						List.of("printf")), List.of("Gamma"), 100, false))) {
			Map<String, Object> pe = report(content);
			Path file = Files.write(dir.resolve("sample.exe"), content);
			StringBuilder condition = new StringBuilder("pe.imphash() == \"" + pe.get("imphash") + "\"");
			condition.append(" and pe.number_of_resources == ").append(pe.get("resourceCount"));
			condition.append(" and pe.number_of_sections == ").append(list(pe.get("sections")).size());
			condition.append(" and pe.timestamp == ").append(pe.get("timestamp"));
			condition.append(" and pe.overlay.size == ").append(pe.get("overlaySize"));
			for (Object export : list(pe.get("exports"))) {
				condition.append(" and pe.exports(\"").append(export).append("\")");
			}
			assertThat(yaraMatches(file, condition.toString())).as("yara agrees on %s", condition).isTrue();
		}
	}

	@Test
	void givenATruncatedPe_thenAPartialReportWithAnomalies() throws Exception {
		Map<String, Object> pe = report(TestCorpus.truncatedPe());

		assertThat(pe).containsEntry("machine", "I386").containsKey("timestamp");
		assertThat(list(pe.get("anomalies"))).isNotEmpty();
	}

	@Test
	void givenHostileCountsAndOffsets_thenTheParseStaysBoundedAndNeverThrows() throws Exception {
		byte[] pe = TestCorpus.pe32();
		ByteBuffer b = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
		b.putShort(0x86, (short) 0xffff); // NumberOfSections
		b.putInt(0x80 + 24 + 92, 0x7fffffff); // NumberOfRvaAndSizes
		Map<String, Object> report = report(pe);
		assertThat(list(report.get("anomalies"))).isNotEmpty();

		Random random = new Random(11);
		byte[] original = TestCorpus.pe32();
		for (int round = 0; round < 2000; round++) {
			byte[] mutated = Arrays.copyOf(original, original.length);
			for (int flips = 0; flips < 1 + random.nextInt(20); flips++) {
				mutated[random.nextInt(0x600)] = (byte) random.nextInt(256);
			}
			int length = random.nextInt(4) == 0 ? random.nextInt(mutated.length) : mutated.length;
			Findings findings = new Findings();
			analyzer.analyse(Sample.ofBytes("mutated", Arrays.copyOf(mutated, length)), findings);
		}
	}

	@Test
	void givenANonPe_thenNoField() throws Exception {
		Findings findings = new Findings();
		analyzer.analyse(Sample.ofBytes("elf", TestCorpus.elf64()), findings);
		analyzer.analyse(Sample.ofBytes("mz", "MZ".getBytes(StandardCharsets.US_ASCII)), findings);
		assertThat(findings.get("pe")).isNull();
	}

	@Test
	void givenALargeFileBackedSample_thenItIsParsedFromTheFile() throws Exception {
		Path file = Files.write(dir.resolve("big.exe"), TestCorpus.pe32());
		try (Sample sample = Sample.ofFile("big.exe", file, 0)) {
			Findings findings = new Findings();
			analyzer.analyse(sample, findings);
			assertThat(map(findings.get("pe"))).containsEntry("imphash", PeAnalyzer.md5(IMPHASH_INPUT));
		}
	}

	private Map<String, Object> report(byte[] content) throws IOException {
		Findings findings = new Findings();
		analyzer.analyse(Sample.ofBytes("sample.exe", content), findings);
		return map(findings.get("pe"));
	}

	private static boolean yaraMatches(Path file, String condition) throws IOException, InterruptedException {
		Path rule = file.resolveSibling("check.yar");
		Files.writeString(rule, "import \"pe\"\nrule check { condition: " + condition + " }\n");
		Process process;
		try {
			process = new ProcessBuilder("yara", rule.toString(), file.toString()).redirectErrorStream(true).start();
		}
		catch (IOException e) {
			org.junit.jupiter.api.Assertions.fail("the yara CLI is not installed (apt-get install -y yara)");
			throw e;
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		return output.startsWith("check ");
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
