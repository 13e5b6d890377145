package io.trawl.worker.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of one sample, read once. Samples up to {@code inMemoryLimit} are held in a direct buffer that every
 * analyzer shares (and that native code reads without copying); larger ones stay in their file and are streamed.
 */
public final class Sample implements AutoCloseable {

	private static final AtomicLong TOKENS = new AtomicLong();

	private final long token = TOKENS.incrementAndGet();
	private final String name;
	private final long size;
	private final Path file;
	private final ByteBuffer bytes;
	private final Runnable onClose;
	private boolean closed;

	private Sample(String name, long size, Path file, ByteBuffer bytes, Runnable onClose) {
		this.name = name;
		this.size = size;
		this.file = file;
		this.bytes = bytes;
		this.onClose = onClose;
	}

	/** Reads a file into memory if it is small enough, otherwise keeps a handle to stream it. */
	public static Sample ofFile(String name, Path file, long inMemoryLimit, Runnable onClose) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			long size = channel.size();
			if (size > inMemoryLimit) {
				return new Sample(name, size, file, null, onClose);
			}
			ByteBuffer buffer = SampleBuffers.take((int) size);
			try {
				while (buffer.hasRemaining()) {
					if (channel.read(buffer) < 0) {
						break; // the file shrank while we read it; analyse what is there
					}
				}
			}
			catch (IOException | RuntimeException e) {
				SampleBuffers.give(buffer);
				throw e;
			}
			buffer.flip();
			return new Sample(name, buffer.remaining(), file, buffer.asReadOnlyBuffer(), () -> {
				SampleBuffers.give(buffer);
				onClose.run();
			});
		}
	}

	public static Sample ofFile(String name, Path file, long inMemoryLimit) throws IOException {
		return ofFile(name, file, inMemoryLimit, () -> {
		});
	}

	/** A sample that only exists in memory, such as an archive member. */
	public static Sample ofBytes(String name, byte[] content) {
		ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(content.length, 1));
		buffer.put(content).flip();
		return new Sample(name, content.length, null, buffer.asReadOnlyBuffer(), () -> {
		});
	}

	/**
	 * Unique to this sample among all opened by this JVM: a cache in another process keys on it, because a file
	 * name, and the descriptor number in {@code /proc/<pid>/fd/<n>}, are reused by the next sample.
	 */
	public long token() {
		return token;
	}

	/** The sample's name in its source: a relative path, an S3 key, or a path inside an archive. */
	public String name() {
		return name;
	}

	public long size() {
		return size;
	}

	/** The whole content, when it was small enough to hold; each call gives an independent view. */
	public Optional<ByteBuffer> bytes() {
		return Optional.ofNullable(bytes).map(ByteBuffer::duplicate);
	}

	/**
	 * The file behind the sample, if there is one. Large samples always have one. For a folder's sample it is the
	 * open descriptor's {@code /proc/<pid>/fd/<n>}, valid until the sample is closed.
	 */
	public Optional<Path> file() {
		return Optional.ofNullable(file);
	}

	/** The first {@code n} bytes (fewer for a shorter sample), for magic detection. */
	public byte[] head(int n) {
		int length = (int) Math.min(n, size);
		byte[] out = new byte[length];
		if (bytes != null) {
			bytes.duplicate().get(out);
			return out;
		}
		try (InputStream in = Files.newInputStream(file)) {
			int read = in.readNBytes(out, 0, length);
			return read == length ? out : java.util.Arrays.copyOf(out, read);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Calls {@code block} over the whole content, in order, in one or more buffers. */
	public void forEachBlock(BlockConsumer block) throws IOException {
		if (bytes != null) {
			block.accept(bytes.duplicate());
			return;
		}
		ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			while (channel.read(buffer) >= 0) {
				buffer.flip();
				block.accept(buffer);
				buffer.clear();
			}
		}
	}

	public InputStream openStream() throws IOException {
		if (bytes != null) {
			ByteBuffer view = bytes.duplicate();
			return new InputStream() {
				@Override
				public int read() {
					return view.hasRemaining() ? view.get() & 0xff : -1;
				}

				@Override
				public int read(byte[] b, int off, int len) {
					if (!view.hasRemaining()) {
						return -1;
					}
					int n = Math.min(len, view.remaining());
					view.get(b, off, n);
					return n;
				}
			};
		}
		return Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ));
	}

	/** Releases the sample: its buffer goes back for the next one, so no view of it may be used afterwards. */
	@Override
	public void close() {
		if (!closed) {
			closed = true;
			onClose.run();
		}
	}

	@FunctionalInterface
	public interface BlockConsumer {
		void accept(ByteBuffer block) throws IOException;
	}
}
