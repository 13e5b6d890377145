package io.trawl.readmodel.query;

/**
 * Which of a job's samples a page holds; a null field does not filter.
 * @param verdict the sample's verdict, exactly ({@code malicious}, {@code clean}, {@code error}, ...)
 * @param rule a YARA rule the sample matched in the job
 * @param sha256Prefix a lowercase hex prefix of the sample's sha256 (unreadable samples have none, so never match)
 */
public record ResultFilter(String verdict, String rule, String sha256Prefix) {

	public static final ResultFilter NONE = new ResultFilter(null, null, null);

	public ResultFilter {
		if (sha256Prefix != null && !sha256Prefix.matches("[0-9a-f]{1,64}")) {
			throw new IllegalArgumentException("A sha256 prefix is 1 to 64 lowercase hex digits.");
		}
		verdict = verdict == null || verdict.isEmpty() ? null : verdict;
		rule = rule == null || rule.isEmpty() ? null : rule;
		sha256Prefix = sha256Prefix == null || sha256Prefix.isEmpty() ? null : sha256Prefix;
	}

	/** Whether a sample passes the verdict and sha256 filters (the rule filter needs the rule hits). */
	public boolean matches(SampleView view) {
		return (verdict == null || verdict.equals(view.verdict()))
				&& (sha256Prefix == null || (view.sha256() != null && view.sha256().startsWith(sha256Prefix)));
	}
}
