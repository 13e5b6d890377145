package io.trawl.readmodel.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * What changed between two jobs, by content: a merge join of their samples in sample-key order, read a page at a
 * time from each, so memory holds two pages whatever the jobs' sizes. Two rows with the same key are the same sample
 * (a sha256, or for an unreadable location {@code "!" + sha256(location)}, compared like any other: unchanged while
 * it stays unreadable); they differ when the verdict or the set of YARA rules differs.
 */
public final class JobDiff {

	static final int PAGE = 200;
	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final String YARA = "\"yara\"";

	private final QueryTables tables;

	public JobDiff(QueryTables tables) {
		this.tables = tables;
	}

	/** Counts every sample of both jobs; {@code base} is the execution id the caller names the base by. */
	public DiffCounts counts(long base, long baseJobInstanceId, long jobInstanceId) {
		return counts(base, baseJobInstanceId, jobInstanceId, 1);
	}

	/**
	 * The same counts, from {@code slices} ranges of the sample keys joined at once, each on a thread of its own:
	 * the first range holds the unreadable samples ({@code "!"} keys) and the keys up to the second range's first
	 * two hex digits, and so on (as a job's rows are sharded by those two digits).
	 */
	public DiffCounts counts(long base, long baseJobInstanceId, long jobInstanceId, int slices) {
		if (slices < 1 || slices > 256) {
			throw new IllegalArgumentException("The diff runs on 1 to 256 slices, not " + slices + ".");
		}
		long[] counts = new long[4];
		List<long[]> parts = slices == 1 ? List.of(count(baseJobInstanceId, jobInstanceId, null, null))
				: Slices.inParallel("trawl-diff-" + jobInstanceId, slices, slice -> count(baseJobInstanceId,
						jobInstanceId, slice == 0 ? null : lastBefore(slice, slices),
						slice == slices - 1 ? null : lowest(slice + 1, slices)));
		for (long[] part : parts) {
			for (int i = 0; i < counts.length; i++) {
				counts[i] += part[i];
			}
		}
		return new DiffCounts(base, baseJobInstanceId, counts[0], counts[1], counts[2], counts[3]);
	}

	/** The first two hex digits of a slice's keys: slice {@code i} of {@code n} starts at shard 256 * i / n. */
	private static String lowest(int slice, int slices) {
		return "%02x".formatted(256 * slice / slices);
	}

	/** The greatest key before a slice's first shard (a cursor must be a key a store can shard). */
	private static String lastBefore(int slice, int slices) {
		return "%02x".formatted(256 * slice / slices - 1) + "f".repeat(62);
	}

	/** New, gone, changed and unchanged samples with keys after {@code after} and before {@code before} (null: no bound). */
	private long[] count(long baseJobInstanceId, long jobInstanceId, String after, String before) {
		long[] counts = new long[4];
		merge(baseJobInstanceId, jobInstanceId, after, (was, is) -> {
			String key = (was != null ? was : is).sampleKey();
			if (before != null && key.compareTo(before) >= 0) {
				return false;
			}
			counts[was == null ? 0 : is == null ? 1 : sameResult(was, is) ? 3 : 2]++;
			return true;
		});
		return counts;
	}

	/**
	 * Hands each new, gone or changed sample whose key follows {@code after} (null: from the start) to the action, in
	 * sample-key order, until the action returns false or both jobs are read.
	 */
	public void changes(long baseJobInstanceId, long jobInstanceId, String after, Predicate<SampleChange> action) {
		merge(baseJobInstanceId, jobInstanceId, after, (before, now) -> {
			if (before != null && now != null && (sameAnalysis(before, now)
					|| before.rules() != null && now.rules() != null && sameRules(before, now)
					|| sameText(before, now))) {
				return true;
			}
			Doc was = before == null ? null : Doc.of(before);
			Doc is = now == null ? null : Doc.of(now);
			if (was != null && is != null && was.sameResult(is)) {
				return true;
			}
			DiffRow row = now != null ? now : before;
			TreeSet<String> gained = new TreeSet<>(is == null ? List.of() : is.rules());
			TreeSet<String> lost = new TreeSet<>(was == null ? List.of() : was.rules());
			if (was != null && is != null) {
				gained.removeAll(was.rules());
				lost.removeAll(is.rules());
			}
			return action.test(new SampleChange(was == null ? "new" : is == null ? "gone" : "changed", row.sampleKey(),
					row.sha256(), (is != null ? is : was).sources(), was == null ? null : was.verdict(),
					is == null ? null : is.verdict(), List.copyOf(gained), List.copyOf(lost)));
		});
	}

	private static boolean sameResult(DiffRow was, DiffRow is) {
		if (sameAnalysis(was, is)) {
			return true;
		}
		if (was.rules() != null && is.rules() != null) {
			return sameRules(was, is);
		}
		return sameText(was, is) || Doc.of(was).sameResult(Doc.of(is));
	}

