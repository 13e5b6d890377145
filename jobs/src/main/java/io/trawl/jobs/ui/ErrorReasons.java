package io.trawl.jobs.ui;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;

/**
 * A job's errors grouped by reason: the analyzer and its message with numbers and quoted names made general, so
 * that "file 17 of 20 is truncated" and "file 3 of 20 is truncated" are one reason. It reads the job's results once,
 * streamed; an ended job's groups are kept (a few jobs' worth), a running job's are read again.
 */
@Component
class ErrorReasons {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int EXAMPLES = 3;
	private static final int KEPT_JOBS = 16;
	private static final int MAX_REASONS = 100;

	/** @param examples sha256 (or sample keys of unreadable locations) of a few samples with this error */
	record Reason(String analyzer, String reason, long samples, List<String> examples) {
	}

	private final JobStatusService service;
	private final Map<Long, List<Reason>> ended = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<Long, List<Reason>> eldest) {
			return size() > KEPT_JOBS;
		}
	});

	ErrorReasons(JobStatusService service) {
		this.service = service;
	}

	List<Reason> of(JobStatus job) {
		if (job.errors() == 0 && job.endTime() != null) {
			return List.of();
		}
		List<Reason> kept = ended.get(job.jobExecutionId());
		if (kept != null) {
			return kept;
		}
		Map<String, Reason> groups = new LinkedHashMap<>();
		service.results(job.jobExecutionId(), view -> {
			if (!view.document().contains("\"errors\":[{")) {
				return;
			}
			JsonNode doc = JSON.readTree(view.document());
			for (JsonNode error : doc.path("errors")) {
				String analyzer = error.path("analyzer").asString("");
				String reason = general(error.path("message").asString(error.asString("")));
				String key = analyzer + "\u0000" + reason;
				Reason group = groups.get(key);
				if (group == null && groups.size() >= MAX_REASONS) {
					continue;
				}
				List<String> examples = group == null ? new ArrayList<>() : group.examples();
				if (examples.size() < EXAMPLES && !examples.contains(view.sampleKey())) {
					examples.add(view.sampleKey());
				}
				groups.put(key, new Reason(analyzer, reason, group == null ? 1 : group.samples() + 1, examples));
			}
		});
		List<Reason> reasons = groups.values().stream()
			.sorted((a, b) -> Long.compare(b.samples(), a.samples()))
			.toList();
		if (job.endTime() != null) {
			ended.put(job.jobExecutionId(), reasons);
		}
		return reasons;
	}

	/** Numbers, hex and quoted or bracketed names become placeholders; at most 300 characters. */
	static String general(String message) {
		String text = message.replaceAll("'[^']*'", "'…'")
			.replaceAll("\"[^\"]*\"", "\"…\"")
			.replaceAll("(/[^\\s,;:)]+)+", "PATH")
			.replaceAll("\\b(0x)?[0-9a-fA-F]{8,}\\b", "HEX")
			.replaceAll("\\d+", "N");
		return text.length() > 300 ? text.substring(0, 300) + "…" : text;
	}
}
