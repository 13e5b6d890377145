package io.trawl.jobs.rescan;

import java.util.List;
import java.util.Map;

import io.trawl.readmodel.query.ResultProjection;

/**
 * One content's result document, computed now or reused from the base job, with its archive members' results:
 * what becomes its ANALYSED event and its members' SOURCE and ANALYSED events. A result copied as it is carries the
 * stored text ({@code copied}), and its document only the fields the writer counts ({@code errors}, {@code verdict},
 * {@code yara}).
 * <p>
 * A document computed or rebuilt here is written in {@link ResultProjection#ordered} order: the fields readers decide
 * on first, so the projection and the next night's reuse read only those, and the fields that name jobs
 * ({@link ResultProjection#JOB_FIELDS}) last, so the rest of its text is the same from job to job while the analysis
 * is, and the JDBC store keeps that part once.
 */
record Analysed(String sha256, Map<String, Object> document, List<Member> members, String copied) {

	Analysed {
		if (copied == null) {
			document = ResultProjection.ordered(document);
		}
	}

	Analysed(String sha256, Map<String, Object> document, List<Member> members) {
		this(sha256, document, members, null);
	}

	/** A stored result whose text is the result this job would write: it is written again as it is. */
	static Analysed copied(String sha256, String payload, String verdict, List<String> rules) {
		return new Analysed(sha256, Map.of("errors", List.of(), "verdict", verdict, "yara", rules), List.of(), payload);
	}

	record Member(String path, Analysed result) {
	}
}
