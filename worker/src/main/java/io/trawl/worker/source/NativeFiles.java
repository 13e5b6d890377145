package io.trawl.worker.source;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Locale;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * open(2) and close(2) from libc, for what java.nio cannot do: open a name that may have become a FIFO without
 * waiting for a writer (O_NONBLOCK), and a folder without following a link or blocking.
 */
final class NativeFiles {

	static final int ENOENT = 2;
	static final int ENXIO = 6;
	static final int EACCES = 13;
	static final int ENOTDIR = 20;
	static final int ELOOP = 40;

	private static final int O_RDONLY = 0;
	private static final int O_NONBLOCK = 04000;
	private static final int O_CLOEXEC = 02000000;
	private static final String ARCH = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
	private static final boolean GENERIC = switch (ARCH) {
		case "amd64", "x86_64", "x86", "i386", "riscv64", "s390x", "loongarch64" -> true;
		default -> false;
	};
	private static final boolean ARM_OR_POWER = switch (ARCH) {
		case "aarch64", "arm", "ppc64le", "ppc64" -> true;
		default -> false;
	};
	/** Their values differ between architectures; guessing wrong would silently follow links. */
	static final int O_NOFOLLOW = GENERIC ? 0400000 : 0100000;
	static final int O_DIRECTORY = GENERIC ? 0200000 : 040000;
	// the JDK turns path strings into bytes with this charset, so a file is named here as in java.nio
	private static final Charset PATH_BYTES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

	private NativeFiles() {
	}

	/**
	 * Opens {@code path} read-only, never waiting (O_NONBLOCK), not inherited by processes started later (O_CLOEXEC).
	 * @param flags more flags: {@link #O_NOFOLLOW}, {@link #O_DIRECTORY}
	 * @throws LastErrorException with the errno when open(2) fails
	 */
	static int open(String path, int flags) throws IOException {
		if (!GENERIC && !ARM_OR_POWER) {
			throw new IOException("Opening samples without following links is not supported on " + ARCH
					+ "; no sample is read.");
		}
		byte[] name = path.getBytes(PATH_BYTES);
		return LibC.INSTANCE.open(Arrays.copyOf(name, name.length + 1), O_RDONLY | O_NONBLOCK | O_CLOEXEC | flags);
	}

	static void close(int fd) {
		try {
			LibC.INSTANCE.close(fd);
		}
		catch (LastErrorException e) {
			// only ever read through, so a failed close loses nothing
		}
	}

	private interface LibC extends Library {

		LibC INSTANCE = Native.load("c", LibC.class);

		int open(byte[] path, int flags) throws LastErrorException;

		int close(int fd) throws LastErrorException;
	}
}
