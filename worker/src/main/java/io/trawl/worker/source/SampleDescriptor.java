package io.trawl.worker.source;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.jna.LastErrorException;

/**
 * One sample file of a folder, opened without following a symbolic link and without blocking, and checked on the open
 * descriptor to be the regular file the listing saw. Its bytes are then read through {@link #path()},
 * {@code /proc/<pid>/fd/<n>}: that names the open file, not a path in the folder, so a rename or a swap of the
 * original name changes nothing, and a native host (a child process of the same user) reads the same file through it.
 */
final class SampleDescriptor implements AutoCloseable {

	private static final int S_IFMT = 0170000;
	private static final long PID = ProcessHandle.current().pid();

	private final int fd;
	private final Path path;
	private final AtomicBoolean closed = new AtomicBoolean();

	private SampleDescriptor(int fd) {
		this.fd = fd;
		// by pid, not "self": the native hosts open it from their own processes
		this.path = Path.of("/proc", Long.toString(PID), "fd", Integer.toString(fd));
	}

	/**
	 * Opens {@code file} read-only with O_NOFOLLOW (a symbolic link fails with ELOOP), O_NONBLOCK (a FIFO opens at
	 * once instead of waiting for a writer) and O_CLOEXEC (native hosts started later do not inherit it), then checks
	 * that the open file is a regular file with the {@code fileKey} the listing recorded (null: not listed, so only
	 * the type is checked). A parent folder swapped for a symbolic link after listing is followed by open(2), but
	 * what it reaches is another inode, so the file key check refuses it as well. A device node put in its place is
	 * opened (its driver sees an open) before it is refused; creating one takes privileges a corpus writer lacks.
	 * @throws IOException one sentence naming the file and what it became, when it is not that file
	 */
	static SampleDescriptor open(Path file, String fileKey) throws IOException {
		String listed = fileKey == null ? " is " : " was replaced after listing by ";
		int fd;
		try {
			fd = NativeFiles.open(file.toString(), NativeFiles.O_NOFOLLOW);
		}
		catch (LastErrorException e) {
			throw switch (e.getErrorCode()) {
				case NativeFiles.ELOOP -> new IOException(file + listed + "a symbolic link; not read.");
				case NativeFiles.ENXIO -> new IOException(file + listed + "a socket; not read.");
				case NativeFiles.ENOENT -> new NoSuchFileException(file.toString(), null, fileKey == null
						? "it does not exist" : "it was removed or renamed after listing; not read");
				case NativeFiles.ENOTDIR -> new IOException(file + " is no longer inside a folder (a parent was "
						+ "replaced by a file after listing); not read.");
				case NativeFiles.EACCES -> new AccessDeniedException(file.toString());
				default -> new IOException(file + " cannot be opened: " + e.getMessage());
			};
		}
		SampleDescriptor opened = new SampleDescriptor(fd);
		try {
			// the attributes of /proc/self/fd/N are those of the open file, wherever its name now points
			Path self = Path.of("/proc/self/fd/" + fd);
			BasicFileAttributes attributes = Files.readAttributes(self, BasicFileAttributes.class);
			if (!attributes.isRegularFile()) {
				throw new IOException(file + listed + kind(self) + "; not read.");
			}
			String now = String.valueOf(attributes.fileKey());
			if (fileKey != null && !fileKey.equals(now)) {
				throw new IOException(file + " was replaced after listing by another file (listed as " + bare(fileKey)
						+ ", now " + bare(now) + "); not read.");
			}
			return opened;
		}
		catch (IOException | RuntimeException e) {
			opened.close();
			throw e;
		}
	}

	/** {@code /proc/<pid>/fd/<n>}: opening it opens this very file, in this process or in another of this user. */
	Path path() {
		return path;
	}

	@Override
	public void close() {
		if (closed.compareAndSet(false, true)) {
			NativeFiles.close(fd);
		}
	}

	/** "(dev=803,ino=12)" as "dev=803,ino=12", to sit inside a sentence's parentheses. */
	private static String bare(String fileKey) {
		return fileKey.replaceAll("[()]", "");
	}

	private static String kind(Path opened) throws IOException {
		int type = ((Number) Files.getAttribute(opened, "unix:mode")).intValue() & S_IFMT;
		return switch (type) {
			case 0010000 -> "a FIFO";
			case 0020000 -> "a character device";
			case 0040000 -> "a folder";
			case 0060000 -> "a block device";
			case 0140000 -> "a socket";
			default -> "a file of type " + Integer.toOctalString(type);
		};
	}
}
