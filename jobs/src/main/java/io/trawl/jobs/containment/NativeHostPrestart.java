package io.trawl.jobs.containment;

import java.nio.file.Path;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

import io.trawl.worker.isolation.NativeHosts;

/**
 * For a command that runs a job: starts the native hosts' JVMs as soon as the settings are read, so that they boot
 * while this JVM builds its context (single-threaded work that leaves the other cores idle), not when the first
 * sample needs them. Nothing when native code runs in this JVM ({@code trawl.analysis.isolate-native-code=false}).
 */
public final class NativeHostPrestart implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		Environment settings = event.getEnvironment();
		if (!settings.getProperty("trawl.analysis.isolate-native-code", Boolean.class, true)) {
			return;
		}
		int threads = settings.getProperty("trawl.analysis.threads", Integer.class, 0);
		DataSize memoryLimit = DataSize.parse(settings.getProperty("trawl.analysis.native-memory-limit", "2GB"));
		NativeHosts.prestart(threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
				NativeHosts.crashLogFolder(Path.of(settings.getProperty("trawl.data-dir", "./data"))),
				memoryLimit.toBytes());
	}
}
