package io.trawl.worker.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.trawl.worker.yara.YaraMatch;
import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.RuleFingerprints;
import io.trawl.worker.yara.delta.RulesetDelta;
import io.trawl.worker.yara.delta.RulesetSource;
import io.trawl.worker.yara.delta.SourceNamespace;
import io.trawl.worker.yara.delta.SourceRule;

/**
 * The YARA part of a rescan after a few rules changed: the whole new ruleset against the delta, through Trawl's
 * libyara, one thread, over the files of a folder. Not a test; {@code bench/rule-delta.sh} runs it, one step per
 * process, so that {@code /usr/bin/time} measures each:
 * <ul>
 * <li>{@code prepare CORPUS RULES WORK}: copies RULES to WORK/r1 and, with two rules changed and one added, to
 * WORK/r2;</li>
 * <li>{@code full CORPUS WORK}: compiles WORK/r2 and scans every file;</li>
 * <li>{@code delta CORPUS WORK}: reads and fingerprints WORK/r1 and WORK/r2, writes and compiles the delta, scans
 * every file with it;</li>
 * <li>{@code check CORPUS WORK}: for every file, R1's matches merged with the delta's equal R2's; exits 1 if not.</li>
 * </ul>
 */
public final class RuleDeltaBench {

	private RuleDeltaBench() {
	}

	public static void main(String[] args) throws Exception {
		Path corpus = Path.of(args[1]);
		Path work = Path.of(args[args.length - 1]);
		switch (args[0]) {
			case "prepare" -> prepare(Path.of(args[2]), work);
			case "full" -> {
				long start = cpu();
				try (YaraRules rules = YaraRules.compile(work.resolve("r2"), 60)) {
					long compiled = cpu();
					long matches = scanAll(rules, corpus);
					System.out.printf("full: %d matches; thread CPU s: compile %.2f, scan %.2f%n", matches,
							seconds(compiled - start), seconds(cpu() - compiled));
				}
			}
			case "delta" -> {
				long start = cpu();
				RulesetDelta delta = delta(work);
				long fingerprinted = cpu();
				try (YaraRules rules = YaraRules.compile(delta(work, delta), 60)) {
					long compiled = cpu();
					long matches = scanAll(rules, corpus);
					System.out.printf("delta: %d rules scanned, %d more compiled, %d matches; thread CPU s: read and "
							+ "fingerprint both rulesets %.2f, compile %.2f, scan %.2f%n", delta.scanned().size(),
							delta.dependenciesOnly().size(), matches, seconds(fingerprinted - start),
							seconds(compiled - fingerprinted), seconds(cpu() - compiled));
				}
			}
			case "check" -> System.exit(check(corpus, work));
			default -> throw new IllegalArgumentException("Unknown step " + args[0] + ": prepare, full, delta or check.");
		}
	}

	static void prepare(Path rules, Path work) throws IOException {
		copyTree(rules, work.resolve("r1"));
		copyTree(rules, work.resolve("r2"));
		// the first rules of three files spread over the ruleset
		List<SourceNamespace> namespaces = RulesetSource.read(work.resolve("r1")).namespaces();
		List<SourceRule> chosen = Stream.of(namespaces.size() / 4, namespaces.size() / 2, namespaces.size() * 3 / 4)
			.map(i -> namespaces.get(i).rules().get(0))
			.toList();
		for (SourceRule rule : chosen.subList(0, 2)) {
			String edited = rule.text().replace(rule.condition(), "(" + rule.condition() + ") and filesize >= 0");
			edit(work.resolve("r2"), rule, text -> text.replace(rule.text(), edited));
		}
		edit(work.resolve("r2"), chosen.get(2), text -> text + "\nrule bench_added { strings: $a = \"bench-added\" "
				+ "condition: $a or filesize < 100 }\n");
	}

	static long cpu() {
		return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
	}

	static double seconds(long nanos) {
		return nanos / 1e9;
	}

	static RulesetDelta delta(Path work) {
		Map<String, String> before = RuleFingerprints.of(RulesetSource.read(work.resolve("r1"))).sha256s();
		return RulesetDelta.between(before, RuleFingerprints.of(RulesetSource.read(work.resolve("r2"))));
	}

	static Path delta(Path work, RulesetDelta delta) throws IOException {
		Path folder = Files.createTempDirectory(work, "delta");
		delta.writeTo(folder);
		return folder;
	}

	static int check(Path corpus, Path work) throws IOException {
		RulesetDelta delta = delta(work);
		int mismatches = 0;
		long matches = 0;
		try (YaraRules r1 = YaraRules.compile(work.resolve("r1"), 60);
				YaraRules r2 = YaraRules.compile(work.resolve("r2"), 60);
				YaraRules scanned = YaraRules.compile(delta(work, delta), 60)) {
			for (Path file : files(corpus)) {
				Map<String, String> externals = externals(file);
				List<YaraMatch> merged = delta.merge(r1.scan(file, externals), scanned.scan(file, externals));
				matches += merged.size();
				if (!merged.equals(r2.scan(file, externals))) {
					mismatches++;
					System.out.println("mismatch: " + file);
				}
			}
			System.out.printf("check: %d files, %d matches merged, %d mismatches; scanned by the delta: %s%n",
					files(corpus).size(), matches, mismatches, delta.scanned());
		}
		return mismatches == 0 ? 0 : 1;
	}

	static long scanAll(YaraRules rules, Path corpus) throws IOException {
		long matches = 0;
		for (Path file : files(corpus)) {
			matches += rules.scan(file, externals(file)).size();
		}
		return matches;
	}

	static Map<String, String> externals(Path file) {
		String name = file.getFileName().toString();
		int dot = name.lastIndexOf('.');
		return Map.of("filename", name, "filepath", file.toString(), "extension",
				dot > 0 ? name.substring(dot + 1) : "", "filetype", "");
	}

	static List<Path> files(Path corpus) throws IOException {
		try (Stream<Path> files = Files.list(corpus)) {
			return files.filter(Files::isRegularFile).sorted().toList();
		}
	}

	static void edit(Path root, SourceRule rule, UnaryOperator<String> change) throws IOException {
		Path file = root.resolve(rule.where().substring(0, rule.where().lastIndexOf(':')));
		Files.writeString(file, change.apply(Files.readString(file)));
	}

	static void copyTree(Path from, Path to) throws IOException {
		List<Path> paths = new ArrayList<>();
		try (Stream<Path> walk = Files.walk(from)) {
			walk.sorted().forEach(paths::add);
		}
		for (Path path : paths) {
			Path target = to.resolve(from.relativize(path).toString());
			if (Files.isDirectory(path)) {
				Files.createDirectories(target);
			}
			else {
				Files.copy(path, target);
			}
		}
	}
}
