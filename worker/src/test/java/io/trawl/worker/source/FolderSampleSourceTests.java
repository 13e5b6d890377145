package io.trawl.worker.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partition's range of a folder: the same samples as the whole listing cut to the range, found without the rest. */
class FolderSampleSourceTests {

	// names that sort on either side of "/" (0x2f): '-' and '.' before it, '0' and letters after it
	private static final String[] NAMES = { "a", "a-b", "a.b", "a0", "b", "b b", "z", "Z", "é" };

	@TempDir
	Path root;

	@Test
	void aRangeListsExactlyTheWholeListingCutToThatRange() throws IOException {
		Random random = new Random(11);
		fill(root, 0, random);
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		List<SampleRef> whole = list(source.list(null));
		assertThat(whole).hasSizeGreaterThan(100);
		List<String> bounds = new ArrayList<>(whole.stream().map(SampleRef::location).toList());
		bounds.addAll(List.of("", "a", "a/", "a-", "a/a-b", "b/z/", "zz", "\uffff"));
		for (int i = 0; i < 400; i++) {
			String after = random.nextInt(8) == 0 ? null : bounds.get(random.nextInt(bounds.size()));
			String last = random.nextInt(8) == 0 ? null : bounds.get(random.nextInt(bounds.size()));
			List<SampleRef> expected = whole.stream()
				.filter(ref -> after == null || ref.location().compareTo(after) > 0)
				.filter(ref -> last == null || ref.location().compareTo(last) <= 0)
				.toList();
			assertThat(list(source.list(after, last))).as("(%s, %s]", after, last).isEqualTo(expected);
		}
	}

	@Test
	void symbolicLinksAreNotSamplesAndAreNotFollowed() throws IOException {
		Path outside = Files.createTempDirectory("outside");
		Files.writeString(outside.resolve("secret"), "not a sample");
		Files.writeString(root.resolve("real.bin"), "a sample");
		Files.createSymbolicLink(root.resolve("link.bin"), root.resolve("real.bin"));
		Files.createSymbolicLink(root.resolve("elsewhere"), outside);

		assertThat(list(new FolderSampleSource(root, 1024).list(null, null)))
			.singleElement()
			.satisfies(ref -> assertThat(ref).isEqualTo(new SampleRef("real.bin", 8, ref.fileKey(), ref.identity())))
			.satisfies(ref -> assertThat(ref.fileKey()).as("the identity the listing saw").isNotBlank());
	}

	@Test
	void theIdentityOfAFileChangesWithItsBytesOrMtimeAndNotWithItsName() throws IOException {
		Path file = Files.writeString(root.resolve("a.bin"), "first bytes");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		String listed = identity(source, "a.bin");

		assertThat(identity(source, "a.bin")).as("listed again").isEqualTo(listed).contains("size=11");
		Files.move(file, root.resolve("b.bin"));
		assertThat(identity(source, "b.bin")).as("renamed").isEqualTo(listed);
		Files.setLastModifiedTime(root.resolve("b.bin"), FileTime.fromMillis(1_000));
		String touched = identity(source, "b.bin");
		assertThat(touched).as("touched").isNotEqualTo(listed);
		Files.writeString(root.resolve("b.bin"), "other, longer bytes");
		Files.setLastModifiedTime(root.resolve("b.bin"), FileTime.fromMillis(1_000));
		assertThat(identity(source, "b.bin")).as("rewritten").isNotEqualTo(touched);
	}

	private static String identity(FolderSampleSource source, String location) {
		return list(source.list(null, null)).stream().filter(ref -> ref.location().equals(location)).findFirst()
			.orElseThrow().identity();
	}

	private static void fill(Path dir, int depth, Random random) throws IOException {
		for (String name : NAMES) {
			int kind = random.nextInt(depth < 3 ? 3 : 1);
			Path path = dir.resolve(name);
			if (kind == 2) {
				Files.createDirectory(path);
				fill(path, depth + 1, random);
			}
			else if (kind == 0) {
				Files.write(path, new byte[random.nextInt(50)]);
			}
		}
	}

	private static List<SampleRef> list(Stream<SampleRef> refs) {
		try (refs) {
			return refs.toList();
		}
	}
}
