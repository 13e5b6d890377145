package io.trawl.jobs.ui;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.problem.UnknownJobException;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.jobs.web.ResultsCsv;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.SampleChange;
import io.trawl.readmodel.query.SampleView;

/**
 * A job's page: its summary, verdict chart, rule hits, errors by reason, what changed since the previous job of its
 * source, and its results a page at a time (keyset pages from the query tables, never the whole job), filtered and
 * exported as the API does.
 */
@Controller
class JobPage {

	static final int PAGE = 50;
	private static final int EXPORT_PAGE = 1000;
	private static final int CHANGES = 50;
	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JobStatusService service;
	private final ErrorReasons errorReasons;

	JobPage(JobStatusService service, ErrorReasons errorReasons) {
		this.service = service;
		this.errorReasons = errorReasons;
	}

	/** A row of the results table. */
	record ResultRow(String sampleKey, String sha256, String verdict, String size, String type, List<String> rules,
			String source) {

		static ResultRow of(SampleView view) {
			JsonNode doc = JSON.readTree(view.document());
			List<String> rules = doc.path("yara").valueStream().map(JsonNode::asString).toList();
			String type = doc.path("fileType").isObject() ? doc.path("fileType").path("description").asString("")
					: doc.path("fileType").asString("");
			if (type.isBlank()) {
				type = doc.path("mimeType").asString("");
			}
			return new ResultRow(view.sampleKey(), view.sha256(), view.verdict(),
					doc.path("size").isNumber() ? String.valueOf(doc.path("size").asLong()) : "", type, rules,
					doc.path("sources").valueStream().map(JsonNode::asString).findFirst().orElse(""));
		}
	}

	record RuleCount(String rule, long hits) {
	}

	@GetMapping("/ui/jobs/{id}")
	String job(@PathVariable long id, @RequestParam(required = false) String verdict,
			@RequestParam(required = false) String rule, @RequestParam(required = false) String sha256,
			@RequestParam(required = false) String after, @RequestParam(defaultValue = "hits") String sort,
			Model model) {
		JobStatus job = service.get(id).orElseThrow(() -> new UnknownJobException(id));
		model.addAttribute("job", job);
		model.addAttribute("verdictLabels", List.copyOf(job.verdicts().keySet()));
		model.addAttribute("verdictCounts", List.copyOf(job.verdicts().values()));
		List<RuleCount> rules = new ArrayList<>(
				job.ruleHits().entrySet().stream().map(e -> new RuleCount(e.getKey(), e.getValue())).toList());
		rules.sort("rule".equals(sort) ? Comparator.comparing(RuleCount::rule)
				: Comparator.comparingLong(RuleCount::hits).reversed().thenComparing(RuleCount::rule));
		model.addAttribute("rules", rules);
		model.addAttribute("sort", "rule".equals(sort) ? "rule" : "hits");
		if (job.diff() != null) {
			List<SampleChange> changes = new ArrayList<>();
			service.changes(job.diff().base(), id, null, change -> changes.add(change) && changes.size() < CHANGES);
			model.addAttribute("changes", changes);
		}
		results(id, verdict, rule, sha256, after, model);
		return "job";
	}

	/** Errors grouped by reason, fetched after the page is shown (it reads every result of the job once). */
	@GetMapping("/ui/jobs/{id}/errors")
	String errors(@PathVariable long id, Model model) {
		JobStatus job = service.get(id).orElseThrow(() -> new UnknownJobException(id));
		model.addAttribute("reasons", errorReasons.of(job));
		return "job :: errors";
	}

