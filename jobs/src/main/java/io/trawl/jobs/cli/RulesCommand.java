package io.trawl.jobs.cli;

import java.io.PrintStream;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.status.RuleReport;

/** {@code trawl rules [--json]}: each YARA rule's history, a table by default. */
final class RulesCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private RulesCommand() {
	}

	static int print(List<RuleReport> rules, boolean asJson, PrintStream out) {
		if (asJson) {
			out.println(JSON.writeValueAsString(rules));
			return 0;
		}
		if (rules.isEmpty()) {
			out.println("No rule has hit a sample yet.");
			return 0;
		}
		int width = Math.min(60, Math.max(4, rules.stream().mapToInt(rule -> rule.rule().length()).max().orElse(4)));
		String format = "%-" + width + "." + width + "s %8s %9s %9s  %s%n";
		out.printf(format, "RULE", "HITS", "FIRST", "LAST", "NOISY");
		for (RuleReport rule : rules) {
			out.printf(format, rule.rule(), rule.hits(), rule.firstJob(), rule.lastJob(), rule.noisy() ? "noisy" : "");
		}
		out.printf("HITS: in job instance %d, the newest that hit any rule; FIRST and LAST: the job instances that "
				+ "hit the rule first and last.%n", rules.get(0).latestJob());
		return 0;
	}
}
