package io.trawl.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import io.trawl.jobs.local.PrivateDataDir;
import io.trawl.jobs.problem.ClientErrors;

/**
 * {@code trawl demo --nights N}: the demo corpus rescanned night after night, as the nightly schedule would. The first
 * night analyses everything; the second runs the default rules with one rule added (an incremental rescan scans only
 * that rule, and reuses every other field); each later night has nothing changed, so everything is reused. The
 * build's start-up cache is trained on three nights, so that an incremental rescan's code is trained too.
 */
final class DemoNights {

	static final int MAX = 10;

	/**
	 * The rule the second night adds: it matches files that start as a Windows executable does, and scores nothing, so
	 * it changes the hits of those samples but no verdict.
	 */
	static final String ADDED_RULE = """
			rule Trawl_Demo_Added_Rule
			{
			    meta:
			        description = "added by trawl demo --nights: the second night scans only this rule"
			        score = 0
			    condition:
			        uint16(0) == 0x5A4D
			}
			""";

	static final String ADDED_FILE = "trawl-demo-added-rule.yar";

	private DemoNights() {
	}

	/** The number of nights asked for: 1 to {@value #MAX}. */
	static int count(String value) {
		try {
			int nights = Integer.parseInt(value.strip());
			if (nights >= 1 && nights <= MAX) {
				return nights;
			}
		}
		catch (NumberFormatException e) {
			// the sentence below
		}
		throw new IllegalArgumentException("--nights takes a number of nights from 1 to " + MAX + ", not "
				+ ClientErrors.echo(value) + ".");
	}

	/** What night {@code night} (from 1) of the demo changes, for its heading. */
	static String describe(int night) {
		return switch (night) {
			case 1 -> "everything analysed";
			case 2 -> "one rule added: only it is scanned";
			default -> "nothing changed: everything reused";
		};
	}

	/**
	 * The second night's rules in {@code folder} (made private, emptied first): the default rules' {@code .yar} and
	 * {@code .yara} files at their own relative paths (so their namespaces, and so their fingerprints, stay the same),
	 * and {@link #ADDED_FILE}. Symbolic links are not followed.
	 */
	static Path withAddedRule(Path defaultRules, Path folder) {
		try {
			delete(folder);
			Files.createDirectories(folder);
			if (Files.isRegularFile(defaultRules, LinkOption.NOFOLLOW_LINKS)) {
				Files.copy(defaultRules, folder.resolve(defaultRules.getFileName()));
			}
			else {
				for (Path file : ruleFiles(defaultRules)) {
					Path target = folder.resolve(defaultRules.relativize(file).toString());
					Files.createDirectories(target.getParent());
					Files.copy(file, target);
				}
			}
			Files.writeString(folder.resolve(ADDED_FILE), ADDED_RULE);
			PrivateDataDir.tighten(folder);
			return folder;
		}
		catch (IOException e) {
			throw new UncheckedIOException("The demo could not write its second night's rules to " + folder + ": "
					+ e.getMessage(), e);
		}
	}

	private static List<Path> ruleFiles(Path folder) throws IOException {
		try (Stream<Path> walk = Files.walk(folder)) {
			return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
				.filter(p -> {
					String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
					return name.endsWith(".yar") || name.endsWith(".yara");
				})
				.sorted()
				.toList();
		}
	}

	private static void delete(Path folder) throws IOException {
		if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try (Stream<Path> walk = Files.walk(folder)) {
			for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(p);
			}
		}
	}
}
