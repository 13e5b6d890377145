package io.trawl.readmodel.query;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/** Runs the slices of one piece of work on a thread each; the first failure stops the others and is thrown as it is. */
final class Slices {

	private Slices() {
	}

	/**
	 * A slice's work that hands what it makes to the calling thread: {@code apply(slice, out)}, {@code out} taking
	 * each item (and waiting while the caller is behind).
	 */
	interface Feeding<T, B> {
		T apply(int slice, Consumer<B> out);
	}

	/** The results of {@code work} for slices 0 to {@code slices - 1}, in the order they finished. */
	static <T> List<T> inParallel(String name, int slices, IntFunction<T> work) {
		return inParallel(name, slices, (slice, out) -> work.apply(slice), item -> {
		});
	}

	/**
	 * As {@link #inParallel(String, int, IntFunction)}, but the slices hand items to the calling thread, which gives
	 * each to {@code consumer} while they run: work shared out, what it makes taken in on one thread (the one that
	 * holds a transaction, say). At most two items a slice wait at a time. A failure, the consumer's or a slice's,
	 * stops the others and is thrown as it is.
	 */
	static <T, B> List<T> inParallel(String name, int slices, Feeding<T, B> work, Consumer<B> consumer) {
		AtomicInteger count = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(slices, task -> {
			Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		BlockingQueue<B> handed = new ArrayBlockingQueue<>(2 * slices);
		try {
			ExecutorCompletionService<T> done = new ExecutorCompletionService<>(pool);
			for (int i = 0; i < slices; i++) {
				int slice = i;
				done.submit(() -> work.apply(slice, item -> {
					try {
						handed.put(item);
					}
					catch (InterruptedException e) {
						Thread.currentThread().interrupt();
						throw new IllegalStateException("Interrupted in " + name, e);
					}
				}));
			}
			List<T> results = new ArrayList<>(slices);
			while (results.size() < slices) {
				B item = handed.poll(10, TimeUnit.MILLISECONDS);
				if (item != null) {
					consumer.accept(item);
				}
				for (Future<T> ended = done.poll(); ended != null; ended = done.poll()) {
					results.add(ended.get());
				}
			}
			// a slice hands its last item before it ends
			for (B item = handed.poll(); item != null; item = handed.poll()) {
				consumer.accept(item);
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
