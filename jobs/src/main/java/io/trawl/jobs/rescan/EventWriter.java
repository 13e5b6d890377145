package io.trawl.jobs.rescan;

import java.util.ArrayList;
import java.util.List;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

/** Appends a chunk's events in one call; the store ignores events it already has, so a retried chunk is harmless. */
class EventWriter implements ItemWriter<SampleOutcome> {

	private final EventStore events;
	private final ProgressMeter.Progress progress;

	EventWriter(EventStore events, ProgressMeter.Progress progress) {
		this.events = events;
		this.progress = progress;
	}

	@Override
	public void write(Chunk<? extends SampleOutcome> chunk) {
		List<ResultEvent> all = new ArrayList<>();
		long bytes = 0;
		for (SampleOutcome outcome : chunk) {
			all.addAll(outcome.events());
			bytes += outcome.bytes();
		}
		events.append(all);
		progress.doneSamples.addAndGet(chunk.size());
		progress.doneBytes.addAndGet(bytes);
	}
}
