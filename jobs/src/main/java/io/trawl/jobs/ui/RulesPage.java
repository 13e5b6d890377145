package io.trawl.jobs.ui;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import io.trawl.jobs.status.JobStatusService;

/** Every YARA rule that has hit: hits per job, first and last job that it hit, and whether it is noisy. */
@Controller
class RulesPage {

	private final JobStatusService service;

	RulesPage(JobStatusService service) {
		this.service = service;
	}

	@GetMapping("/ui/rules")
	String rules(Model model) {
		model.addAttribute("rules", service.rules());
		return "rules";
	}
}
