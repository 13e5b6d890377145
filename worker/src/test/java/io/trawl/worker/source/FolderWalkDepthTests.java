package io.trawl.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A folder tree 3,000 levels deep, with a file {@code f} and a folder {@code d} at every level: the walk lists it
 * without recursion, down to its depth limit, and records the folder below the limit as a location whose read fails.
 */
class FolderWalkDepthTests {

	private static final int LEVELS = 3000;


	private static Path base;
	private static Path root;

	/**
	 * Paths this deep are longer than PATH_MAX, so the tree is built as blocks of 500 levels, each moved (one rename)
	 * into the deepest folder of the next block.
	 */
	@BeforeAll
	static void deepTree() throws IOException {
		base = Files.createTempDirectory("deep-tree");
		Path inner = null;
		for (int block = 0; block < LEVELS / 500; block++) {
			Path top = Files.createDirectory(base.resolve("block" + block));
			Path deepest = top;
			Files.writeString(deepest.resolve("f"), "x");
			for (int level = inner == null ? 0 : 1; level < 500; level++) {
				deepest = Files.createDirectory(deepest.resolve("d"));
				Files.writeString(deepest.resolve("f"), "x");
			}
			if (inner != null) {
				Files.move(inner, deepest.resolve("d"));
			}
			inner = top;
		}
		root = inner;
	}

	@AfterAll
	static void removeTree() throws Exception {
		if (base != null) {
			// JUnit's @TempDir cannot delete paths longer than PATH_MAX; rm works relative to each folder
			Process rm = new ProcessBuilder("rm", "-rf", base.toString()).inheritIO().start();
			assertThat(rm.waitFor(60, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void givenATreeDeeperThanTheLimit_whenListed_thenFilesWithinItAreListedAndTheFolderBelowIsRecorded()
			throws IOException {
		FolderSampleSource source = new FolderSampleSource(root, 1024, 64);

		List<SampleRef> refs = list(source.list(null));

		List<String> expected = new ArrayList<>();
		for (int level = 0; level <= 64; level++) {
			expected.add("d/".repeat(level) + "f");
		}
		String tooDeep = "d/".repeat(65);
		expected.add(tooDeep);
		assertThat(refs).extracting(SampleRef::location).containsExactlyInAnyOrderElementsOf(expected);
		assertThat(refs).extracting(SampleRef::location).isSorted();
		assertThatThrownBy(() -> source.open(refs.stream().filter(r -> r.location().equals(tooDeep)).findFirst()
			.orElseThrow()))
			.isInstanceOf(IOException.class)
			.hasMessage("The folder " + root.resolve(tooDeep.substring(0, tooDeep.length() - 1)) + " is more than 64 "
					+ "levels below " + root + ", so it was not walked; raise trawl.sources.max-depth to include it.");
		SampleRef deepest = refs.stream().filter(r -> r.location().equals("d/".repeat(64) + "f")).findFirst()
			.orElseThrow();
		try (Sample sample = source.open(deepest)) {
			assertThat(sample.size()).isEqualTo(1);
		}
	}

	@Test
	void givenTheDeepTree_whenListedInRanges_thenEachRangeIsTheWholeListingCutToIt() {
		FolderSampleSource source = new FolderSampleSource(root, 1024, 64);
		List<String> whole = list(source.list(null)).stream().map(SampleRef::location).toList();
		String tooDeep = "d/".repeat(65);

		for (String[] range : new String[][] { { null, tooDeep }, { tooDeep, null }, { "d/d/f", tooDeep },
				{ "d/".repeat(64), "d/".repeat(64) + "f" }, { "d/".repeat(30) + "f", "d/".repeat(66) } }) {
			List<String> expected = whole.stream()
				.filter(location -> range[0] == null || location.compareTo(range[0]) > 0)
				.filter(location -> range[1] == null || location.compareTo(range[1]) <= 0)
				.toList();
			assertThat(list(source.list(range[0], range[1]))).extracting(SampleRef::location)
				.as("(%s, %s]", range[0], range[1])
				.isEqualTo(expected);
		}
	}

	@Test
	void givenALimitOfAThousandLevels_whenTheDeepTreeIsListed_thenThereIsNoStackOverflow() {
		List<SampleRef> refs = list(new FolderSampleSource(root, 1024, 1000).list(null));

		assertThat(refs).hasSize(1001 + 1);
		assertThat(refs).extracting(SampleRef::location).contains("d/".repeat(1000) + "f", "d/".repeat(1001));
	}

	@Test
	void givenALimitOfZero_whenListed_thenOnlyTheRootsFilesAreWalked() {
		assertThat(list(new FolderSampleSource(root, 1024, 0).list(null))).extracting(SampleRef::location)
			.containsExactly("d/", "f");
	}

	private static List<SampleRef> list(Stream<SampleRef> refs) {
		try (refs) {
			return refs.toList();
		}
	}
}
