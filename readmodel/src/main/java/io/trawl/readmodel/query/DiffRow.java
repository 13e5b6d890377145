package io.trawl.readmodel.query;

import java.util.function.Supplier;

/**
 * A job's row as a diff reads it ({@link QueryTables#diffPage}): its key, sha256 and verdict, and its document only
 * when asked. {@code analysisKey}, when a table has one, names the row's analysis text (the result the analysis wrote,
 * without the projection's own fields): two rows with the same key and verdict have the same result, and neither
 * document is read. {@code rules}, when a table has it, is the set of YARA rules the document names
 * ({@link SampleView#rulesKey}): two rows that both have it have the same result when it and the verdict are the same,
 * and differ otherwise, again without reading a document.
 */
public record DiffRow(String sampleKey, String sha256, String verdict, String analysisKey, String rules,
		Supplier<String> document) {

	/** A row whose document is at hand. */
	public static DiffRow of(SampleView view) {
		String document = view.document();
		return new DiffRow(view.sampleKey(), view.sha256(), view.verdict(), null, view.rulesKey(), () -> document);
	}
}
