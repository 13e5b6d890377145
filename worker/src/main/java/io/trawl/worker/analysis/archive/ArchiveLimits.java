package io.trawl.worker.analysis.archive;

/**
 * How far archive expansion may go for one top-level sample, all members and nesting levels together.
 *
 * @param maxDepth archives at this depth or deeper are not opened (a top-level sample is depth 0)
 * @param maxChildren members extracted in total
 * @param maxExpandedBytes bytes inflated in total, counted while inflating
 * @param maxRatio inflated bytes per byte of the top-level sample; enforced once more than 1 MiB is inflated
 * @param maxMemberBytes bytes of one member (each member is held in memory while it is analysed)
 */
public record ArchiveLimits(int maxDepth, int maxChildren, long maxExpandedBytes, long maxRatio, long maxMemberBytes) {

	/** Ratios are only judged past this many inflated bytes: small text files legitimately compress 100 to 1. */
	static final long RATIO_FLOOR = 1L << 20;

	public ArchiveLimits {
		if (maxDepth < 0 || maxChildren < 0 || maxExpandedBytes < 0 || maxRatio < 1 || maxMemberBytes < 0) {
			throw new IllegalArgumentException("archive limits must be positive: " + this);
		}
		maxMemberBytes = Math.min(maxMemberBytes, Integer.MAX_VALUE - 16);
	}

	public static ArchiveLimits defaults() {
		return new ArchiveLimits(5, 1000, 256L << 20, 100, 64L << 20);
	}
}
