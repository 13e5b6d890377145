package io.trawl.readmodel.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

/**
 * Rebuilds a job's query tables from its events. The events of one sample arrive together (the store orders them by
 * sample key), so the projection streams: memory holds one sample and one batch, whatever the job's size. Running it
 * again gives the same tables.
 * <p>
 * With more than one thread it reads the job in as many disjoint slices at once ({@link EventStore#forEachSlice}),
 * each with its own tally, merged into the one summary at the end. Each slice writes its rows on its thread, or, when
 * the tables take writes from one thread ({@link QueryTables#singleWriter}: JDBC, in the caller's transaction), hands
 * them to the caller's. The tables come out the same as with one thread:
 * a sample's events are all in one slice, so each job row and each rule hit is written by one slice; a newest-result
 * row is keyed by sha256, which is the sample key of a readable sample, so within a job it too has one writer (and
 * the write keeps the newest result whatever the order); the summary and the rule counts are written once, from the
 * merged tally.
 */
public final class ResultProjection {

	/**
	 * Where the projection's own fields start in a row's document written as usual: the analysis text without its
	 * closing brace, then {@code "sources"} and the other fields the projection adds ({@link #view}). The analysis text
	 * has no {@code "sources"} key of its own ({@link Head#read}), and inside a JSON string a quote follows a backslash,
	 * never a comma, so the last match is where they start.
	 */
	public static final String OWN_FIELDS = ",\"sources\":";

	/**
	 * The fields that name jobs (each analyzer's job, the ruleset's version), with which every analysis text ends, in
	 * this order: the text before them is the same from job to job while the analysis is, and the JDBC store keeps
	 * that part once.
	 */
	public static final List<String> JOB_FIELDS = List.of("provenance", "rulesetVersion");

	/**
	 * The fields a reader of a result decides on (its errors, verdict and YARA hits, what an incremental rescan needs
	 * to reuse it), with which an analysis text starts, in this order, {@code "errors"} first ({@link #ordered}). A
	 * reader that needs only these and {@link #JOB_FIELDS} stops at the first other name of a text that starts with
	 * {@code "errors"}: the rest (hashes, strings, PE and ELF details: most of a text) is not read.
	 */
	public static final List<String> HEAD_FIELDS = List.of("errors", "skipped", "verdict", "score", "yara",
			"yaraMatches", "signals", "depth", "archive", "children", "mimeType", "fileType", "size", "analyzers");

	/** The fields the projection adds to a result document ({@link #view}); an analysis text has none of them. */
	static final Set<String> ADDED = Set.of("sources", "parents", "jobInstanceId", "jobExecutionId", "analysedAt");

	/** How the first of {@link #JOB_FIELDS} starts in a text, after the field before it. */
	private static final String JOB_FIELDS_START = ",\"" + JOB_FIELDS.get(0) + "\":";

	/**
	 * The fields a diff compares (YARA's hits, its matches, the verdict), as they start in a text: provenance's own
	 * {@code "yara"} is a job id, not a list. In a JSON string a quote is escaped, so none of these is inside one.
	 */
	private static final List<String> DECIDES = List.of("\"yara\":[", "\"yaraMatches\":", "\"verdict\":");

	/**
	 * Where a result text's fields that name jobs start ({@link #JOB_FIELDS}): at its last {@code ,"provenance":},
	 * when nothing that decides a diff (YARA's fields, the verdict) comes after it; otherwise -1. Inside a JSON string a
	 * quote follows a backslash, never a comma, so the match is a key. Two texts equal before that point are the same
	 * analysis whatever job made them.
	 */
	public static int jobFieldsAt(String text) {
		int cut = text.lastIndexOf(JOB_FIELDS_START);
		if (cut <= 0) {
			return -1;
		}
		for (String decides : DECIDES) {
			if (text.indexOf(decides, cut) >= 0) {
				return -1;
			}
		}
		return cut;
	}

