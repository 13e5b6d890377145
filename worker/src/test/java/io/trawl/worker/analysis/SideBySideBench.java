package io.trawl.worker.analysis;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.sun.management.OperatingSystemMXBean;

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
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * Wall and CPU seconds of one large sample's analysis, every analyzer with YARA in the JVM, one after another and
 * side by side, alternating in one JVM so both meet the same machine. Not a test; run it by hand:
 *
 * <pre>
 * ./mvnw -q -pl worker test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.analysis.SideBySideBench FILE RULES [rounds=3] [inMemoryLimit=67108864]
 * </pre>
 * The hashes split into two passes in both (that is the analyzer's own); the side-by-side figure adds the rest.
 */
public final class SideBySideBench {

	private SideBySideBench() {
	}

	public static void main(String[] args) throws Exception {
		Path file = Path.of(args[0]);
		int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
		long inMemoryLimit = args.length > 3 ? Long.parseLong(args[3]) : 64L << 20;
		OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		try (YaraRules rules = YaraRules.compile(Path.of(args[1]), 60)) {
			SampleAnalysis pipeline = new SampleAnalysis(List.of(new HashAnalyzer(), new MimeTypeAnalyzer(),
					new FileTypeAnalyzer(), new EntropyAnalyzer(), new SsdeepAnalyzer(), new TlshAnalyzer(),
					new PeAnalyzer(), new ElfAnalyzer(), new StringsAnalyzer(), new ArchiveAnalyzer(),
					new YaraAnalyzer(rules)), VerdictPolicy.defaults());
			List<SampleAnalysis> sides = List.of(pipeline.sideBySideFrom(Long.MAX_VALUE), pipeline);
			List<String> names = List.of("one after another", "side by side");
			for (int round = 0; round <= rounds; round++) { // round 0 warms up
				List<String> line = new ArrayList<>();
				for (int side = 0; side < sides.size(); side++) {
					long cpu = os.getProcessCpuTime();
					long start = System.nanoTime();
					try (Sample sample = Sample.ofFile(file.getFileName().toString(), file, inMemoryLimit)) {
						sides.get(side).analyse(sample);
					}
					line.add(String.format(Locale.ROOT, "%s %.2f s wall %.2f s CPU", names.get(side),
							(System.nanoTime() - start) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9));
				}
				System.out.printf(Locale.ROOT, "%s %d (%d MB, load %.1f): %s%n", round == 0 ? "warm-up" : "round",
						round, Files.size(file) / 1_000_000, os.getSystemLoadAverage(), String.join("; ", line));
			}
		}
	}
}
