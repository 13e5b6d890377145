package io.trawl.readmodel.query;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** Runs the slices of one piece of work on a thread each; the first failure stops the others and is thrown as it is. */
final class Slices {

	private Slices() {
	}

	/** The results of {@code work} for slices 0 to {@code slices - 1}, in the order they finished. */
	static <T> List<T> inParallel(String name, int slices, IntFunction<T> work) {
		AtomicInteger count = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(slices, task -> {
			Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		try {
			ExecutorCompletionService<T> done = new ExecutorCompletionService<>(pool);
			for (int i = 0; i < slices; i++) {
				int slice = i;
				done.submit(() -> work.apply(slice));
			}
			List<T> results = new ArrayList<>(slices);
			for (int i = 0; i < slices; i++) {
				results.add(done.take().get());
			}
			return results;
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted in " + name, e);
		}
		catch (ExecutionException e) {
			if (e.getCause() instanceof Error error) {
				throw error;
			}
			throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
		}
		finally {
			pool.shutdownNow();
		}
	}
}