	/**
	 * An analysis document in the order its text is written: {@link #HEAD_FIELDS} first, {@link #JOB_FIELDS} last, the
	 * rest between in their order. A document without {@code "errors"} or with a field the projection adds keeps its
	 * order but for the job fields, so no reader takes it for one that starts with its head.
	 */
	public static Map<String, Object> ordered(Map<String, Object> document) {
		Map<String, Object> ordered = new LinkedHashMap<>();
		if (document.containsKey("errors") && document.keySet().stream().noneMatch(ADDED::contains)) {
			HEAD_FIELDS.stream().filter(document::containsKey).forEach(field -> ordered.put(field, document.get(field)));
		}
		document.forEach((field, value) -> {
			if (!JOB_FIELDS.contains(field)) {
				ordered.putIfAbsent(field, value);
			}
		});
		JOB_FIELDS.stream().filter(document::containsKey).forEach(field -> ordered.put(field, document.get(field)));
		return ordered;
	}

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int BATCH = 200;

	private final EventStore events;
	private final QueryTables tables;
	private final int threads;

	public ResultProjection(EventStore events, QueryTables tables) {
		this(events, tables, 1);
	}

	/**
	 * @param threads how many slices of a job to read and project at once; 0 for the event store's default
	 *        ({@link EventStore#defaultSlices})
	 */
	public ResultProjection(EventStore events, QueryTables tables, int threads) {
		if (threads < 0 || threads > EventStore.MAX_SLICES) {
			throw new IllegalArgumentException("The projection runs on 1 to " + EventStore.MAX_SLICES
					+ " threads (0: the store's default), not " + threads + ".");
		}
		this.events = events;
		this.tables = tables;
		this.threads = threads;
	}

	/** How many slices of a job it projects at once: the given threads, or the event store's default. */
	public int slices() {
		return threads > 0 ? threads : Math.max(1, Math.min(events.defaultSlices(), EventStore.MAX_SLICES));
	}

	public JobSummary project(long jobInstanceId) {
		int slices = slices();
		Tally tally = slices == 1 ? slice(jobInstanceId, 0, 1, this::write) : inParallel(jobInstanceId, slices);
		// projecting again keeps the diff the job's own projection stored: its base does not change
		JobSummary summary = tally.summary().withDiff(tables.summary(jobInstanceId).map(JobSummary::diff).orElse(null));
		tables.putSummary(summary);
		tables.putRuleCounts(jobInstanceId, summary.samples(), summary.ruleHits());
		return summary;
	}

	/**
	 * Projects one slice of the job's events (the whole job when there is one slice) and returns its tally; its rows
	 * go to {@code out} a batch at a time.
	 */
	private Tally slice(long jobInstanceId, int slice, int slices, Consumer<Batch> out) {
		Tally tally = new Tally(jobInstanceId, out);
		List<ResultEvent> current = new ArrayList<>();
		Consumer<ResultEvent> each = event -> {
			if (!current.isEmpty() && !current.get(0).sampleKey().equals(event.sampleKey())) {
				tally.add(current);
				current.clear();
			}
			current.add(event);
		};
		if (slices == 1) {
			events.forEach(jobInstanceId, each);
		}
		else {
			events.forEachSlice(jobInstanceId, slice, slices, each);
		}
		if (!current.isEmpty()) {
			tally.add(current);
		}
		tally.flush();
		return tally;
	}

	/**
	 * Every slice on a thread of its own, their tallies merged; each slice writes its rows, or hands them to this
	 * thread to write when the tables take writes from one thread ({@link QueryTables#singleWriter}).
	 */
	private Tally inParallel(long jobInstanceId, int slices) {
		Tally total = new Tally(jobInstanceId, this::write);
		String name = "trawl-projection-" + jobInstanceId;
		List<Tally> tallies = tables.singleWriter()
				? Slices.inParallel(name, slices, (slice, out) -> slice(jobInstanceId, slice, slices, out), this::write)
				: Slices.inParallel(name, slices, slice -> slice(jobInstanceId, slice, slices, this::write));
		tallies.forEach(total::merge);
		return total;
	}

	/** Rows of one job, and which of its samples hit each rule. */
	private record Batch(long jobInstanceId, List<SampleView> samples, Map<String, List<String>> hits) {
	}

	private void write(Batch batch) {
		if (!batch.samples().isEmpty()) {
			tables.putSamples(batch.samples());
		}
		batch.hits().forEach((rule, hashes) -> tables.putRuleHits(batch.jobInstanceId(), rule, hashes));
	}

