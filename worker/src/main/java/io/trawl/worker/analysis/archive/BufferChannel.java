package io.trawl.worker.analysis.archive;

import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/** A read-only channel over a sample's shared buffer, so archives are opened without copying them to the heap. */
final class BufferChannel implements SeekableByteChannel {

	private final ByteBuffer buffer;
	private long position;
	private boolean open = true;

	BufferChannel(ByteBuffer buffer) {
		this.buffer = buffer.duplicate();
	}

	@Override
	public int read(ByteBuffer target) {
		if (position >= buffer.limit()) {
			return -1;
		}
		int n = (int) Math.min(target.remaining(), buffer.limit() - position);
		target.put(buffer.slice((int) position, n));
		position += n;
		return n;
	}

	@Override
	public int write(ByteBuffer source) {
		throw new NonWritableChannelException();
	}

	@Override
	public long position() {
		return position;
	}

	@Override
	public SeekableByteChannel position(long newPosition) {
		if (newPosition < 0) {
			throw new IllegalArgumentException("negative position");
		}
		position = newPosition;
		return this;
	}

	@Override
	public long size() {
		return buffer.limit();
	}

	@Override
	public SeekableByteChannel truncate(long size) {
		throw new NonWritableChannelException();
	}

	@Override
	public boolean isOpen() {
		return open;
	}

	@Override
	public void close() {
		open = false;
	}
}
