package io.trawl.jobs.rescan;

import java.util.List;

import io.trawl.readmodel.event.ResultEvent;

/** The events one source location produced (its own result, its source, its archive members'), and its size. */
record SampleOutcome(String location, long bytes, List<ResultEvent> events) {
}
