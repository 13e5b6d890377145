package io.trawl.worker.yara;

import java.util.List;

/** The ruleset does not compile. Each problem reads {@code file:line: message}. */
public class RuleCompilationException extends RuntimeException {

	private final List<String> problems;

	public RuleCompilationException(String source, List<String> problems) {
		super("YARA rules in " + source + " do not compile:\n  " + String.join("\n  ", problems)
				+ "\nFix the rules, or point --rules at another file or folder.");
		this.problems = List.copyOf(problems);
	}

	public List<String> problems() {
		return problems;
	}
}
