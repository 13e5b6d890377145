package io.trawl.jobs.rescan;

import java.util.ArrayList;
import java.util.List;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemWriter;

import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.manifest.Manifests;

/**
 * Appends a chunk's events in one call; the store ignores events it already has, so a retried chunk is harmless.
 * It also counts what the chunk found, verdicts and rule hits, in the partition's execution context, which is saved
 * with the chunk: what a job has found so far can be read while it runs, before the projection ({@link Found}).
 * With {@link Manifests}, each location's manifest entry is written in the same chunk, so the manifest has exactly
 * the locations whose events are stored.
 */
class EventWriter implements ItemWriter<SampleOutcome> {

	private final EventStore events;
	private final ProgressMeter.Progress progress;
	private final ExecutionContext context;
	private Manifests manifests;
	private long jobInstanceId;

	EventWriter(EventStore events, ProgressMeter.Progress progress, ExecutionContext context) {
		this.events = events;
		this.progress = progress;
		this.context = context;
	}

	/** Also writes the job's manifest entries into {@code into}. */
	EventWriter recording(Manifests into, long jobInstance) {
		this.manifests = into;
		this.jobInstanceId = jobInstance;
		return this;
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
		if (manifests != null) {
			manifests.put(jobInstanceId, chunk.getItems().stream()
				.map(o -> new Manifests.Entry(o.location(), o.identity(), o.sha256()))
				.toList());
		}
		for (SampleOutcome outcome : chunk) {
			outcome.verdicts().forEach(verdict -> Found.add(context, Found.VERDICT, verdict));
			outcome.ruleHits().forEach(rule -> Found.add(context, Found.RULE, rule));
		}
		progress.doneSamples.addAndGet(chunk.size());
		progress.doneBytes.addAndGet(bytes);
	}
}