	/**
	 * When both rows have their sets of YARA rules ({@link DiffRow#rules}): whether they have the same result, the
	 * same verdict and the same rules, as {@link Doc#sameResult} would say from their documents, which are not read.
	 */
	static boolean sameRules(DiffRow was, DiffRow is) {
		return Objects.equals(was.verdict(), is.verdict()) && was.rules().equals(is.rules());
	}

	/** True when both rows name the same analysis text and have the same verdict: no document is read. */
	static boolean sameAnalysis(DiffRow was, DiffRow is) {
		return was.analysisKey() != null && was.analysisKey().equals(is.analysisKey())
				&& Objects.equals(was.verdict(), is.verdict());
	}

	/**
	 * True when two rows certainly have the same result, seen without parsing them: the same verdict, and the same
	 * text up to the fields that name jobs ({@link ResultProjection#jobFieldsAt}: a result reused under new rules with
	 * the same hits), or up to the projection's own fields ({@code "sources"} and after: locations, job ids, time),
	 * with no YARA rules after them. A sample whose analysis was reused is such a row (a nothing-changed night's every
	 * one); false sends the rows to {@link Doc}, which reads them ({@link ResultProjection#OWN_FIELDS}).
	 */
	static boolean sameText(DiffRow was, DiffRow is) {
		if (!Objects.equals(was.verdict(), is.verdict())) {
			return false;
		}
		String a = was.document().get();
		String b = is.document().get();
		int jobFields = ResultProjection.jobFieldsAt(a);
		if (jobFields > 0 && jobFields == ResultProjection.jobFieldsAt(b) && a.regionMatches(0, b, 0, jobFields)) {
			return true;
		}
		int cut = a.lastIndexOf(ResultProjection.OWN_FIELDS);
		return cut > 0 && cut == b.lastIndexOf(ResultProjection.OWN_FIELDS) && a.regionMatches(0, b, 0, cut)
				&& a.indexOf(YARA, cut) < 0 && b.indexOf(YARA, cut) < 0;
	}

	/** Pairs rows by key; a row only in one job has null on the other side. */
	private void merge(long baseJobInstanceId, long jobInstanceId, String after, Pairs pairs) {
		Rows base = new Rows(baseJobInstanceId, after);
		Rows job = new Rows(jobInstanceId, after);
		DiffRow left = base.nextOrNull();
		DiffRow right = job.nextOrNull();
		while (left != null || right != null) {
			int order = left == null ? 1 : right == null ? -1 : left.sampleKey().compareTo(right.sampleKey());
			boolean more = pairs.visit(order <= 0 ? left : null, order >= 0 ? right : null);
			if (!more) {
				return;
			}
			if (order <= 0) {
				left = base.nextOrNull();
			}
			if (order >= 0) {
				right = job.nextOrNull();
			}
		}
	}

	@FunctionalInterface
	private interface Pairs {
		boolean visit(DiffRow before, DiffRow after);
	}

	/** A job's rows after a key, a page at a time; a key out of order would make the join wrong, so it stops it. */
	private final class Rows {
		private final long jobInstanceId;
		private String cursor;
		private List<DiffRow> page = List.of();
		private int index;
		private boolean last;

		Rows(long jobInstanceId, String after) {
			this.jobInstanceId = jobInstanceId;
			this.cursor = after;
		}

		/** The next row, or null after the last. */
		DiffRow nextOrNull() {
			if (index == page.size()) {
				if (last) {
					return null;
				}
				page = tables.diffPage(jobInstanceId, cursor, PAGE);
				index = 0;
				last = page.size() < PAGE;
				if (page.isEmpty()) {
					return null;
				}
			}
			DiffRow row = page.get(index++);
			if (cursor != null && row.sampleKey().compareTo(cursor) <= 0) {
				throw new IllegalStateException("The query tables of job instance " + jobInstanceId
						+ " returned samples out of key order, so the two jobs cannot be compared.");
			}
			cursor = row.sampleKey();
			return row;
		}
	}

	/** The fields of a result document the diff reads, read without building a tree of the document. */
	private record Doc(String verdict, TreeSet<String> rules, List<String> sources) {

		static Doc of(DiffRow view) {
			TreeSet<String> rules = new TreeSet<>();
			List<String> sources = new ArrayList<>();
			try (JsonParser parser = JSON.createParser(view.document().get())) {
				if (parser.nextToken() == JsonToken.START_OBJECT) {
					for (String name = parser.nextName(); name != null; name = parser.nextName()) {
						JsonToken value = parser.nextToken();
						if (value == JsonToken.START_ARRAY && (name.equals("yara") || name.equals("sources"))) {
							for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser
								.nextToken()) {
								if (item == JsonToken.VALUE_STRING) {
									(name.equals("yara") ? rules : sources).add(parser.getString());
								}
								else {
									parser.skipChildren();
								}
							}
						}
						else {
							parser.skipChildren();
						}
					}
				}
			}
			return new Doc(view.verdict(), rules, sources);
		}

		boolean sameResult(Doc other) {
			return Objects.equals(verdict, other.verdict) && rules.equals(other.rules);
		}
	}
}
