package io.trawl.jobs.containment;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.tika.Tika;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

import io.trawl.worker.analysis.tlsh.Tlsh;
import io.trawl.worker.isolation.LibraryFolders;
import io.trawl.worker.isolation.NativeHosts;

/**
 * For a command that runs a job: starts a native host's JVM as soon as the settings are read, so that it boots while
 * this JVM builds its context (single-threaded work that leaves the other cores idle), not when the first sample
 * needs it. One host, not one per core: a job of a few samples has one partition and uses one host, and each further
 * partition starts its own as it starts ({@link NativeHostPools#isolate}). Nothing when native code runs in this JVM
 * ({@code trawl.analysis.isolate-native-code=false}). JNA is told where the native libraries are, so that this JVM
 * runs no {@code ldconfig} to find them ({@link LibraryFolders}).
 * <p>
 * Likewise, on a thread of its own, it builds the analyzers' tables that are built once a JVM: TLSH's lookup tables
 * (its class initialiser, 0.3 s of a one-file rescan's wall time on the first sample's thread) and Tika's MIME types
 * (0.07 s on the main thread), unless those analyzers are skipped.
 */
public final class NativeHostPrestart implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		LibraryFolders.useWithoutLdconfig();
		Environment settings = event.getEnvironment();
		buildTables(settings);
		if (!settings.getProperty("trawl.analysis.isolate-native-code", Boolean.class, true)) {
			return;
		}
		DataSize memoryLimit = DataSize.parse(settings.getProperty("trawl.analysis.native-memory-limit", "2GB"));
		NativeHosts.prestart(1, NativeHosts.crashLogFolder(Path.of(settings.getProperty("trawl.data-dir", "./data"))),
				memoryLimit.toBytes());
	}

	/** The same work the first sample would do, done while the context starts; a failure there is the sample's. */
	private static void buildTables(Environment settings) {
		Set<String> skipped = Arrays.stream(settings.getProperty("trawl.analysis.skip", "").split(","))
			.map(String::trim)
			.collect(Collectors.toSet());
		Thread tables = new Thread(() -> {
			try {
				if (!skipped.contains("tlsh")) {
					Class.forName(Tlsh.class.getName(), true, Tlsh.class.getClassLoader());
				}
				if (!skipped.contains("mimeType")) {
					new Tika(); // its MIME types are read once per class loader, this thread's as the analyzer's
				}
			}
			catch (ClassNotFoundException | RuntimeException | LinkageError e) {
				// the analyzer meets the same failure with its first sample, and reports it there
			}
		}, "trawl-tables");
		tables.setDaemon(true);
		tables.start();
	}
}
