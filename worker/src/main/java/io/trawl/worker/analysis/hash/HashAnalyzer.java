package io.trawl.worker.analysis.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import io.trawl.worker.analysis.Deadline;
import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.AnalysisThreads;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * md5, sha1, sha256 and sha512 in one pass over the bytes; from {@link #TWO_PASSES_FROM} bytes on, in two passes side
 * by side (md5 and sha256 here, sha1 and sha512 on a helper thread), since a large sample's hashes come before its
 * other analyzers can start.
 */
public final class HashAnalyzer extends AbstractAnalyzer {

	/** The size from which the digests are split over two threads. */
	public static final long TWO_PASSES_FROM = 4L << 20;

	private static final String[] ALGORITHMS = { "MD5", "SHA-1", "SHA-256", "SHA-512" };
	private static final String[] FIELDS = { "md5", "sha1", "sha256", "sha512" };
	private static final int SLICE = 64 * 1024;

	// the helpers' tasks never wait for anything, so a fixed pool cannot deadlock however many samples share it
	private static final ExecutorService HELPERS = AnalysisThreads.perCore("analyse-hashes-");

	public HashAnalyzer() {
		super("hashes", "1");
	}

	@Override
	public Set<String> fields() {
		return Set.of("md5", "sha1", "sha256", "sha512");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		MessageDigest[] digests = new MessageDigest[ALGORITHMS.length];
		for (int i = 0; i < digests.length; i++) {
			digests[i] = digest(ALGORITHMS[i]);
		}
		if (sample.size() < TWO_PASSES_FROM) {
			pass(sample, null, digests);
		}
		else {
			AtomicBoolean stop = new AtomicBoolean();
			CompletableFuture<Void> helper = CompletableFuture.runAsync(() -> {
				try {
					pass(sample, stop, digests[1], digests[3]);
				}
				catch (IOException e) {
					throw new CompletionException(e);
				}
			}, HELPERS);
			try {
				pass(sample, null, digests[0], digests[2]);
				helper.join();
			}
			catch (CompletionException e) {
				if (e.getCause() instanceof IOException io) {
					throw io;
				}
				throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
			}
			finally {
				// out of time, or a failed read: the helper stops at its next slice, and is waited for (it reads the sample)
				stop.set(true);
				helper.exceptionally(ignored -> null).join();
			}
		}
		HexFormat hex = HexFormat.of();
		for (int i = 0; i < digests.length; i++) {
			findings.put(FIELDS[i], hex.formatHex(digests[i].digest()));
		}
	}

	/**
	 * Feeds the whole sample to {@code digests}, checking before each slice this thread's deadline, or for a helper
	 * (which has none) whether it is told to {@code stop}.
	 */
	private static void pass(Sample sample, AtomicBoolean stop, MessageDigest... digests) throws IOException {
		// each slice is copied once to the heap and fed to every digest while it is still in the cache
		byte[] slice = new byte[SLICE];
		sample.forEachBlock(block -> {
			ByteBuffer view = block.duplicate();
			while (view.hasRemaining()) {
				if (stop == null) {
					Deadline.check();
				}
				else if (stop.get()) {
					throw new CancellationException();
				}
				int n = Math.min(slice.length, view.remaining());
				view.get(slice, 0, n);
				for (MessageDigest digest : digests) {
					digest.update(slice, 0, n);
				}
			}
		});
	}

	private static MessageDigest digest(String algorithm) {
		try {
			return MessageDigest.getInstance(algorithm);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(algorithm + " is missing from this JDK", e);
		}
	}

	/** The sha256 of arbitrary bytes, hex-encoded; used for stable keys. */
	public static String sha256Hex(byte[] bytes) {
		return HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
	}
}
