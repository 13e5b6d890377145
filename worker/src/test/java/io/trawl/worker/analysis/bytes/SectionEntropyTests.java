package io.trawl.worker.analysis.bytes;

import static io.trawl.worker.analysis.bytes.BlockHistogramsPropertyTests.straightforward;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.elf.ElfAnalyzer;
import io.trawl.worker.analysis.pe.PeAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * The entropy, ELF and PE analyzers over real files of this machine and the test corpus, each analyzer alone and
 * then the three over one sample (sharing its block histograms, whichever asks first): the whole file's entropy and
 * every section's equal a straightforward count of the section's bytes, where {@code readelf} says where each ELF
 * section is, and the PE section table (read here) where each PE section is. ELF files whose section headers were
 * rewritten to block edges, empty sections and sections past the end of the file, and files of 0 to 65,537 bytes.
 */
class SectionEntropyTests {

	private static final int B = BlockHistograms.BLOCK;

	@TempDir
	Path dir;

	@Test
	void givenRealElvesOfThisMachine_thenEverySectionsEntropyIsThatOfACountOfWhereReadelfSaysItIs() throws Exception {
		List<Path> files = new ArrayList<>(List.of(Files.write(dir.resolve("elf32"), TestCorpus.elf32()),
				Files.write(dir.resolve("elf64"), TestCorpus.elf64())));
		files.addAll(realElves());
		assertThat(files).hasSizeGreaterThan(10);
		for (Path file : files) {
			assertEntropiesOfElf(file);
		}
	}

	@Test
	void givenElvesWhoseSectionsLieAtBlockEdgesAreEmptyOrRunPastTheEnd_thenEachIsThatOfACount() throws Exception {
		byte[] original = Files.readAllBytes(Path.of("/bin/ls"));
		Random random = new Random(11);
		for (int round = 0; round < 40; round++) {
			byte[] elf = Arrays.copyOf(original, round % 5 == 0 ? 5 * B + random.nextInt(3) - 1 : original.length);
			ByteBuffer le = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
			long shOff = le.getLong(0x28);
			int count = le.getShort(0x3c) & 0xffff;
			int names = le.getShort(0x3e) & 0xffff;
			for (int i = 1; i < count; i++) {
				int at = (int) shOff + 64 * i;
				if (i == names || at + 64 > elf.length) {
					continue;
				}
				long offset = edge(random, elf.length);
				long size = switch (random.nextInt(5)) {
					case 0 -> 0;
					case 1 -> edge(random, elf.length) - offset; // may be negative: a huge size past the end
					case 2 -> elf.length - offset + random.nextInt(3 * B);
					default -> Math.abs(edge(random, elf.length) - offset);
				};
				le.putLong(at + 24, offset).putLong(at + 32, size);
			}
			assertEntropiesOfElf(Files.write(dir.resolve("edges-" + round), elf));
		}
	}

	@Test
	void givenPeFilesOfThisMachineAndTheTestCorpus_thenEverySectionsEntropyIsThatOfACount() throws Exception {
		List<Path> files = new ArrayList<>(List.of(Files.write(dir.resolve("pe32"), TestCorpus.pe32()),
				Files.write(dir.resolve("pe64"), TestCorpus.pe64()),
				Files.write(dir.resolve("pe-overlay"), TestCorpus.pe(true, TestCorpus.DEFAULT_IMPORTS, List.of(),
						200_000, false))));
		for (String root : List.of("/root/.m2/wrapper", "/root/.pyenv", "/usr/lib", "/usr/share", "/opt")) {
			if (Files.isDirectory(Path.of(root)) && files.size() < 30) {
				try (Stream<Path> walk = Files.walk(Path.of(root))) {
					walk.filter(f -> f.toString().endsWith(".exe") || f.toString().endsWith(".dll"))
						.filter(Files::isRegularFile)
						.sorted()
						.limit(30 - files.size())
						.forEach(files::add);
				}
			}
		}
		int real = 0;
		for (Path file : files) {
			byte[] bytes = Files.readAllBytes(file);
			Map<String, Object> pe = analyse(file).pe;
			if (pe == null) {
				continue; // an .exe that is not a PE
			}
			real++;
			ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
			int optional = le.getInt(0x3c) + 24;
			long fileAlignment = le.getInt(optional + 36) & 0xffffffffL;
			List<Map<String, Object>> sections = list(pe.get("sections"));
			assertThat(sections).as(file.toString()).isNotEmpty();
			for (Map<String, Object> section : sections) {
				long raw = ((Number) section.get("rawOffset")).longValue();
				long rawSize = ((Number) section.get("rawSize")).longValue();
				long start = fileAlignment >= 0x200 ? raw & ~0x1ffL : raw;
				long end = Math.min(start + rawSize, bytes.length);
				double expected = start >= bytes.length ? 0.0 : straightforward(bytes, (int) start, (int) end);
				assertThat(section.get("entropy")).as("%s section %s", file, section.get("name")).isEqualTo(expected);
			}
		}
		assertThat(real).isGreaterThanOrEqualTo(3);
	}

