package io.trawl.readmodel.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

/**
 * Rebuilds a job's query tables from its events. The events of one sample arrive together (the store orders them by
 * sample key), so the projection streams: memory holds one sample and one batch, whatever the job's size. Running it
 * again gives the same tables.
 */
public final class ResultProjection {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int BATCH = 200;

	private final EventStore events;
	private final QueryTables tables;

	public ResultProjection(EventStore events, QueryTables tables) {
		this.events = events;
		this.tables = tables;
	}

	public JobSummary project(long jobInstanceId) {
		Tally tally = new Tally(jobInstanceId);
		List<ResultEvent> current = new ArrayList<>();
		events.forEach(jobInstanceId, event -> {
			if (!current.isEmpty() && !current.get(0).sampleKey().equals(event.sampleKey())) {
				tally.add(current);
				current.clear();
			}
			current.add(event);
		});
		if (!current.isEmpty()) {
			tally.add(current);
		}
		tally.flush();
		JobSummary summary = tally.summary();
		tables.putSummary(summary);
		return summary;
	}

	/** One sample's row and the document it holds, parsed once. */
	record Projected(SampleView view, JsonNode document) {
	}

	/** Merges one sample's events into its document; null when the sample has no result event yet. */
	static Projected view(List<ResultEvent> sampleEvents) {
		ResultEvent result = null;
		TreeSet<String> sources = new TreeSet<>();
		List<JsonNode> parents = new ArrayList<>();
		for (ResultEvent event : sampleEvents) {
			if (event.kind() == EventKind.ATTEMPT) {
				continue; // a worker's bookkeeping for careful restarts, not part of any result
			}
			JsonNode payload = JSON.readTree(event.payload());
			switch (event.kind()) {
				case ANALYSED, FAILED -> result = event;
				case SOURCE -> {
					if (payload.hasNonNull("location")) {
						sources.add(payload.get("location").asString());
					}
					if (payload.hasNonNull("parent")) {
						sources.add(payload.get("parent").asString() + "!/" + payload.get("path").asString());
						parents.add(payload);
					}
				}
			}
		}
		if (result == null) {
			return null;
		}
		ObjectNode document = (ObjectNode) JSON.readTree(result.payload());
		if (result.kind() == EventKind.FAILED) {
			sources.add(document.path("location").asString());
		}
		ArrayNode sourceArray = document.putArray("sources");
		sources.forEach(sourceArray::add);
		if (!parents.isEmpty()) {
			ArrayNode parentArray = document.putArray("parents");
			parents.stream()
				.sorted((a, b) -> (a.get("parent").asString() + a.get("path").asString())
					.compareTo(b.get("parent").asString() + b.get("path").asString()))
				.forEach(p -> parentArray.addObject().put("sha256", p.get("parent").asString())
					.put("path", p.get("path").asString()));
		}
		document.put("jobInstanceId", result.jobInstanceId());
		document.put("jobExecutionId", result.jobExecutionId());
		document.put("analysedAt", result.recordedAt().toString());
		String sha256 = result.unreadable() ? null : result.sampleKey();
		return new Projected(new SampleView(result.jobInstanceId(), result.sampleKey(), sha256,
				document.path("verdict").asString("error"), result.recordedAt(), JSON.writeValueAsString(document)),
				document);
	}

	private final class Tally {
		private final long jobInstanceId;
		private final List<SampleView> batch = new ArrayList<>();
		private final Map<String, List<String>> batchHits = new HashMap<>();
		private final Map<String, Long> verdicts = new TreeMap<>();
		private final Map<String, Long> ruleHits = new TreeMap<>();
		private long samples;
		private long files;
		private long errors;
		private long resultEvents;

		Tally(long jobInstanceId) {
			this.jobInstanceId = jobInstanceId;
		}

		void add(List<ResultEvent> sampleEvents) {
			// counted from the stream itself: ids are unique, so this is what the store holds
			resultEvents += sampleEvents.stream()
				.filter(e -> e.kind() == EventKind.ANALYSED || e.kind() == EventKind.FAILED)
				.count();
			Projected projected = view(sampleEvents);
			if (projected == null) {
				return;
			}
			SampleView view = projected.view();
			JsonNode document = projected.document();
			samples++;
			files += document.path("sources").valueStream().filter(s -> !s.asString().contains("!/")).count();
			if (document.path("errors").size() > 0) {
				errors++;
			}
			verdicts.merge(view.verdict(), 1L, Long::sum);
			for (JsonNode rule : document.path("yara")) {
				ruleHits.merge(rule.asString(), 1L, Long::sum);
				batchHits.computeIfAbsent(rule.asString(), r -> new ArrayList<>()).add(view.sha256());
			}
			batch.add(view);
			if (batch.size() >= BATCH) {
				flush();
			}
		}

		void flush() {
			if (!batch.isEmpty()) {
				tables.putSamples(List.copyOf(batch));
				batch.clear();
			}
			batchHits.forEach((rule, hashes) -> tables.putRuleHits(jobInstanceId, rule, hashes));
			batchHits.clear();
		}

		JobSummary summary() {
			return new JobSummary(jobInstanceId, samples, files, resultEvents, errors, verdicts, ruleHits,
					Instant.now());
		}
	}
}
