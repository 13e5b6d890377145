package io.trawl.worker.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
	/** A handle on the name's inode that opens nothing: no driver sees an open, no FIFO waits. Same everywhere. */
	static final int O_PATH = 010000000;
	private static final int AT_EMPTY_PATH = 0x1000;
	private static final int STATX_TYPE_AND_INO = 0x1 | 0x100;
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

	/**
	 * The type bits of st_mode, and the identity of what a descriptor refers to as java.nio's file key prints it;
	 * from statx(2), whose layout is the same on every architecture.
	 */
	record Identity(int type, String fileKey) {
	}

	/** What {@code fd} refers to (an O_PATH descriptor included), without opening it. */
	static Identity identify(int fd) throws IOException {
		byte[] buffer = new byte[256];
		try {
			LibC.INSTANCE.statx(fd, new byte[1], AT_EMPTY_PATH, STATX_TYPE_AND_INO, buffer);
		}
		catch (LastErrorException e) {
			throw new IOException("statx failed: " + e.getMessage(), e);
		}
		ByteBuffer statx = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
		int type = (statx.getShort(28) & 0xffff) & 0170000;
		long inode = statx.getLong(32);
		long major = statx.getInt(136) & 0xffffffffL;
		long minor = statx.getInt(140) & 0xffffffffL;
		// glibc's makedev: the st_dev that java.nio's file key prints, in hexadecimal
		long device = ((major & 0xfffL) << 8) | ((major & 0xfffff000L) << 32) | (minor & 0xffL)
				| ((minor & 0xffffff00L) << 12);
		return new Identity(type, "(dev=" + Long.toHexString(device) + ",ino=" + inode + ")");
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

		int statx(int dirfd, byte[] path, int flags, int mask, byte[] buffer) throws LastErrorException;
	}
}
