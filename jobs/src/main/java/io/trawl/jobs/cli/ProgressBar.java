package io.trawl.jobs.cli;

import java.io.PrintStream;
import java.util.function.Supplier;

import io.trawl.jobs.rescan.ProgressMeter.Progress;

/**
 * Draws samples done/total, MB/s and ETA on stderr (or another unit's done/total and ETA, for a job that reads no
 * bytes): redrawn in place on a terminal, one line every 10 s otherwise (so logs of unattended runs stay readable).
 */
final class ProgressBar implements AutoCloseable {

	private final Supplier<Progress> progress;
	private final String unit;
	private final PrintStream out;
	private final boolean terminal;
	private final long started = System.nanoTime();
	private final Thread thread;
	private volatile boolean running = true;

	/** @param unit what the progress counts: "samples" for a rescan (with MB/s), "jobs" for a rebuild */
	ProgressBar(Supplier<Progress> progress, String unit, PrintStream out) {
		this.progress = progress;
		this.unit = unit;
		this.out = out;
		this.terminal = System.console() != null;
		this.thread = new Thread(this::loop, "progress-bar");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void loop() {
		long interval = terminal ? 500 : 10_000;
		while (running) {
			try {
				Thread.sleep(interval);
			}
			catch (InterruptedException e) {
				return;
			}
			draw(false);
		}
	}

	private void draw(boolean last) {
		Progress p = progress.get();
		if (p == null || p.totalSamples.get() < 0) {
			return;
		}
		long total = p.totalSamples.get();
		long done = p.doneSamples.get();
		double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
		double mbPerSecond = p.doneBytes.get() / 1e6 / seconds;
		boolean bytes = unit.equals("samples"); // a rescan's ETA goes by bytes: samples vary in size
		double rate = bytes ? mbPerSecond * 1e6 : done / seconds;
		double left = Math.max(0, bytes ? p.totalBytes.get() - p.doneBytes.get() : total - done);
		String eta = rate <= 0 ? "--:--" : clock((long) (left / rate));
		int width = 30;
		int filled = total == 0 ? width : (int) Math.min(width, width * done / total);
		String line = String.format("[%s%s] %d/%d %s  %sETA %s", "#".repeat(filled), " ".repeat(width - filled), done,
				total, unit, bytes ? String.format("%.1f MB/s  ", mbPerSecond) : "", eta);
		if (terminal) {
			out.print("\r" + line + (last ? "\n" : ""));
		}
		else {
			out.println(line);
		}
		out.flush();
	}

	private static String clock(long seconds) {
		return String.format("%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
	}

	@Override
	public void close() {
		running = false;
		thread.interrupt();
		draw(true);
	}
}