	/** One sample's row, and what the tally counts from its document. */
	record Projected(SampleView view, Set<String> sources, boolean errors, List<String> rules) {
	}

	/** Merges one sample's events into its document; null when the sample has no result event yet. */
	static Projected view(List<ResultEvent> sampleEvents) {
		ResultEvent result = null;
		TreeSet<String> sources = new TreeSet<>();
		List<JsonNode> parents = new ArrayList<>();
		for (ResultEvent event : sampleEvents) {
			if (event.kind() == EventKind.ATTEMPT) {
				continue; // a worker's bookkeeping for careful restarts, not part of any result
			}
			switch (event.kind()) {
				case ANALYSED, FAILED -> result = event;
				case SOURCE -> {
					JsonNode payload = JSON.readTree(event.payload());
					if (payload.hasNonNull("location")) {
						sources.add(payload.get("location").asString());
					}
					if (payload.hasNonNull("parent")) {
						sources.add(payload.get("parent").asString() + "!/" + payload.get("path").asString());
						parents.add(payload);
					}
				}
			}
		}
		if (result == null) {
			return null;
		}
		boolean failed = result.kind() == EventKind.FAILED;
		Head head = Head.read(result.payload());
		ObjectNode tree = null;
		if (head == null || failed && head.location() == null) {
			tree = (ObjectNode) JSON.readTree(result.payload());
			head = Head.of(tree);
		}
		// the rules as a diff would read them from the document (the strings of its one "yara" list), when the head
		// was read from the text and met "yara" or read the text to its end; else the diff reads the document
		List<String> rules = tree == null && head.rulesRead() ? head.rules() : null;
		if (failed) {
			sources.add(tree != null ? tree.path("location").asString() : head.location());
		}
		ObjectNode added = JSON.createObjectNode();
		ArrayNode sourceArray = added.putArray("sources");
		sources.forEach(sourceArray::add);
		if (!parents.isEmpty()) {
			ArrayNode parentArray = added.putArray("parents");
			parents.stream()
				.sorted((a, b) -> (a.get("parent").asString() + a.get("path").asString())
					.compareTo(b.get("parent").asString() + b.get("path").asString()))
				.forEach(p -> parentArray.addObject().put("sha256", p.get("parent").asString())
					.put("path", p.get("path").asString()));
		}
		added.put("jobInstanceId", result.jobInstanceId());
		added.put("jobExecutionId", result.jobExecutionId());
		added.put("analysedAt", result.recordedAt().toString());
		String document = tree != null ? JSON.writeValueAsString(tree.setAll(added))
				: appended(result.payload(), JSON.writeValueAsString(added));
		String sha256 = result.unreadable() ? null : result.sampleKey();
		return new Projected(new SampleView(result.jobInstanceId(), result.sampleKey(), sha256, head.verdict(),
				result.recordedAt(), document, rules), sources, head.errors(), head.rules());
	}

	/**
	 * The stored document with the projection's fields after its own: the text the analysis wrote is kept as it is,
	 * not parsed into a tree and written again ({@link Head#read} has checked it names none of them already).
	 */
	private static String appended(String document, String added) {
		int end = document.lastIndexOf('}');
		boolean empty = document.substring(document.indexOf('{') + 1, end).isBlank();
		return document.substring(0, end) + (empty ? "" : ",") + added.substring(1);
	}

	/** The top-level fields of a result document that the projection reads; the location only as text, or null. */
	private record Head(String verdict, boolean errors, List<String> rules, String location, boolean rulesRead) {

		static Head of(ObjectNode document) {
			List<String> rules = new ArrayList<>();
			document.path("yara").forEach(rule -> rules.add(rule.asString()));
			return new Head(document.path("verdict").asString("error"), document.path("errors").size() > 0, rules,
					null, false);
		}

