package io.trawl.jobs.ui;

import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import io.trawl.jobs.rescan.ProgressMeter;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatusService;

/** The jobs, newest first, with live progress; operators launch and stop jobs from here. */
@Controller
class JobsPage {

	private static final int JOBS = 50;
	private static final int MAX_LOCATION = 4096;

	private final JobStatusService service;
	private final RescanLauncher launcher;
	private final ProgressMeter meter;

	JobsPage(JobStatusService service, RescanLauncher launcher, ProgressMeter meter) {
		this.service = service;
		this.launcher = launcher;
		this.meter = meter;
	}

	@GetMapping("/")
	String home() {
		return "redirect:/ui/jobs";
	}

	@GetMapping("/ui/jobs")
	String jobs(Model model) {
		rows(model);
		return "jobs";
	}

	/** The table's body alone, which the page fetches again every two seconds. */
	@GetMapping("/ui/jobs/rows")
	String rowsOnly(Model model) {
		rows(model);
		return "jobs :: rows";
	}

	@PostMapping("/ui/jobs")
	String launch(@RequestParam String source, @RequestParam(required = false) String rules,
			@RequestParam(defaultValue = "false") boolean full, Authentication caller, RedirectAttributes redirect) {
		// the bounds of POST /api/jobs (LaunchRequest), so no value can fill a log line or the job repository
		if (source.isBlank()) {
			redirect.addFlashAttribute("error", "The source is required: a folder or s3://bucket/prefix.");
			return "redirect:/ui/jobs";
		}
		if (source.length() > MAX_LOCATION || rules != null && rules.length() > MAX_LOCATION) {
			redirect.addFlashAttribute("error", "The source and the rules must be at most " + MAX_LOCATION
					+ " characters each.");
			return "redirect:/ui/jobs";
		}
		try {
			long id = launcher.submit(new RescanLauncher.Request(source.trim(),
					rules == null || rules.isBlank() ? null : rules.trim(), "ui-" + UUID.randomUUID(), null,
					RescanLauncher.Origin.REST, caller.getName(), full)).getId();
			redirect.addFlashAttribute("message", "Started job " + id + " on " + source.trim() + ".");
		}
		catch (Exception e) {
			redirect.addFlashAttribute("error", Pages.sentence(e));
		}
		return "redirect:/ui/jobs";
	}

	@PostMapping("/ui/jobs/{id}/stop")
	String stop(@PathVariable long id, Authentication caller, RedirectAttributes redirect) {
		try {
			launcher.stop(id, caller.getName());
			redirect.addFlashAttribute("message", "Asked job " + id + " to stop after its current chunks.");
		}
		catch (Exception e) {
			redirect.addFlashAttribute("error", Pages.sentence(e));
		}
		return "redirect:/ui/jobs";
	}

	/** The rows, and how often the table asks again: every 2 s while a job runs, else every 15 s for new jobs. */
	private void rows(Model model) {
		LocalDateTime now = LocalDateTime.now();
		List<JobRow> rows = service.list(JOBS).stream().map(job -> JobRow.of(job, meter, now)).toList();
		model.addAttribute("rows", rows);
		model.addAttribute("refresh", rows.stream().anyMatch(JobRow::running) ? "every 2s" : "every 15s");
	}
}
