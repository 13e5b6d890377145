package io.trawl.jobs.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The data folder holds results, IOCs, logs and the job repository: only its owner may read it. It is 0700 and the
 * files Trawl creates in it 0600, whatever the umask of whoever started the JVM ({@code java -jar} without the
 * launcher included).
 */
public final class PrivateDataDir {

	static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
	static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
	/** Deep enough for the demo corpus and native hosts' folders; a sample tree copied in by hand is not ours. */
	private static final int MAX_DEPTH = 4;
	/**
	 * The default sample root (trawl.sources.allowed): the user's own files, possibly millions, which a walk on every
	 * command would stat; the data folder's 0700 already keeps others out of it.
	 */
	private static final String SAMPLES = "samples";

	private PrivateDataDir() {
	}

	/**
	 * Creates {@code dir} 0700, or tightens an existing one (saying so once on {@code err}), tightens what is in it,
	 * and creates the log file 0600 before logging opens it with the umask's mode.
	 */
	public static void secure(Path dir, PrintStream err) throws IOException {
		if (!posix()) {
			return;
		}
		if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
			Files.setPosixFilePermissions(dir, DIRECTORY); // createDirectories' mode is masked by the umask
		}
		else {
			Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir);
			if (!before.equals(DIRECTORY)) {
				Files.setPosixFilePermissions(dir, DIRECTORY);
				err.println("trawl: made the data folder " + dir + " private to its owner (0700; it was "
						+ PosixFilePermissions.toString(before) + "), and its files 0600");
			}
		}
		Path log = dir.resolve("trawl.log");
		if (Files.notExists(log, LinkOption.NOFOLLOW_LINKS)) {
			try {
				Files.createFile(log, PosixFilePermissions.asFileAttribute(FILE));
			}
			catch (java.nio.file.FileAlreadyExistsException raced) {
				// another command started at the same moment made it (StatusWhileRescanIT); tighten() checks its mode
			}
		}
		tighten(dir);
	}

	/** Directories under {@code dir} 0700, regular files 0600, but for {@code samples/}; links are not followed. */
	public static void tighten(Path dir) {
		if (!posix()) {
			return;
		}
		Deque<Path> folders = new ArrayDeque<>();
		folders.push(dir);
		while (!folders.isEmpty()) {
			Path folder = folders.pop();
			int depth = folder.equals(dir) ? 0 : dir.relativize(folder).getNameCount();
			try (Stream<Path> entries = Files.list(folder)) {
				for (Path entry : (Iterable<Path>) entries::iterator) {
					if (depth == 0 && entry.getFileName().toString().equals(SAMPLES)) {
						continue;
					}
					if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
						restrict(entry, DIRECTORY);
						if (depth + 1 < MAX_DEPTH) {
							folders.push(entry);
						}
					}
					else if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
						restrict(entry, FILE);
					}
				}
			}
			catch (IOException gone) {
				// a folder removed while we looked (a native host's scratch space): nothing to protect
			}
		}
	}

	private static void restrict(Path path, Set<PosixFilePermission> mode) {
		try {
			PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
					LinkOption.NOFOLLOW_LINKS);
			Set<PosixFilePermission> current = view.readAttributes().permissions();
			Set<PosixFilePermission> allowed = java.util.EnumSet.copyOf(current);
			allowed.retainAll(mode);
			if (!allowed.equals(current)) {
				view.setPermissions(allowed);
			}
		}
		catch (IOException | RuntimeException notOurs) {
			// removed meanwhile, or owned by another user: left as it is
		}
	}

	private static boolean posix() {
		return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
	}
}
