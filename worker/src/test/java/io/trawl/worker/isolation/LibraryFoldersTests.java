package io.trawl.worker.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.yara.YaraRules;

/**
 * JNA is given the folders to search for native libraries, so that it runs no {@code ldconfig -p} in the job's JVM
 * or a host's, and those folders hold the libyara that was loaded.
 */
class LibraryFoldersTests {

	@TempDir
	Path dir;

	@Test
	void theFoldersHoldTheLibyaraThisJvmLoadedAndHostsAreGivenThem() throws Exception {
		Path rules = Files.writeString(dir.resolve("rules.yar"), "rule everything { condition: true }\n");
		try (YaraRules compiled = YaraRules.compile(rules, 10)) {
			assertThat(compiled.version()).isNotBlank();
		}
		Path loaded = Files.readAllLines(Path.of("/proc/self/maps")).stream()
			.filter(line -> line.contains("/libyara"))
			.map(line -> Path.of(line.substring(line.indexOf('/'))))
			.findFirst()
			.orElseThrow();
		List<Path> folders = new ArrayList<>();
		for (String folder : LibraryFolders.withoutLdconfig().split(File.pathSeparator)) {
			folders.add(Path.of(folder).toRealPath());
		}
		assertThat(folders).contains(loaded.getParent().toRealPath());

		assertThat(NativeHosts.commandFor(dir, 0))
			.contains("-D" + LibraryFolders.PROPERTY + "=" + LibraryFolders.withoutLdconfig());
	}
}
