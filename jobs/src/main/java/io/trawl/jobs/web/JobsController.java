package io.trawl.jobs.web;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.util.UriComponentsBuilder;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.problem.UnknownJobException;
import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.problem.NotFoundException;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.SampleView;

/** The API: launch and stop jobs, follow them, and read what they found, a page or a whole job at a time. */
@RestController
@RequestMapping("/api")
class JobsController {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	static final MediaType JSONL = MediaType.parseMediaType("application/jsonl");
	static final MediaType CSV = MediaType.parseMediaType("text/csv;charset=UTF-8");

	private final JobStatusService service;
	private final RescanLauncher launcher;

	JobsController(JobStatusService service, RescanLauncher launcher) {
		this.service = service;
		this.launcher = launcher;
	}

	/** Starts a rescan in the background: {@code {"source": ..., "rules": ..., "requestId": ..., "full": false}}. */
	@PostMapping("/jobs")
	ResponseEntity<JobStatus> launch(@Valid @RequestBody LaunchRequest request, Principal principal) throws Exception {
		request.checkFields();
		long id = launcher.submit(new RescanLauncher.Request(request.source(), request.rules(), request.requestId(),
				null, RescanLauncher.Origin.REST, name(principal), Boolean.TRUE.equals(request.full()))).getId();
		return ResponseEntity.accepted().body(service.get(id).orElseThrow());
	}

	/** Asks a running job to stop after its current chunks; it ends STOPPED and can be restarted. */
	@PostMapping("/jobs/{id}/stop")
	ResponseEntity<JobStatus> stop(@PathVariable long id, Principal principal) throws Exception {
		launcher.stop(id, name(principal));
		return ResponseEntity.accepted().body(service.get(id).orElseThrow());
	}

	@GetMapping("/jobs")
	List<JobStatus> jobs(@RequestParam(defaultValue = "50") int limit) {
		return service.list(Math.min(Math.max(limit, 1), 1000));
	}

	@GetMapping("/jobs/{id}")
	JobStatus job(@PathVariable long id) {
		return service.get(id).orElseThrow(() -> new UnknownJobException(id));
	}

	/**
	 * One page of a job's results, ordered by sample key: a JSON array of result documents. The next page's address
	 * is in the {@code Link: <...>; rel="next"} header, absent on the last page.
	 */
	@GetMapping(path = "/jobs/{id}/results", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<StreamingResponseBody> results(@PathVariable long id,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit,
			@RequestParam(required = false) @Size(max = 65) @Pattern(regexp = "!?[0-9a-f]{64}",
					message = "must be the cursor of the previous page") String after,
			@RequestParam(required = false) @Size(max = 20) @Pattern(regexp = "[a-z]+",
					message = "must be a verdict such as malicious, suspicious, clean or error") String verdict,
			@RequestParam(required = false) @Size(max = 300, message = "must be at most 300 characters") String rule,
			@RequestParam(required = false) @Pattern(regexp = "[0-9a-fA-F]{1,64}",
					message = "must be 1 to 64 hex digits") String sha256,
			UriComponentsBuilder uri) {
		ResultFilter filter = new ResultFilter(verdict, rule, sha256 == null ? null : sha256.toLowerCase());
		// one row more than asked says whether there is a next page
		List<SampleView> rows = service.page(id, filter, after, limit + 1);
		HttpHeaders headers = new HttpHeaders();
		if (rows.size() > limit) {
			rows = rows.subList(0, limit);
			String next = uri.path("/api/jobs/{id}/results").queryParam("limit", limit)
				.queryParam("after", rows.get(limit - 1).sampleKey())
				.queryParamIfPresent("verdict", java.util.Optional.ofNullable(filter.verdict()))
				.queryParamIfPresent("rule", java.util.Optional.ofNullable(filter.rule()))
				.queryParamIfPresent("sha256", java.util.Optional.ofNullable(filter.sha256Prefix()))
				.buildAndExpand(id).encode().toUriString();
			headers.add(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"");
		}
		List<SampleView> page = rows;
		StreamingResponseBody body = out -> {
			Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
			writer.write('[');
			for (int i = 0; i < page.size(); i++) {
				if (i > 0) {
					writer.write(',');
				}
				writer.write(page.get(i).document());
			}
			writer.write(']');
			writer.flush();
		};
		return ResponseEntity.ok().headers(headers).contentType(MediaType.APPLICATION_JSON).body(body);
	}

	/** A whole job's results, one JSON document a line, streamed as they are read. */
	@GetMapping("/jobs/{id}/results.jsonl")
	ResponseEntity<StreamingResponseBody> resultsJsonl(@PathVariable long id) {
		service.execution(id).orElseThrow(() -> new UnknownJobException(id));
		StreamingResponseBody body = out -> {
			Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
			service.results(id, view -> write(writer, view.document() + "\n"));
			writer.flush();
		};
		return ResponseEntity.ok().contentType(JSONL)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"job-" + id + "-results.jsonl\"")
			.body(body);
	}

	/** A whole job's results as CSV (RFC 4180, a fixed header), streamed as they are read. */
	@GetMapping("/jobs/{id}/results.csv")
	ResponseEntity<StreamingResponseBody> resultsCsv(@PathVariable long id) {
		service.execution(id).orElseThrow(() -> new UnknownJobException(id));
		StreamingResponseBody body = out -> {
			Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
			ResultsCsv.header(writer);
			service.results(id, view -> {
				try {
					ResultsCsv.write(writer, view);
				}
				catch (java.io.IOException e) {
					throw new java.io.UncheckedIOException(e);
				}
			});
			writer.flush();
		};
		return ResponseEntity.ok().contentType(CSV)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"job-" + id + "-results.csv\"")
			.body(body);
	}

	@GetMapping("/samples/{sha256}")
	JsonNode sample(@PathVariable String sha256) {
		return service.sample(sha256).map(view -> JSON.readTree(view.document()))
			.orElseThrow(() -> new NotFoundException("No sample with sha256 " + ClientErrors.echo(sha256)
					+ " has been analysed."));
	}

	private static void write(Writer writer, String text) {
		try {
			writer.write(text);
		}
		catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/** The caller: the API key's name or the token's subject (every /api route is authenticated). */
	static String name(Principal principal) {
		return principal == null || principal.getName() == null || principal.getName().isBlank() ? "anonymous"
				: principal.getName();
	}
}
