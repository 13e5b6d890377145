package io.trawl.jobs.web;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.worker.source.SampleSourceException;
import io.trawl.worker.yara.RuleCompilationException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The read API: where is my job, and what did it find. */
@RestController
@RequestMapping("/api")
class JobsController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JobStatusService service;
	private final RescanLauncher launcher;

	JobsController(JobStatusService service, RescanLauncher launcher) {
		this.service = service;
		this.launcher = launcher;
	}

	/** Starts a rescan in the background: {@code {"source": ..., "rules": ..., "requestId": ...}}. */
	@PostMapping("/jobs")
	ResponseEntity<JobStatus> launch(@RequestBody RescanLauncher.Request request) throws Exception {
		long id = launcher.submit(request).getId();
		return ResponseEntity.accepted().body(service.get(id).orElseThrow());
	}

	@GetMapping("/jobs")
	List<JobStatus> jobs(@RequestParam(defaultValue = "50") int limit) {
		return service.list(Math.min(Math.max(limit, 1), 1000));
	}

	@GetMapping("/jobs/{id}")
	ResponseEntity<JobStatus> job(@PathVariable long id) {
		return ResponseEntity.of(service.get(id));
	}

	@GetMapping("/jobs/{id}/results")
	List<JsonNode> results(@PathVariable long id) {
		List<JsonNode> rows = new java.util.ArrayList<>();
		service.results(id, view -> rows.add(JSON.readTree(view.document())));
		return rows;
	}

	@GetMapping("/samples/{sha256}")
	ResponseEntity<JsonNode> sample(@PathVariable String sha256) {
		return ResponseEntity.of(service.sample(sha256).map(view -> JSON.readTree(view.document())));
	}

	@ExceptionHandler({ IllegalArgumentException.class, RuleCompilationException.class, SampleSourceException.class })
	ResponseEntity<Map<String, String>> badRequest(RuntimeException e) {
		return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
	}

	@ExceptionHandler(JobStatusService.UnknownJobException.class)
	ResponseEntity<Map<String, String>> unknown(JobStatusService.UnknownJobException e) {
		return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
	}
}
