package io.trawl.worker.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
		return list(afterLocation, null);
	}

	/**
	 * Walks only what can hold the range: an entry whose name puts it, and everything below it, outside the range is
	 * not even looked at, so each of many partitions reads the directory listings but looks up only its own files,
	 * and holds only its own in memory.
	 */
	@Override
	public Stream<SampleRef> list(String afterLocation, String lastLocation) {
		check();
		Range range = new Range(afterLocation, lastLocation);
		List<SampleRef> refs = new ArrayList<>();
		try {
			walk(root, "", range, refs);
		}
		catch (IOException e) {
			throw new SampleSourceException("Cannot list the sample folder " + root + ": " + e.getMessage(), e);
		}
		refs.sort(Comparator.comparing(SampleRef::location));
		return refs.stream();
	}

	private void walk(Path dir, String prefix, Range range, List<SampleRef> refs) throws IOException {
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
			for (Path entry : entries) {
				String location = prefix + entry.getFileName();
				if (!range.mayHoldFile(location) && !range.mayHoldFolder(location + "/")) {
					continue;
				}
				BasicFileAttributes attributes;
				try {
					attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
				}
				catch (IOException e) {
					// listed all the same, so that opening it records why it could not be read
					addIfWithin(range, refs, new SampleRef(location, 0));
					continue;
				}
				if (attributes.isDirectory()) {
					if (range.mayHoldFolder(location + "/")) {
						walkOrRecord(entry, location, range, refs);
					}
				}
				else if (attributes.isRegularFile()) {
					addIfWithin(range, refs, new SampleRef(location, attributes.size()));
				}
				// symbolic links and special files are not samples: a corpus cannot point the scan outside itself
			}
		}
	}

	/**
	 * A folder below the root that cannot be listed becomes a sample whose read fails, so the job's results say why:
	 * nothing is skipped silently.
	 */
	private void walkOrRecord(Path dir, String location, Range range, List<SampleRef> refs) {
		try {
			walk(dir, location + "/", range, refs);
		}
		catch (IOException e) {
			addIfWithin(range, refs, new SampleRef(location, 0));
		}
	}

	private static void addIfWithin(Range range, List<SampleRef> refs, SampleRef ref) {
		if (range.mayHoldFile(ref.location())) {
			refs.add(ref);
		}
	}

	/** Locations after {@code after} (exclusive) up to {@code last} (inclusive), in String order; null is open. */
	private record Range(String after, String last) {

		boolean mayHoldFile(String location) {
			return (after == null || location.compareTo(after) > 0) && (last == null || location.compareTo(last) <= 0);
		}

		/**
		 * Whether any location starting with {@code folder} (which ends with "/") can lie in the range. Every such
		 * location sorts at or after the folder's own prefix; all of them sort before {@code after} when the prefix
		 * does and {@code after} is not inside the folder.
		 */
		boolean mayHoldFolder(String folder) {
			boolean allBefore = after != null && folder.compareTo(after) < 0 && !after.startsWith(folder);
			boolean allAfter = last != null && folder.compareTo(last) > 0;
			return !allBefore && !allAfter;
		}
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
