package io.trawl.worker.analysis.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

class ElfAnalyzerTests {

	private final ElfAnalyzer analyzer = new ElfAnalyzer();

	@TempDir
	Path dir;

	@Test
	void givenAnElf64SharedObject_thenHeaderInterpreterNeededAndSectionsAreReported() throws Exception {
		Map<String, Object> elf = report(TestCorpus.elf64());

		assertThat(elf).containsEntry("class", "ELF64").containsEntry("endianness", "little")
				.containsEntry("machine", "x86-64").containsEntry("type", "DYN")
				.containsEntry("interpreter", "/lib64/ld-linux-x86-64.so.2")
				.containsEntry("needed", List.of("libc.so.6", "libm.so.6")).containsEntry("anomalies", List.of());
		List<Map<String, Object>> sections = list(elf.get("sections"));
		assertThat(sections).extracting(s -> s.get("name")).containsExactly("", ".interp", ".dynstr", ".dynamic",
				".text", ".shstrtab");
		assertThat(sections.get(3)).containsEntry("type", "DYNAMIC");
	}

	@Test
	void givenAnElf32Executable_thenItIsReportedAsX86() throws Exception {
		Map<String, Object> elf = report(TestCorpus.elf32());

		assertThat(elf).containsEntry("class", "ELF32").containsEntry("machine", "x86").containsEntry("type", "EXEC")
				.containsEntry("interpreter", "/lib/ld-linux.so.2").containsEntry("needed", List.of("libc.so.6"));
	}

	@Test
	void givenRealAndSyntheticElves_thenInterpreterNeededAndSectionsAgreeWithReadelf() throws Exception {
		List<Path> files = new ArrayList<>();
		files.add(Files.write(dir.resolve("elf32"), TestCorpus.elf32()));
		files.add(Files.write(dir.resolve("elf64"), TestCorpus.elf64()));
		for (String system : List.of("/bin/ls", "/usr/bin/ssdeep", "/usr/lib/x86_64-linux-gnu/libfuzzy.so.2")) {
			if (Files.isReadable(Path.of(system))) {
				files.add(Path.of(system));
			}
		}
		for (Path file : files) {
			String readelf = run("readelf", "-W", "-l", "-d", "-S", file.toString());
			Map<String, Object> elf;
			try (Sample sample = Sample.ofFile(file.toString(), file, Long.MAX_VALUE)) {
				Findings findings = new Findings();
				analyzer.analyse(sample, findings);
				elf = map(findings.get("elf"));
			}
			List<String> needed = new ArrayList<>();
			Matcher m = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[(.*)]").matcher(readelf);
			while (m.find()) {
				needed.add(m.group(1));
			}
			assertThat(elf.get("needed")).as(file.toString()).isEqualTo(needed);
			Matcher interpreter = Pattern.compile("Requesting program interpreter: (.*)]").matcher(readelf);
			assertThat(elf.get("interpreter")).as(file.toString())
					.isEqualTo(interpreter.find() ? interpreter.group(1) : null);
			List<String> sectionNames = new ArrayList<>();
			Matcher section = Pattern.compile("(?m)^\\s+\\[\\s*\\d+]\\s+(\\S*)\\s+[A-Z_]+\\s+[0-9a-f]{8}").matcher(readelf);
			while (section.find()) {
				sectionNames.add(section.group(1));
			}
			List<Map<String, Object>> sections = list(elf.get("sections"));
			assertThat(sections.stream().map(s -> s.get("name")).filter(n -> !"".equals(n)).toList())
					.as(file.toString()).isEqualTo(sectionNames.stream().filter(n -> !n.isEmpty()).toList());
			assertThat(list(elf.get("anomalies"))).as(file.toString()).isEmpty();
		}
	}

	@Test
	void givenATruncatedElf_thenAPartialReportWithAnomalies() throws Exception {
		Map<String, Object> elf = report(TestCorpus.truncatedElf());

		assertThat(elf).containsEntry("class", "ELF64").containsEntry("machine", "x86-64");
		assertThat(list(elf.get("anomalies"))).isNotEmpty();
	}

	@Test
	void givenRandomlyMutatedElves_thenTheParseNeverThrows() throws Exception {
		Random random = new Random(5);
		for (byte[] original : List.of(TestCorpus.elf32(), TestCorpus.elf64())) {
			for (int round = 0; round < 2000; round++) {
				byte[] mutated = Arrays.copyOf(original, original.length);
				for (int flips = 0; flips < 1 + random.nextInt(16); flips++) {
					mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
				}
				int length = random.nextInt(4) == 0 ? random.nextInt(mutated.length) : mutated.length;
				analyzer.analyse(Sample.ofBytes("mutated", Arrays.copyOf(mutated, length)), new Findings());
			}
		}
	}

	@Test
	void givenANonElf_thenNoField() throws Exception {
		Findings findings = new Findings();
		analyzer.analyse(Sample.ofBytes("pe", TestCorpus.pe32()), findings);
		analyzer.analyse(Sample.ofBytes("short", new byte[] { 0x7f, 'E' }), findings);
		assertThat(findings.get("elf")).isNull();
	}

	private Map<String, Object> report(byte[] content) throws IOException {
		Findings findings = new Findings();
		analyzer.analyse(Sample.ofBytes("sample", content), findings);
		return map(findings.get("elf"));
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		}
		catch (IOException e) {
			org.junit.jupiter.api.Assertions.fail(command[0] + " is not installed (apt-get install -y binutils)");
			throw e;
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		return output;
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
