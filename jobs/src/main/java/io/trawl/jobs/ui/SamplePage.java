package io.trawl.jobs.ui;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.problem.NotFoundException;
import io.trawl.jobs.rescan.RescanJobConfiguration;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.SampleView;

/**
 * A sample's story: its newest result in full (hashes, type, YARA matches, PE or ELF, strings and IOCs), the archive
 * it came out of and the members it holds, and its verdict in each recent job.
 */
@Controller
class SamplePage {

	/** How many of the newest jobs the verdict history looks into, one keyed read each. */
	static final int HISTORY_JOBS = 30;
	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JobStatusService service;

	SamplePage(JobStatusService service) {
		this.service = service;
	}

	record Fact(String label, String value) {
	}

	private static Fact fact(String label, JsonNode doc, String field) {
		JsonNode value = doc.path(field);
		return new Fact(label, value.isMissingNode() || value.isNull() ? "" : value.asString());
	}

	/** A YARA match. */
	record Match(String namespace, String rule, List<String> tags, List<Node> meta) {

		static Match of(JsonNode match) {
			return new Match(match.path("namespace").asString(""), match.path("rule").asString(""),
					match.path("tags").valueStream().map(JsonNode::asString).toList(), Node.of(match.path("meta")));
		}
	}

	/** An archive it came from, or a member it holds: its sha256 (empty when the member was skipped) and path. */
	record Link(String sha256, String path, String note) {
	}

	record Verdict(long jobExecutionId, String startTime, String verdict, String score, List<String> rules) {
	}

	@GetMapping("/ui/samples/{sha256}")
	String sample(@PathVariable String sha256, Model model) {
		String hash = sha256.toLowerCase();
		if (!hash.matches("[0-9a-f]{64}")) {
			throw new IllegalArgumentException("A sample is named by its sha256: 64 hex digits, not '"
					+ ClientErrors.echo(sha256) + "'.");
		}
		SampleView view = service.sample(hash).orElseThrow(
				() -> new NotFoundException("No sample with sha256 " + hash + " has been analysed."));
		JsonNode doc = JSON.readTree(view.document());
		model.addAttribute("sha256", hash);
		model.addAttribute("view", view);
		model.addAttribute("doc", doc);
		model.addAttribute("hashes", List.of(fact("MD5", doc, "md5"), fact("SHA-1", doc, "sha1"),
				fact("SHA-256", doc, "sha256"), fact("SHA-512", doc, "sha512"), fact("ssdeep", doc, "ssdeep"),
				fact("TLSH", doc, "tlsh")));
		model.addAttribute("facts", List.of(fact("Verdict", doc, "verdict"), fact("Score", doc, "score"),
				fact("Size (bytes)", doc, "size"), fact("MIME type", doc, "mimeType"),
				fact("Entropy", doc, "entropy"), fact("Ruleset", doc, "rulesetVersion"),
				new Fact("Analysed", String.valueOf(view.analysedAt()))));
		model.addAttribute("sources", doc.path("sources").valueStream().map(JsonNode::asString).toList());
		model.addAttribute("pe", Node.of(doc.path("pe")));
		model.addAttribute("elf", Node.of(doc.path("elf")));
		model.addAttribute("strings", Node.of(doc.path("strings")));
		model.addAttribute("fileType", Node.of(doc.path("fileType")));
		model.addAttribute("matches", doc.path("yaraMatches").valueStream().map(Match::of).toList());
		model.addAttribute("parents", doc.path("parents").valueStream()
			.map(p -> new Link(p.path("sha256").asString(""), p.path("path").asString(""), "")).toList());
		model.addAttribute("members", doc.path("archive").path("members").valueStream()
			.map(m -> new Link(m.path("sha256").asString(""), m.path("path").asString(""),
					m.path("skipped").asString(m.path("size").isNumber() ? m.path("size").asString() + " bytes" : "")))
			.toList());
		model.addAttribute("errors", doc.path("errors").valueStream()
			.map(e -> e.path("analyzer").asString("") + ": " + e.path("message").asString(e.asString(""))).toList());
		model.addAttribute("history", history(hash));
		return "sample";
	}

	/** This content's verdict in each of the newest jobs that had it (a restarted job counts once). */
	private List<Verdict> history(String sha256) {
		List<Verdict> history = new ArrayList<>();
		Set<Long> instances = new HashSet<>();
		ResultFilter exactly = new ResultFilter(null, null, sha256);
		for (JobStatus job : service.list(HISTORY_JOBS)) {
			if (!RescanJobConfiguration.JOB_NAME.equals(job.jobName()) || !instances.add(job.jobInstanceId())) {
				continue;
			}
			for (SampleView view : service.page(job.jobExecutionId(), exactly, null, 1)) {
				JsonNode doc = JSON.readTree(view.document());
				history.add(new Verdict(job.jobExecutionId(), String.valueOf(job.startTime()), view.verdict(),
						doc.path("score").isNumber() ? doc.path("score").asString() : "",
						doc.path("yara").valueStream().map(JsonNode::asString).toList()));
			}
		}
		return history;
	}
}
