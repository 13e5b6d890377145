package io.trawl.jobs.rescan;

import io.trawl.readmodel.manifest.Manifests;
import io.trawl.worker.source.SampleRef;

/**
 * A location as the listing gives it, beside what the base job saw there ({@code previous}; null in a full job or
 * for a location the base job did not have).
 */
record ListedSample(SampleRef ref, Manifests.Entry previous) {

	/** True when the listing's identity equals the base job's, which read a content there: the bytes are known. */
	boolean unchanged() {
		return previous != null && previous.sha256() != null && ref.identity() != null
				&& ref.identity().equals(previous.identity());
	}
}