	@Test
	void givenFilesAtBlockSizes_thenTheWholeFilesEntropyIsThatOfACount() throws Exception {
		for (int size : new int[] { 0, 1, B - 1, B, B + 1, 65_535, 65_536, 65_537 }) {
			byte[] data = BlockHistogramsPropertyTests.input(size, size % 4, new Random(size));
			System.arraycopy(TestCorpus.elf64(), 0, data, 0, Math.min(size, TestCorpus.elf64().length));
			Path file = Files.write(dir.resolve("size-" + size), data);
			assertThat(analyse(file).entropy).as("%d bytes", size).isEqualTo(straightforward(data, 0, size));
			assertEntropiesOfElf(file);
		}
	}

	/** Every section against readelf's offsets, for each analyzer alone and for the three over one sample. */
	private void assertEntropiesOfElf(Path file) throws Exception {
		byte[] bytes = Files.readAllBytes(file);
		List<Double> expected = new ArrayList<>();
		Matcher section = Pattern
			.compile("(?m)^\\s+\\[\\s*\\d+]\\s(.*?)\\s+(\\S+)\\s+[0-9a-f]{8,16}\\s+([0-9a-f]{6,})\\s+([0-9a-f]{6,})\\s")
			.matcher(run("readelf", "-S", "-W", file.toString()));
		while (section.find()) {
			String type = section.group(2);
			long offset = Long.parseUnsignedLong(section.group(3), 16);
			long size = Long.parseUnsignedLong(section.group(4), 16);
			// Trawl reads a 64-bit offset or size above 2^63 as -1: no file offset or size is that large
			boolean noBytes = type.equals("NOBITS") || type.equals("NULL") || offset < 0 || offset >= bytes.length
					|| size < 0;
			long end = size > bytes.length ? bytes.length : Math.min(offset + size, bytes.length);
			expected.add(noBytes ? 0.0 : straightforward(bytes, (int) offset, (int) end));
		}
		Analysed together = analyse(file);
		assertThat(together.entropy).as("%s whole", file).isEqualTo(straightforward(bytes, 0, bytes.length));
		if (together.elf == null) {
			assertThat(expected).as("%s: readelf found sections, Trawl no ELF", file).isEmpty();
			return;
		}
		List<Double> entropies = list(together.elf.get("sections")).stream()
			.map(s -> (Double) ((Map<?, ?>) s).get("entropy"))
			.toList();
		assertThat(entropies).as("%s sections", file).isEqualTo(expected);
		try (Sample alone = Sample.ofFile(file.toString(), file, Long.MAX_VALUE)) {
			Findings findings = new Findings();
			new ElfAnalyzer().analyse(alone, findings);
			assertThat(findings.get("elf")).as("%s, the ELF analyzer alone", file).isEqualTo(together.elf);
		}
	}

	private record Analysed(Object entropy, Map<String, Object> elf, Map<String, Object> pe) {
	}

	/** The three analyzers over one sample, in the pipeline's order: entropy first, which counts the blocks. */
	private static Analysed analyse(Path file) throws Exception {
		try (Sample sample = Sample.ofFile(file.toString(), file, Long.MAX_VALUE)) {
			Findings findings = new Findings();
			new EntropyAnalyzer().analyse(sample, findings);
			new PeAnalyzer().analyse(sample, findings);
			new ElfAnalyzer().analyse(sample, findings);
			return new Analysed(findings.get("entropy"), map(findings.get("elf")), map(findings.get("pe")));
		}
	}

	/** A block edge, one byte either side, or any offset, up to a block past the end. */
	private static long edge(Random random, int length) {
		long edge = (long) B * random.nextInt(length / B + 2);
		return switch (random.nextInt(4)) {
			case 0 -> edge;
			case 1 -> edge + 1;
			case 2 -> Math.max(0, edge - 1);
			default -> random.nextInt(length + B);
		};
	}

	/** ELF files of /usr/bin and /usr/lib: the 8 largest up to the index's bound, one above it, and 8 small ones. */
	private static List<Path> realElves() throws IOException {
		List<Path> elves = new ArrayList<>();
		for (String root : List.of("/usr/bin", "/usr/lib/x86_64-linux-gnu")) {
			try (Stream<Path> list = Files.list(Path.of(root))) {
				elves.addAll(list.filter(Files::isRegularFile).filter(SectionEntropyTests::isElf).toList());
			}
		}
		elves.sort(Comparator.comparingLong(SectionEntropyTests::size).reversed());
		List<Path> chosen = new ArrayList<>();
		elves.stream().filter(f -> size(f) > BlockHistograms.MAX_SIZE).reduce((a, b) -> b).ifPresent(chosen::add);
		elves.stream().filter(f -> size(f) <= BlockHistograms.MAX_SIZE).limit(8).forEach(chosen::add);
		elves.stream().filter(f -> size(f) < 200_000).limit(8).forEach(chosen::add);
		return chosen;
	}

	private static boolean isElf(Path file) {
		try (var in = Files.newInputStream(file)) {
			return Arrays.equals(in.readNBytes(4), new byte[] { 0x7f, 'E', 'L', 'F' });
		}
		catch (IOException e) {
			return false;
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException e) {
			return 0;
		}
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return output;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static <T> List<T> list(Object value) {
		assertThat(value).isInstanceOf(List.class);
		return (List<T>) value;
	}
}
