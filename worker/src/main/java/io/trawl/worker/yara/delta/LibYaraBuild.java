package io.trawl.worker.yara.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

import com.sun.jna.NativeLibrary;

/**
 * Which libyara this process scans with. libyara 4.2 exports no version call (its version is a macro in the header),
 * so the loaded library file's name and sha256 stand for it: a different build, even of the same version, counts as a
 * change, which can only cost a rescan, never a stale match.
 */
final class LibYaraBuild {

	private static String identity;

	private LibYaraBuild() {
	}

	static synchronized String identity() {
		if (identity == null) {
			Path file = loadedFile();
			try {
				byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
				identity = file.getFileName() + " sha256:" + HexFormat.of().formatHex(sha256); // as sha256sum says
			}
			catch (NoSuchAlgorithmException e) {
				throw new IllegalStateException(e);
			}
			catch (IOException e) {
				throw new IllegalStateException("Cannot read the loaded libyara " + file + ": " + e.getMessage(), e);
			}
		}
		return identity;
	}

	/** JNA knows the file only when it found it itself; when the system's loader did, the process's map tells. */
	private static Path loadedFile() {
		Path named = NativeLibrary.getInstance("yara").getFile().toPath();
		if (named.isAbsolute()) {
			return named;
		}
		try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
			return maps.map(line -> line.substring(line.lastIndexOf(' ') + 1))
				.filter(path -> path.startsWith("/") && Path.of(path).getFileName().toString().startsWith("libyara."))
				.findFirst()
				.map(Path::of)
				.orElseThrow(() -> new IllegalStateException("libyara is loaded, but not from a file this process maps."));
		}
		catch (IOException e) {
			throw new IllegalStateException("Cannot tell which libyara file is loaded: " + e.getMessage(), e);
		}
	}
}
