package io.trawl.worker.analysis;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Pools of daemon threads for the parts of one sample's analysis that run beside each other. */
public final class AnalysisThreads {

	private AnalysisThreads() {
	}

	/**
	 * One thread per core, named {@code prefix} and a number ({@code bench/lib/proc_cpu.py} counts every thread whose
	 * name starts with "analyse" as analysis); daemons, so they never keep the JVM alive.
	 */
	public static ExecutorService perCore(String prefix) {
		AtomicInteger threads = new AtomicInteger();
		return Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), task -> {
			Thread thread = new Thread(task, prefix + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}
}
