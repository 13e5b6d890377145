package io.trawl.worker.source;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.jna.LastErrorException;

/**
 * Samples from a local folder and the folders below it, down to {@code maxDepth} levels. Every regular file is a
 * sample; symbolic links are not followed, so a corpus cannot point the scan outside itself. A file that cannot be
 * read, a folder that cannot be listed and a folder too deep to walk are still listed, so their failure is recorded
 * rather than silently skipped. Opening a sample checks that it is still the regular file that was listed
 * ({@link SampleDescriptor}).
 */
public final class FolderSampleSource implements SampleSource {

	/** Levels of folders walked below the root unless told otherwise. */
	public static final int DEFAULT_MAX_DEPTH = 64;

	private final Path root;
	private final long inMemoryLimit;
	private final int maxDepth;

	public FolderSampleSource(Path root, long inMemoryLimit) {
		this(root, inMemoryLimit, DEFAULT_MAX_DEPTH);
	}

	/**
	 * @param maxDepth how many levels of folders below the root are walked: 0 lists the root's own files only. A
	 *        folder below that is listed as one location, {@code its/path/}, whose read fails saying so
	 */
	public FolderSampleSource(Path root, long inMemoryLimit, int maxDepth) {
		if (maxDepth < 0) {
			throw new IllegalArgumentException("The folder depth limit must be 0 or more, not " + maxDepth + ".");
		}
		this.root = root.toAbsolutePath().normalize();
		this.inMemoryLimit = inMemoryLimit;
		this.maxDepth = maxDepth;
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
			walk(range, refs);
		}
		catch (IOException | DirectoryIteratorException e) {
			String why = e instanceof DirectoryIteratorException d ? d.getCause().getMessage() : e.getMessage();
			throw new SampleSourceException("Cannot list the sample folder " + root + ": " + why, e);
		}
		refs.sort(Comparator.comparing(SampleRef::location));
		return refs.stream();
	}

	/**
	 * Depth first with a stack of open folders, not recursion: a deep tree costs one open folder per level (at most
	 * {@code maxDepth} + 1), not a stack frame chain that overflows. Each folder is opened relative to its parent's
	 * descriptor, without following a link and without blocking, so a folder swapped for a symbolic link or a FIFO
	 * while the walk runs is neither listed nor waited on.
	 * @throws IOException when the root itself cannot be listed; a folder below it that cannot is recorded instead
	 */
	private void walk(Range range, List<SampleRef> refs) throws IOException {
		Deque<Folder> folders = new ArrayDeque<>();
		try {
			folders.push(Folder.open(root.toString(), 0, "", 0));
			while (!folders.isEmpty()) {
				Folder folder = folders.peek();
				Path entry;
				try {
					entry = folder.entries.hasNext() ? folder.entries.next() : null;
				}
				catch (DirectoryIteratorException e) {
					if (folder.depth == 0) {
						throw e;
					}
					// what it listed so far stays; the folder itself is recorded, so opening it says why
					addIfWithin(range, refs, new SampleRef(folder.location(), 0));
					entry = null;
				}
				if (entry == null) {
					folders.pop().close();
					continue;
				}
				String location = folder.prefix + entry.getFileName();
				if (!range.mayHoldFile(location) && !range.mayHoldFolder(location + "/")) {
					continue;
				}
				BasicFileAttributes attributes;
				try {
					attributes = folder.attributes(entry);
				}
				catch (IOException e) {
					// listed all the same, so that opening it records why it could not be read
					addIfWithin(range, refs, new SampleRef(location, 0));
					continue;
				}
				if (attributes.isDirectory()) {
					if (!range.mayHoldFolder(location + "/")) {
						continue;
					}
					if (folder.depth >= maxDepth) {
						addIfWithin(range, refs, new SampleRef(location + "/", 0));
						continue;
					}
					try {
						folders.push(folder.child(entry, location + "/"));
					}
					catch (IOException e) {
						// a folder that cannot be listed becomes a sample whose read fails, so the results say why
						addIfWithin(range, refs, new SampleRef(location, 0));
					}
				}
				else if (attributes.isRegularFile()) {
					String fileKey = attributes.fileKey() == null ? null : attributes.fileKey().toString();
					addIfWithin(range, refs, new SampleRef(location, attributes.size(), fileKey,
							fileKey == null ? null : "size=" + attributes.size() + ",mtime="
									+ attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS) + ",file=" + fileKey));
				}
				// symbolic links and special files are not samples: a corpus cannot point the scan outside itself
			}
		}
		finally {
			for (Folder folder : folders) {
				folder.close();
			}
		}
	}

	/** A folder being listed: its descriptor, where the walk is in it, and its location with a trailing "/". */
	private static final class Folder {

		final int fd;
		final DirectoryStream<Path> stream;
		final Iterator<Path> entries;
		final String prefix;
		final int depth;

		private Folder(int fd, DirectoryStream<Path> stream, String prefix, int depth) {
			this.fd = fd;
			this.stream = stream;
			this.entries = stream.iterator();
			this.prefix = prefix;
			this.depth = depth;
		}

		/** Opens a folder with O_DIRECTORY|O_NONBLOCK (a FIFO fails at once) and {@code flags}, and lists it. */
		static Folder open(String path, int flags, String prefix, int depth) throws IOException {
			int fd;
			try {
				fd = NativeFiles.open(path, NativeFiles.O_DIRECTORY | flags);
			}
			catch (LastErrorException e) {
				throw new IOException(e.getMessage().replaceFirst("^\\[\\d+\\] ", ""), e);
			}
			try {
				// listed through the descriptor: this folder, whatever its name points to by now
				return new Folder(fd, Files.newDirectoryStream(Path.of("/proc/self/fd/" + fd)), prefix, depth);
			}
			catch (IOException | RuntimeException e) {
				NativeFiles.close(fd);
				throw e;
			}
		}

		/** The entry as a folder, looked up in this one's descriptor, never through a link. */
		Folder child(Path entry, String prefix) throws IOException {
			return open("/proc/self/fd/" + fd + "/" + entry.getFileName(), NativeFiles.O_NOFOLLOW, prefix, depth + 1);
		}

		/** Its entries' paths go through this folder's descriptor, so only the last name is looked up, unfollowed. */
		BasicFileAttributes attributes(Path entry) throws IOException {
			return Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
		}

		String location() {
			return prefix.substring(0, prefix.length() - 1);
		}

		void close() throws IOException {
			try {
				stream.close();
			}
			finally {
				NativeFiles.close(fd);
			}
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

	/**
	 * Opens the file the listing saw, never a symbolic link, FIFO, socket or device put in its place, and never
	 * blocks; the sample reads the open descriptor, which stays open until the sample is closed.
	 */
	@Override
	public Sample open(SampleRef ref) throws IOException {
		Path file = root.resolve(ref.location()).normalize();
		if (!file.startsWith(root)) {
			throw new IOException("The location " + ref.location() + " lies outside " + root);
		}
		if (ref.location().endsWith("/")) {
			throw new IOException("The folder " + file + " is more than " + maxDepth + " levels below " + root
					+ ", so it was not walked; raise trawl.sources.max-depth to include it.");
		}
		SampleDescriptor descriptor = SampleDescriptor.open(file, ref.fileKey());
		try {
			return Sample.ofFile(ref.location(), descriptor.path(), inMemoryLimit, descriptor::close);
		}
		catch (IOException | RuntimeException e) {
			descriptor.close();
			throw e;
		}
	}
}
