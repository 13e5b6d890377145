package io.trawl.jobs.web;

import java.util.ArrayList;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.trawl.jobs.status.JobStatusService;
import io.trawl.jobs.status.RuleReport;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.SampleChange;

/** What changed: the samples new, gone or changed between two jobs, and each rule's history. */
@RestController
@RequestMapping("/api")
class DiffController {

	private final JobStatusService service;

	DiffController(JobStatusService service) {
		this.service = service;
	}

	/**
	 * The counts, then one page of the samples new, gone or changed since the base job, in sample-key order. The
	 * next page's cursor is {@code next} (null on the last page), its address in the {@code Link: rel="next"} header.
	 */
	record DiffPage(DiffCounts counts, List<SampleChange> changes, String next) {
	}

	@GetMapping("/jobs/{id}/diff")
	ResponseEntity<DiffPage> diff(@PathVariable long id, @RequestParam(required = false) String base,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit,
			@RequestParam(required = false) @Size(max = 65) @Pattern(regexp = "!?[0-9a-f]{64}",
					message = "must be the cursor of the previous page") String after,
			UriComponentsBuilder uri) {
		long baseId = baseId(base);
		DiffCounts counts = service.diffCounts(baseId, id);
		List<SampleChange> changes = new ArrayList<>();
		// one change more than asked says whether there is a next page
		service.changes(baseId, id, after, change -> changes.add(change) && changes.size() <= limit);
		String next = null;
		HttpHeaders headers = new HttpHeaders();
		if (changes.size() > limit) {
			changes.subList(limit, changes.size()).clear();
			next = changes.get(limit - 1).sampleKey();
			headers.add(HttpHeaders.LINK, "<" + uri.path("/api/jobs/{id}/diff").queryParam("base", baseId)
				.queryParam("limit", limit).queryParam("after", next).buildAndExpand(id).encode().toUriString()
					+ ">; rel=\"next\"");
		}
		return ResponseEntity.ok().headers(headers).body(new DiffPage(counts, changes, next));
	}

	@GetMapping("/rules")
	List<RuleReport> rules() {
		return service.rules();
	}

	private static long baseId(String base) {
		if (base == null || !base.matches("[0-9]{1,18}")) {
			throw new IllegalArgumentException("The diff needs ?base=ID, the job execution id (a number) of the job "
					+ "to compare with.");
		}
		return Long.parseLong(base);
	}
}
