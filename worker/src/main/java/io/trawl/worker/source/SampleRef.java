package io.trawl.worker.source;

/**
 * Where a sample lives in its source, before it is read: a relative path in a folder or a key in a bucket.
 * Locations sort lexicographically, which is what partitions and restarts rely on.
 *
 * @param fileKey the identity of the file the listing saw (device and inode, as {@code BasicFileAttributes.fileKey()}
 * prints them), so that opening it can refuse another file put in its place; null where the source has none (S3)
 * or the ref was not listed. Only compared within the JVM that listed it: partitions keep locations, not refs
 * @param identity what the listing says about the bytes without reading them (a folder: size, mtime in nanoseconds
 * and file key; S3: ETag and size), so an incremental rescan knows an unchanged location without opening it; null
 * when the listing knows nothing (the location is then always read)
 */
public record SampleRef(String location, long size, String fileKey, String identity) {

	public SampleRef(String location, long size) {
		this(location, size, null, null);
	}

	public SampleRef(String location, long size, String fileKey) {
		this(location, size, fileKey, null);
	}
}
