package io.trawl.worker.source;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.jna.LastErrorException;

/**
 * One sample file of a folder, checked to be the regular file the listing saw before anything opens it (so a link,
 * a FIFO or a device put in its place is never opened). Its bytes are then read through {@link #path()},
 * {@code /proc/<pid>/fd/<n>}: that names the open file, not a path in the folder, so a rename or a swap of the
 * original name changes nothing, and a native host (a child process of the same user) reads the same file through it.
 */
final class SampleDescriptor implements AutoCloseable {

	private static final int S_IFREG = 0100000;
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
	 * Takes an O_PATH handle on {@code file} without following a symbolic link (a handle opens nothing: no driver
	 * sees an open, no FIFO waits for a writer), checks on that handle that it is a regular file with the
	 * {@code fileKey} the listing recorded (null: not listed, so only the type is checked), and only then opens that
	 * very inode read-only through {@code /proc/self/fd}. A parent folder swapped for a symbolic link after listing
	 * is followed by open(2), but what it reaches is another inode, so the file key check refuses it as well.
	 * @throws IOException one sentence naming the file and what it became, when it is not that file
	 */
	static SampleDescriptor open(Path file, String fileKey) throws IOException {
		String listed = fileKey == null ? " is " : " was replaced after listing by ";
		int handle;
		try {
			handle = NativeFiles.open(file.toString(), NativeFiles.O_PATH | NativeFiles.O_NOFOLLOW);
		}
		catch (LastErrorException e) {
			throw switch (e.getErrorCode()) {
				case NativeFiles.ENOENT -> new NoSuchFileException(file.toString(), null, fileKey == null
						? "it does not exist" : "it was removed or renamed after listing; not read");
				case NativeFiles.ENOTDIR -> new IOException(file + " is no longer inside a folder (a parent was "
						+ "replaced by a file after listing); not read.");
				case NativeFiles.EACCES -> new AccessDeniedException(file.toString());
				default -> new IOException(file + " cannot be opened: " + e.getMessage());
			};
		}
		try {
			NativeFiles.Identity identity = NativeFiles.identify(handle);
			if (identity.type() != S_IFREG) {
				throw new IOException(file + listed + kind(identity.type()) + "; not read.");
			}
			if (fileKey != null && !fileKey.equals(identity.fileKey())) {
				throw new IOException(file + " was replaced after listing by another file (listed as " + bare(fileKey)
						+ ", now " + bare(identity.fileKey()) + "); not read.");
			}
			try {
				// the handle names this inode, a regular file: opening it cannot reach anything else or block
				return new SampleDescriptor(NativeFiles.open("/proc/self/fd/" + handle, 0));
			}
			catch (LastErrorException e) {
				throw e.getErrorCode() == NativeFiles.EACCES ? new AccessDeniedException(file.toString())
						: new IOException(file + " cannot be opened: " + e.getMessage());
			}
		}
		finally {
			NativeFiles.close(handle);
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

	private static String kind(int type) {
		return switch (type) {
			case 0120000 -> "a symbolic link";
			case 0010000 -> "a FIFO";
			case 0020000 -> "a character device";
			case 0040000 -> "a folder";
			case 0060000 -> "a block device";
			case 0140000 -> "a socket";
			default -> "a file of type " + Integer.toOctalString(type);
		};
	}
}
