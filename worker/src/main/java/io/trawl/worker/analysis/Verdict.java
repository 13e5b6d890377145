package io.trawl.worker.analysis;

public enum Verdict {
	MALICIOUS, SUSPICIOUS, CLEAN, ERROR
}
