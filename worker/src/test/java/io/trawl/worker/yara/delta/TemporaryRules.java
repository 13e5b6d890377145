package io.trawl.worker.yara.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folders for the rule files jqwik's tries write (jqwik has no {@code @TempDir}); deleted after each class. */
final class TemporaryRules {

	private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "trawl-rule-delta-tests-"
			+ ProcessHandle.current().pid());

	private TemporaryRules() {
	}

	static Path folder(String prefix) throws IOException {
		return Files.createTempDirectory(Files.createDirectories(ROOT), prefix);
	}

	static void deleteAll() {
		if (!Files.exists(ROOT)) {
			return;
		}
		try (Stream<Path> files = Files.walk(ROOT)) {
			for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