	@GetMapping("/ui/jobs/{id}/export.csv")
	ResponseEntity<StreamingResponseBody> csv(@PathVariable long id, @RequestParam(required = false) String verdict,
			@RequestParam(required = false) String rule, @RequestParam(required = false) String sha256) {
		ResultFilter filter = filter(verdict, rule, sha256);
		service.execution(id).orElseThrow(() -> new UnknownJobException(id));
		StreamingResponseBody body = out -> {
			Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
			ResultsCsv.header(writer);
			forEach(id, filter, view -> ResultsCsv.write(writer, view));
			writer.flush();
		};
		return ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv;charset=UTF-8"))
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"job-" + id + "-results.csv\"")
			.body(body);
	}

	@GetMapping("/ui/jobs/{id}/export.jsonl")
	ResponseEntity<StreamingResponseBody> jsonl(@PathVariable long id, @RequestParam(required = false) String verdict,
			@RequestParam(required = false) String rule, @RequestParam(required = false) String sha256) {
		ResultFilter filter = filter(verdict, rule, sha256);
		service.execution(id).orElseThrow(() -> new UnknownJobException(id));
		StreamingResponseBody body = out -> {
			Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
			forEach(id, filter, view -> writer.write(view.document() + "\n"));
			writer.flush();
		};
		return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/jsonl"))
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"job-" + id + "-results.jsonl\"")
			.body(body);
	}

	private interface Row {
		void write(SampleView view) throws IOException;
	}

	/** Every result the filter passes, a keyset page at a time. */
	private void forEach(long id, ResultFilter filter, Row row) throws IOException {
		String after = null;
		while (true) {
			List<SampleView> page = service.page(id, filter, after, EXPORT_PAGE);
			for (SampleView view : page) {
				row.write(view);
			}
			if (page.size() < EXPORT_PAGE) {
				return;
			}
			after = page.get(page.size() - 1).sampleKey();
		}
	}

	private void results(long id, String verdict, String rule, String sha256, String after, Model model) {
		ResultFilter filter = filter(verdict, rule, sha256);
		if (after != null && !after.matches("!?[0-9a-f]{64}")) {
			throw new IllegalArgumentException("The page cursor is not one this dashboard made; start again from the"
					+ " first page.");
		}
		// one row more than shown says whether there is a next page; a readable sample's key is its sha256, so the
		// first page of a hash prefix starts where that prefix does instead of reading the job up to it
		String from = after == null && filter.sha256Prefix() != null ? below(filter.sha256Prefix()) : after;
		List<SampleView> views = service.page(id, filter, from, PAGE + 1);
		boolean more = views.size() > PAGE;
		List<ResultRow> rows = views.stream().limit(PAGE).map(ResultRow::of).toList();
		model.addAttribute("results", rows);
		model.addAttribute("next", more ? rows.get(PAGE - 1).sampleKey() : null);
		model.addAttribute("first", after == null);
		Map<String, String> query = new LinkedHashMap<>();
		query.put("verdict", filter.verdict() == null ? "" : filter.verdict());
		query.put("rule", filter.rule() == null ? "" : filter.rule());
		query.put("sha256", filter.sha256Prefix() == null ? "" : filter.sha256Prefix());
		model.addAttribute("filter", query);
	}

	/** The greatest sample key before every key that starts with {@code prefix}; null for a prefix of zeros. */
	static String below(String prefix) {
		BigInteger value = new BigInteger(prefix, 16);
		if (value.signum() == 0) {
			return null;
		}
		String lower = String.format("%0" + prefix.length() + "x", value.subtract(BigInteger.ONE));
		return lower + "f".repeat(64 - prefix.length());
	}

	static ResultFilter filter(String verdict, String rule, String sha256) {
		if (verdict != null && !verdict.isEmpty() && !verdict.matches("[a-z]{1,20}")) {
			throw new IllegalArgumentException("The verdict filter must be a verdict such as malicious, suspicious, "
					+ "clean or error.");
		}
		if (rule != null && rule.length() > 300) {
			throw new IllegalArgumentException("The rule filter must be at most 300 characters.");
		}
		String prefix = sha256 == null ? null : sha256.trim().toLowerCase();
		if (prefix != null && !prefix.isEmpty() && !prefix.matches("[0-9a-f]{1,64}")) {
			throw new IllegalArgumentException("The hash prefix must be 1 to 64 hex digits.");
		}
		return new ResultFilter(blankToNull(verdict), blankToNull(rule), blankToNull(prefix));
	}

	private static String blankToNull(String value) {
		return value == null || value.isEmpty() ? null : value;
	}
}
