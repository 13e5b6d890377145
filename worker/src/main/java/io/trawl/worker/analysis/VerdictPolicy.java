package io.trawl.worker.analysis;

import java.util.List;
import java.util.Map;

/**
 * Scores a sample from its YARA matches and analyzer signals, then maps the score to a verdict.
 * <ul>
 * <li>A matching rule scores its {@code score} meta (an integer), else its {@code severity} meta
 * ({@code low}=30, {@code medium}=60, {@code high}/{@code critical}=100), else the score of its first known tag,
 * else {@code defaultRuleScore}.</li>
 * <li>Each signal an analyzer raised ({@code signals}: a list of {@code {name, score}}) adds its score.</li>
 * <li>The sample's score is the highest rule score plus the signal scores.</li>
 * <li>{@code score >= maliciousAt} is malicious; {@code >= suspiciousAt} suspicious; otherwise clean, unless an
 * analyzer in {@code essentialAnalyzers} failed, which makes it an error (we cannot call it clean).</li>
 * </ul>
 */
public record VerdictPolicy(int maliciousAt, int suspiciousAt, int defaultRuleScore, Map<String, Integer> tagScores,
		List<String> essentialAnalyzers) {

	public static VerdictPolicy defaults() {
		return new VerdictPolicy(70, 30, 70, Map.of("malware", 100, "malicious", 100, "suspicious", 40, "pua", 40,
				"informational", 0, "info", 0), List.of("hashes", "yara"));
	}

	public Verdict verdict(Findings findings) {
		int score = score(findings);
		findings.put("score", score);
		if (score >= maliciousAt) {
			return Verdict.MALICIOUS;
		}
		if (score >= suspiciousAt) {
			return Verdict.SUSPICIOUS;
		}
		boolean essentialFailed = findings.errors().stream().anyMatch(e -> essentialAnalyzers.contains(e.analyzer()));
		return essentialFailed ? Verdict.ERROR : Verdict.CLEAN;
	}

	int score(Findings findings) {
		int best = 0;
		if (findings.get("yaraMatches") instanceof List<?> matches) {
			for (Object match : matches) {
				if (match instanceof Map<?, ?> m) {
					best = Math.max(best, ruleScore(m));
				}
			}
		}
		int signals = 0;
		for (Signal signal : findings.signals()) {
			signals += signal.score();
		}
		return best + signals;
	}

	private int ruleScore(Map<?, ?> match) {
		Object metaObject = match.get("meta");
		Map<?, ?> meta = metaObject instanceof Map<?, ?> m ? m : Map.of();
		Object score = meta.get("score");
		if (score instanceof Number n) {
			return n.intValue();
		}
		if (score instanceof String s && s.matches("\\d{1,6}")) {
			return Integer.parseInt(s);
		}
		if (meta.get("severity") instanceof String severity) {
			switch (severity.toLowerCase()) {
				case "low": return 30;
				case "medium": return 60;
				case "high", "critical": return 100;
				default: break;
			}
		}
		if (match.get("tags") instanceof List<?> tags) {
			for (Object tag : tags) {
				Integer tagScore = tagScores.get(String.valueOf(tag).toLowerCase());
				if (tagScore != null) {
					return tagScore;
				}
			}
		}
		return defaultRuleScore;
	}
}
