package io.trawl.worker.source;

/**
 * Where a sample lives in its source, before it is read: a relative path in a folder or a key in a bucket.
 * Locations sort lexicographically, which is what partitions and restarts rely on.
 */
public record SampleRef(String location, long size) {
}
