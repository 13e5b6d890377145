package io.trawl.worker.isolation;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The folders JNA searches for a native library (libyara, libc), given to it so that it does not build the list
 * itself: on Linux it runs {@code ldconfig -p} for it once per JVM, a process spawned (a jspawnhelper and an ldconfig)
 * in the job's JVM and in every native host's. Those are the folders JNA lists without ldconfig; what ldconfig adds
 * is the dynamic loader's own cache, and JNA's last resort, {@code dlopen} by the library's name, reads that cache
 * itself. A {@code jna.platform.library.path} set by the user is kept.
 */
public final class LibraryFolders {

	/** JNA's system property for the platform's folders; when set, JNA neither builds the list nor runs ldconfig. */
	static final String PROPERTY = "jna.platform.library.path";

	private LibraryFolders() {
	}

	/** Sets {@value #PROPERTY} in this JVM unless it is set or this is not Linux; call before JNA loads a library. */
	public static void useWithoutLdconfig() {
		String folders = withoutLdconfig();
		if (folders != null && System.getProperty(PROPERTY) == null) {
			System.setProperty(PROPERTY, folders);
		}
	}

	/**
	 * This JVM's {@value #PROPERTY} if set, else the usual folders of this Linux that exist (the multi-arch ones
	 * first), else null (not Linux: JNA runs no ldconfig there).
	 */
	static String withoutLdconfig() {
		String set = System.getProperty(PROPERTY);
		if (set != null) {
			return set;
		}
		if (!System.getProperty("os.name", "").startsWith("Linux")) {
			return null;
		}
		String arch = System.getProperty("os.arch", "");
		String multiArch = (arch.equals("amd64") ? "x86_64" : arch) + "-linux-gnu";
		return Stream.of("/usr/lib/" + multiArch, "/lib/" + multiArch, "/usr/lib64", "/lib64", "/usr/lib", "/lib")
			.filter(folder -> Files.isDirectory(Path.of(folder)))
			.collect(Collectors.joining(File.pathSeparator));
	}
}
