package io.trawl.readmodel.dynamodb;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small bounded pool for independent single-item requests (conditional puts, per-shard counts). Its threads are
 * daemons and time out when idle, so an adapter that is never closed leaks nothing.
 */
final class Fanout implements AutoCloseable {

	private final ThreadPoolExecutor pool;

	Fanout(String name, int parallelism) {
		if (parallelism < 1) {
			throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
		}
		AtomicInteger count = new AtomicInteger();
		this.pool = new ThreadPoolExecutor(parallelism, parallelism, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				task -> {
					Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		pool.allowCoreThreadTimeOut(true);
	}

	/** Runs every task and waits for all of them; rethrows the first failure once all have finished. */
	<T> List<T> all(List<? extends Callable<T>> tasks) {
		if (tasks.size() == 1) {
			try {
				return List.of(tasks.get(0).call());
			}
			catch (RuntimeException e) {
				throw e;
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		}
		List<Future<T>> futures = new ArrayList<>(tasks.size());
		for (Callable<T> task : tasks) {
			futures.add(pool.submit(task));
		}
		List<T> results = new ArrayList<>(tasks.size());
		RuntimeException failure = null;
		boolean interrupted = false;
		for (Future<T> future : futures) {
			try {
				results.add(future.get());
			}
			catch (InterruptedException e) {
				interrupted = true;
				future.cancel(true);
				failure = failure != null ? failure : new IllegalStateException("Interrupted", e);
			}
			catch (ExecutionException e) {
				RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime
						: new IllegalStateException(e.getCause());
				if (failure == null) {
					failure = cause;
				}
				else {
					failure.addSuppressed(cause);
				}
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		if (failure != null) {
			throw failure;
		}
		return results;
	}

	<T> Future<T> submit(Callable<T> task) {
		return pool.submit(task);
	}

	/** The task's result, with its own runtime exception rethrown as is. */
	static <T> T await(Future<T> future) {
		try {
			return future.get();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while reading from DynamoDB", e);
		}
		catch (ExecutionException e) {
			throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
		}
	}

	@Override
	public void close() {
		pool.shutdown();
	}
}