		/**
		 * Reads them without building a tree of the whole document, and of a text written head first only its head
		 * ({@link #HEAD_FIELDS}); null when the document is not one the analysis writes (a field of an unexpected
		 * shape, one the projection adds, a name twice), which is then read as a tree.
		 */
		static Head read(String document) {
			try (JsonParser parser = JSON.createParser(document)) {
				if (parser.nextToken() != JsonToken.START_OBJECT) {
					return null;
				}
				Set<String> names = new HashSet<>();
				String verdict = "error";
				String location = null;
				int errors = 0;
				List<String> rules = new ArrayList<>();
				boolean headFirst = false;
				boolean whole = true;
				for (String name = parser.nextName(); name != null; name = parser.nextName()) {
					if (names.isEmpty()) {
						headFirst = name.equals("errors");
					}
					else if (headFirst && !HEAD_FIELDS.contains(name)) {
						whole = false;
						break; // the rest of a text written head first holds nothing the projection reads
					}
					JsonToken value = parser.nextToken();
					if (!names.add(name) || ADDED.contains(name)) {
						return null;
					}
					switch (name) {
						case "verdict", "location" -> {
							if (value != JsonToken.VALUE_STRING) {
								return null;
							}
							if (name.equals("verdict")) {
								verdict = parser.getString();
							}
							else {
								location = parser.getString();
							}
						}
						case "errors" -> {
							if (value != JsonToken.START_ARRAY) {
								return null;
							}
							while (parser.nextToken() != JsonToken.END_ARRAY) {
								parser.skipChildren();
								errors++;
							}
						}
						case "yara" -> {
							if (value != JsonToken.START_ARRAY) {
								return null;
							}
							for (JsonToken rule = parser.nextToken(); rule != JsonToken.END_ARRAY; rule = parser
								.nextToken()) {
								if (rule != JsonToken.VALUE_STRING) {
									return null;
								}
								rules.add(parser.getString());
							}
						}
						default -> parser.skipChildren();
					}
				}
				return headFirst || parser.nextToken() == null
						? new Head(verdict, errors > 0, rules, location, whole || names.contains("yara")) : null;
			}
		}
	}

	private static final class Tally {
		private final long jobInstanceId;
		private final Consumer<Batch> out;
		private final List<SampleView> batch = new ArrayList<>();
		private final Map<String, List<String>> batchHits = new HashMap<>();
		private final Map<String, Long> verdicts = new TreeMap<>();
		private final Map<String, Long> ruleHits = new TreeMap<>();
		private long samples;
		private long files;
		private long errors;
		private long resultEvents;

		Tally(long jobInstanceId, Consumer<Batch> out) {
			this.jobInstanceId = jobInstanceId;
			this.out = out;
		}

		void add(List<ResultEvent> sampleEvents) {
			// counted from the stream itself: ids are unique, so this is what the store holds
			resultEvents += sampleEvents.stream()
				.filter(e -> e.kind() == EventKind.ANALYSED || e.kind() == EventKind.FAILED)
				.count();
			Projected projected = view(sampleEvents);
			if (projected == null) {
				return;
			}
			SampleView view = projected.view();
			samples++;
			files += projected.sources().stream().filter(s -> !s.contains("!/")).count();
			if (projected.errors()) {
				errors++;
			}
			verdicts.merge(view.verdict(), 1L, Long::sum);
			for (String rule : projected.rules()) {
				ruleHits.merge(rule, 1L, Long::sum);
				batchHits.computeIfAbsent(rule, r -> new ArrayList<>()).add(view.sha256());
			}
			batch.add(view);
			if (batch.size() >= BATCH) {
				flush();
			}
		}

		void flush() {
			if (!batch.isEmpty() || !batchHits.isEmpty()) {
				out.accept(new Batch(jobInstanceId, List.copyOf(batch), new HashMap<>(batchHits)));
				batch.clear();
				batchHits.clear();
			}
		}

		/** Adds another slice's counts: the slices are disjoint, so every count is a sum. */
		void merge(Tally other) {
			samples += other.samples;
			files += other.files;
			errors += other.errors;
			resultEvents += other.resultEvents;
			other.verdicts.forEach((verdict, n) -> verdicts.merge(verdict, n, Long::sum));
			other.ruleHits.forEach((rule, n) -> ruleHits.merge(rule, n, Long::sum));
		}

		JobSummary summary() {
			return new JobSummary(jobInstanceId, samples, files, resultEvents, errors, verdicts, ruleHits,
					Instant.now());
		}
	}
}
