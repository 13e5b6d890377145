package io.trawl.worker.source;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Samples from a local folder, read recursively. Every regular file is a sample; symbolic links are not followed,
 * so a corpus cannot point the scan outside itself. A file that cannot be read is still listed, so its failure is
 * recorded rather than silently skipped.
 */
public final class FolderSampleSource implements SampleSource {

	private final Path root;
	private final long inMemoryLimit;

	public FolderSampleSource(Path root, long inMemoryLimit) {
		this.root = root.toAbsolutePath().normalize();
		this.inMemoryLimit = inMemoryLimit;
	}

	@Override
	public String describe() {
		return root.toString();
	}

	@Override
	public void check() {
		if (!Files.isDirectory(root)) {
			throw new SampleSourceException("The sample folder " + root + " does not exist or is not a folder.");
		}
		if (!Files.isReadable(root)) {
			throw new SampleSourceException("The sample folder " + root + " is not readable by this user.");
		}
	}

	@Override
	public Stream<SampleRef> list(String afterLocation) {
		check();
		List<SampleRef> refs = new ArrayList<>();
		try {
			Files.walkFileTree(root, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
					if (attrs.isRegularFile()) {
						refs.add(new SampleRef(relative(file), attrs.size()));
					}
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException e) {
					if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
						refs.add(new SampleRef(relative(file), 0));
					}
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException e) {
			throw new SampleSourceException("Cannot list the sample folder " + root + ": " + e.getMessage(), e);
		}
		refs.sort(Comparator.comparing(SampleRef::location));
		return refs.stream().filter(ref -> afterLocation == null || ref.location().compareTo(afterLocation) > 0);
	}

	@Override
	public Sample open(SampleRef ref) throws IOException {
		Path file = root.resolve(ref.location()).normalize();
		if (!file.startsWith(root)) {
			throw new IOException("The location " + ref.location() + " lies outside " + root);
		}
		return Sample.ofFile(ref.location(), file, inMemoryLimit);
	}

	private String relative(Path file) {
		return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
	}
}
