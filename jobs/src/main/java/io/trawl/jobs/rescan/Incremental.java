package io.trawl.jobs.rescan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.query.ResultProjection;
import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.source.Sample;
import io.trawl.worker.yara.YaraMatch;
import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.RuleFingerprints;

/**
 * What an incremental rescan may reuse from its base job, content by content and analyzer by analyzer. A previous
 * result is reused when it is whole (no error, nothing skipped). When an analyzer's version changed since it was
 * computed, or the analyzer is new, that analyzer runs again on the sample, alone with those that read its fields
 * ({@link Reruns}), given the stored fields they read; their stored fields are replaced by what they find, every
 * other analyzer's are kept, and {@code analyzers} becomes this pipeline's. A result that cannot be split so (the
 * hashes changed, a stored field no analyzer of this pipeline declares, stored signals, which do not say whose they
 * are) is analysed in full, and so is an archive or a member of one whose analyzers changed: re-running an analyzer
 * over a tree of members is left to the full analysis, which is exact. So is a sample on which an analyzer that runs
 * again fails. When YARA is among the analyzers that run again, it scans with this job's whole ruleset; otherwise
 * YARA may have work left: the rules that are new or changed since the result's ruleset, scanned as a delta
 * ruleset (all rules that read the location too, when the ruleset has any, so renames and copies stay exact). An
 * archive is reused with its members: when YARA has rules to run, the archive is opened again and it and every
 * member are scanned with the delta alone ({@link StoredContent} gives each layer its stored MIME type), and the
 * members found must be the stored ones. Anything else is analysed in full, which is always exact. The verdict and
 * score are recomputed from the merged fields, and {@code provenance} names, per analyzer, the job that computed its
 * output.
 * The delta rulesets are compiled once per job execution ({@link DeltaRulesets}).
 * <p>
 * A delta whose every rule needs given first bytes to match ({@code uint16(0) == 0x5A4D and ...}, its
 * {@link io.trawl.worker.yara.delta.RuleGate}) cannot match a plain content whose stored first bytes
 * ({@code fileType.magic}) are others: that content is not read, and its result is what a delta scan that matched
 * nothing gives (YARA's provenance included). So is an archive whose every layer (it and each member, at any depth)
 * the gate excludes by its own stored first bytes and size: YARA scans each layer's bytes alone, so nothing in the
 * tree can match, and the archive is not opened again. An archive with one layer the gate lets through keeps the scan
 * of its whole tree.
 * <p>
 * Most reused results are the same document again but for their ruleset version and YARA's provenance: same depth,
 * matches the delta keeps, the same verdict. Those are recognised from a few top-level fields read as a stream, and
 * their stored text is written again with those two values replaced in it (as it is when neither changed), never
 * parsed into a map and written anew; any other is rebuilt as above.
 */
final class Incremental {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	/** One value of a document being streamed: what follows it is the document's, not trailing garbage. */
	private static final ObjectReader VALUE = JSON.readerFor(Object.class)
		.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

	/** The top-level fields that decide whether a stored result is copied as it is; the rest are skipped unread. */
	private static final Set<String> HEAD = Stream
		.concat(ResultProjection.HEAD_FIELDS.stream(), ResultProjection.JOB_FIELDS.stream())
		.collect(Collectors.toUnmodifiableSet());
	/** The top-level fields whose stored text a patched result replaces. */
	private static final Set<String> PATCHED = Set.of("rulesetVersion", "provenance");
	private static final Set<String> MATCH_FIELDS = Set.of("namespace", "rule", "tags", "meta");

	private static final int MERGES_KEPT = 10_000;

	/** What a delta scan that matched nothing finds: the findings of a content its rule gate excludes. */
	private static final Findings NOTHING_MATCHED = nothingMatched();

	private final BaseResults results;
	/** Per delta and list of matches: whether the merge with nothing scanned leaves the list as it is. */
	private final Map<MergeKey, Boolean> mergedAsItIs = new ConcurrentHashMap<>();
	private final DeltaRulesets deltas;
	private final long base;
	private final long jobInstanceId;
	private final long jobExecutionId;
	private final Map<String, String> versions;
	private final Reruns reruns;
	private final VerdictPolicy verdicts;
	private final YaraRules rules;
	private final RuleFingerprints current;
	/** Whether a rule of this job's reads the location ({@link #sameAtDepth}): asked of every reused content. */
	private final boolean locationRules;
	private final Function<YaraRules, SampleAnalysis> yaraOnly;
	/** This pipeline's archive analyzer (null when it has none) and its time per analyzer. */
	private final Analyzer archives;
	private final Duration timeout;

	/**
	 * A previous result that may be reused, with the delta YARA needs on it and its members' reusable results. It is
	 * one of: {@code copied}, the text to write, known without reading the sample; {@code stored}, a plain result read
	 * as a stream whose text is patched once its delta is scanned ({@link #patched}); or {@code document}, parsed.
	 */
	record Reuse(String sha256, long job, int depth, Map<String, Object> document, DeltaRulesets.Delta delta,
			List<Member> members, Analysed copied, Stored stored, Reruns.Plan rerun) {

		Reuse(String sha256, long job, int depth, Map<String, Object> document, DeltaRulesets.Delta delta,
				List<Member> members, Analysed copied) {
			this(sha256, job, depth, document, delta, members, copied, null, null);
		}

		Reuse(String sha256, long job, int depth, Map<String, Object> document, DeltaRulesets.Delta delta,
				List<Member> members, Analysed copied, Stored stored) {
			this(sha256, job, depth, document, delta, members, copied, stored, null);
		}

		/**
		 * True when the sample must be read: analyzers changed since the result and must run again on it, or YARA has
		 * rules to scan it with and its rule gate lets it through.
		 */
		boolean needsRead() {
			return copied == null && (rerun != null || scansDelta());
		}

		/** True when YARA's delta ruleset must scan the sample. */
		boolean scansDelta() {
			return delta != null && delta.analysis() != null;
		}

		/** The stored MIME type (YARA's {@code filetype} external of a delta scan). */
		Object mimeType() {
			return head().get("mimeType");
		}

		/** The stored result's fields: the parsed document, or the {@link #HEAD} fields of a stored text. */
		Map<String, Object> head() {
			return document != null ? document : stored.head();
		}
	}

	/**
	 * A stored result's text, its {@link #HEAD} fields, and where the values of the {@link #PATCHED} fields are in the
	 * text ({@code [start, end)} per name).
	 */
	record Stored(String payload, Map<String, Object> head, Map<String, int[]> spans) {
	}

	private record MergeKey(Object delta, List<YaraMatch> previous) {
	}

	record Member(String path, Reuse reuse) {
	}

	/**
	 * @param pipeline the analyzers this job runs, whose versions a reusable result must have
	 * @param rules this job's YARA rules; null when YARA is left out
	 * @param current their fingerprints; null when they could not be read (then no YARA result is reused)
	 * @param yaraOnly the pipeline of one ruleset with YARA alone, isolated as this job's YARA is
	 */
	Incremental(BaseResults results, DeltaRulesets deltas, long base, long jobInstanceId, long jobExecutionId,
			SampleAnalysis pipeline,
			VerdictPolicy verdicts, YaraRules rules, RuleFingerprints current,
			Function<YaraRules, SampleAnalysis> yaraOnly) {
		this.results = results;
		this.deltas = deltas;
		this.base = base;
		this.jobInstanceId = jobInstanceId;
		this.jobExecutionId = jobExecutionId;
		this.reruns = new Reruns(pipeline, verdicts);
		this.versions = reruns.versions();
		this.verdicts = verdicts;
		this.rules = rules;
		this.current = current;
		this.locationRules = current != null
				&& current.all().values().stream().anyMatch(RuleFingerprints.Fingerprint::locationDependent);
		this.yaraOnly = yaraOnly;
		this.archives = pipeline.analyzers().stream().filter(a -> a.name().equals("archive")).findFirst().orElse(null);
		this.timeout = pipeline.timeout();
	}

	/** The base job's result of this content at {@code depth} (0: a source location), if it may be reused. */
	Optional<Reuse> reusable(String sha256, int depth) {
		return reusable(sha256, depth, true);
	}

	/**
	 * @param gated whether a plain content's stored first bytes may spare it the delta scan (not for an archive's
	 *        members: one scan of the archive's tree covers them)
	 */
	private Optional<Reuse> reusable(String sha256, int depth, boolean gated) {
		ResultEvent found = results.analysed(sha256).orElse(null);
		if (found == null) {
			return Optional.empty();
		}
		Reuse patchable = patchable(found, depth, gated);
		if (patchable != null) {
			return Optional.of(patchable);
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> document = JSON.readValue(found.payload(), LinkedHashMap.class);
		if (!(document.get("errors") instanceof List<?> errors && errors.isEmpty()) || document.containsKey("skipped")
				|| !sameAtDepth(document, depth)) {
			return Optional.empty();
		}
		Reruns.Plan plan = reruns.plan(document.get("analyzers"), document.keySet());
		if (plan == null) {
			return Optional.empty();
		}
		Reruns.Plan rerun = plan == Reruns.NONE ? null : plan;
		if (rerun != null && (!gated || document.containsKey("children") || document.containsKey("archive")
				|| document.get("signals") instanceof List<?> signals && !signals.isEmpty())) {
			return Optional.empty(); // analysed in full: see the class comment
		}
		DeltaRulesets.Delta delta = null;
		if (rules != null && (rerun == null || !rerun.names().contains("yara"))) {
			Optional<DeltaRulesets.Delta> known = document.get("rulesetVersion") instanceof String v && current != null
					? deltas.delta(jobExecutionId, v, rules, current, yaraOnly) : Optional.empty();
			if (known.isEmpty()) {
				return Optional.empty();
			}
			delta = known.get();
		}
		List<Member> members = new ArrayList<>();
		if (document.get("children") instanceof List<?> children && !children.isEmpty()) {
			boolean scan = delta != null && delta.analysis() != null;
			if (scan && archives == null) {
				return Optional.empty();
			}
			for (Object child : children) {
				if (!(child instanceof Map<?, ?> link && link.get("sha256") instanceof String childSha
						&& link.get("path") instanceof String path)) {
					return Optional.empty();
				}
				Optional<Reuse> member = reusable(childSha, depth + 1, false);
				// one delta scan of the archive's tree covers its members: they must need exactly that one
				if (member.isEmpty() || member.get().needsRead() != scan || scan && member.get().delta() != delta) {
					return Optional.empty();
				}
				members.add(new Member(path, member.get()));
			}
		}
		Reuse reuse = new Reuse(sha256, found.jobInstanceId(), depth, document, delta, members, null, null, rerun);
		// a tree is scanned layer by layer, each layer's bytes alone: when the gate excludes every layer by its own
		// stored first bytes and size, nothing in it can match, and the archive is not opened again
		if (rerun == null && gated && (members.isEmpty() && !document.containsKey("archive")
				|| !members.isEmpty() && reuse.scansDelta()) && delta != null && excludesTree(delta, reuse)) {
			delta.counts().skipped().incrementAndGet();
			return Optional.of(new Reuse(sha256, found.jobInstanceId(), depth, document, delta, members,
					merged(reuse, NOTHING_MATCHED)));
		}
		return Optional.of(reuse);
	}

	/** True when the delta's rule gate excludes every content of a reused tree by its stored first bytes and size. */
	private static boolean excludesTree(DeltaRulesets.Delta delta, Reuse reuse) {
		return excludes(delta, reuse)
				&& reuse.members().stream().allMatch(member -> excludesTree(delta, member.reuse()));
	}

	/** True when the delta's rule gate excludes this content by its stored first bytes and size. */
	private static boolean excludes(DeltaRulesets.Delta delta, Reuse reuse) {
		return (reuse.document() != null || reuse.stored() != null)
				&& delta.excludes(reuse.head().get("fileType"), reuse.head().get("size"));
	}

	/**
	 * The stored result read as a stream, when its text is what {@link #reuse} would write but for the fields
	 * {@link #PATCHED}: whole, of these analyzers' versions, at this depth, not an archive, with provenance, its
	 * matches kept by the delta from its ruleset, and the verdict and score it has. With nothing to scan, the text
	 * to write is known now ({@code copied}: the stored text itself when the ruleset is the same); with rules to scan,
	 * it is patched after the scan unless the scan changed the matches ({@link #patched}). Null otherwise (or when its
	 * head is not as the analysis writes it): the result is then parsed and rebuilt.
	 */
	private Reuse patchable(ResultEvent event, int depth, boolean gated) {
		Stored stored = stored(event.payload());
		Map<String, Object> head = stored == null ? null : stored.head();
		if (head == null || !(head.get("errors") instanceof List<?> errors && errors.isEmpty())
				|| head.containsKey("skipped") || head.containsKey("archive") || head.containsKey("children")
				|| !versions.equals(head.get("analyzers")) || !(head.get("provenance") instanceof Map<?, ?>)
				|| !(head.get("depth") instanceof Integer d && d == depth)) {
			return null;
		}
		DeltaRulesets.Delta delta = null;
		List<String> rulesHit = List.of();
		if (rules != null) {
			if (current == null || !(head.get("rulesetVersion") instanceof String version)
					|| !stored.spans().containsKey("rulesetVersion")
					|| !(head.get("yaraMatches") instanceof List<?> stored2 && stored2.stream()
						.allMatch(m -> m instanceof Map<?, ?> match && MATCH_FIELDS.equals(match.keySet())))) {
				return null;
			}
			delta = deltas.delta(jobExecutionId, version, rules, current, yaraOnly).orElse(null);
			List<YaraMatch> previous = matches(head.get("yaraMatches"));
			rulesHit = previous.stream().map(YaraMatch::rule).toList();
			if (delta == null || !mergesToItself(delta, previous) || !rulesHit.equals(head.get("yara"))) {
				return null;
			}
		}
		Findings fields = new Findings();
		fields.put("yaraMatches", head.get("yaraMatches"));
		if (head.containsKey("signals")) {
			fields.put("signals", head.get("signals"));
		}
		String verdict = verdicts.verdict(fields).name().toLowerCase();
		if (!verdict.equals(head.get("verdict")) || !(head.get("score") instanceof Integer score
				&& score.equals(fields.get("score")))) {
			return null;
		}
		Reuse reuse = new Reuse(event.sampleKey(), event.jobInstanceId(), depth, null, delta, List.of(), null, stored);
		if (gated && reuse.needsRead() && delta.excludes(head.get("fileType"), head.get("size"))) {
			delta.counts().skipped().incrementAndGet();
			Analysed unread = patched(reuse, NOTHING_MATCHED);
			return unread == null ? null : new Reuse(event.sampleKey(), event.jobInstanceId(), depth, null, delta,
					List.of(), unread, stored);
		}
		if (reuse.needsRead()) {
			return reuse;
		}
		return new Reuse(event.sampleKey(), event.jobInstanceId(), depth, null, delta, List.of(),
				Analysed.copied(event.sampleKey(), patch(stored, false), verdict, rulesHit));
	}

	/**
	 * The text of a {@link Stored} result after its delta scan found {@code scanned}, when the merged matches are the
	 * stored ones: the stored text with its ruleset version, and YARA's provenance when it scanned, replaced (what
	 * {@link #merged} would write, field for field). Null when the matches changed: the result is then rebuilt.
	 */
	private Analysed patched(Reuse reuse, Findings scanned) {
		Map<String, Object> head = reuse.stored().head();
		List<YaraMatch> previous = matches(head.get("yaraMatches"));
		List<YaraMatch> found = scanned == null ? List.of() : matches(scanned.get("yaraMatches"));
		if (!found.isEmpty() && !reuse.delta().delta().merge(previous, found).equals(previous)) {
			return null;
		}
		return Analysed.copied(reuse.sha256(), patch(reuse.stored(), scanned != null), (String) head.get("verdict"),
				previous.stream().map(YaraMatch::rule).toList());
	}

	/** The stored text with this job's ruleset version and, when YARA scanned the sample, this job as its provenance. */
	private String patch(Stored stored, boolean scanned) {
		if (rules == null || rules.version().equals(stored.head().get("rulesetVersion")) && !scanned) {
			return stored.payload();
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> provenance = new LinkedHashMap<>((Map<String, Object>) stored.head().get("provenance"));
		if (scanned) {
			provenance.put("yara", jobInstanceId);
		}
		int[] version = stored.spans().get("rulesetVersion");
		int[] by = stored.spans().get("provenance");
		String text = stored.payload();
		String newVersion = JSON.writeValueAsString(rules.version());
		String newProvenance = JSON.writeValueAsString(provenance);
		return version[0] < by[0]
				? text.substring(0, version[0]) + newVersion + text.substring(version[1], by[0]) + newProvenance
						+ text.substring(by[1])
				: text.substring(0, by[0]) + newProvenance + text.substring(by[1], version[0]) + newVersion
						+ text.substring(version[1]);
	}

	/**
	 * True when merging {@code previous} with nothing scanned gives {@code previous} again (no rule of it removed or
	 * changed, in the ruleset's order). Most results share a few lists of matches, so the answer is kept per delta
	 * and list: the merge orders every rule of the ruleset each time.
	 */
	private boolean mergesToItself(DeltaRulesets.Delta delta, List<YaraMatch> previous) {
		if (previous.isEmpty()) {
			return true;
		}
		if (mergedAsItIs.size() > MERGES_KEPT) {
			mergedAsItIs.clear();
		}
		return mergedAsItIs.computeIfAbsent(new MergeKey(delta, previous),
				key -> delta.delta().merge(previous, List.of()).equals(previous));
	}

	/**
	 * The {@link #HEAD} fields of a stored document, read as a stream, with the spans of the {@link #PATCHED} values;
	 * null when a name comes twice or the document is not an object. Of a text written head first
	 * ({@link ResultProjection#HEAD_FIELDS}) only its head and its job fields are read.
	 */
	static Stored stored(String payload) {
		Stored headFirst = headFirst(payload);
		return headFirst != null ? headFirst : inFull(payload);
	}

	/** {@link #stored}, every field of the text read. */
	static Stored inFull(String payload) {
		try (JsonParser parser = JSON.createParser(payload)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return null;
			}
			Stored stored = new Stored(payload, new HashMap<>(), new HashMap<>(4));
			Set<String> names = new HashSet<>();
			for (String name = parser.nextName(); name != null; name = parser.nextName()) {
				if (!readField(parser, name, payload, 0, stored, names)) {
					return null;
				}
			}
			return stored;
		}
	}

	/**
	 * {@link #stored} of a text written head first: its head up to the first other name, then its job fields, read
	 * from where they start ({@link ResultProjection#jobFieldsAt}); null for any other text, which is read in full.
	 */
	private static Stored headFirst(String payload) {
		Stored stored = new Stored(payload, new HashMap<>(), new HashMap<>(4));
		Set<String> names = new HashSet<>();
		try (JsonParser parser = JSON.createParser(payload)) {
			if (parser.nextToken() != JsonToken.START_OBJECT || !"errors".equals(parser.nextName())) {
				return null;
			}
			for (String name = "errors"; name != null && ResultProjection.HEAD_FIELDS.contains(name); name = parser
				.nextName()) {
				if (!readField(parser, name, payload, 0, stored, names)) {
					return null;
				}
			}
		}
		int cut = ResultProjection.jobFieldsAt(payload);
		if (cut < 0) {
			return null;
		}
		// the job fields as an object of their own: the text's comma before them becomes its brace, every offset kept
		try (JsonParser parser = JSON.createParser("{" + payload.substring(cut + 1))) {
			parser.nextToken();
			for (String name = parser.nextName(); name != null; name = parser.nextName()) {
				if (!readField(parser, name, payload, cut, stored, names)) {
					return null;
				}
			}
			return parser.nextToken() == null ? stored : null;
		}
	}

	/**
	 * Reads the value of field {@code name}, the parser on its name, into {@code stored} when it is one of
	 * {@link #HEAD}, skips it otherwise; false when the name came before. {@code shift}: where the parsed text starts in
	 * the stored one.
	 */
	private static boolean readField(JsonParser parser, String name, String payload, int shift, Stored stored,
			Set<String> names) {
		parser.nextToken();
		if (!names.add(name)) {
			return false;
		}
		if (!HEAD.contains(name)) {
			parser.skipChildren();
			return true;
		}
		int start = (int) parser.currentTokenLocation().getCharOffset() + shift;
		stored.head().put(name, VALUE.readValue(parser));
		if (PATCHED.contains(name)) {
			int end = (int) parser.currentLocation().getCharOffset() + shift;
			if (!spans(payload, start, end)) {
				return false;
			}
			stored.spans().put(name, new int[] { start, end });
		}
		return true;
	}

	/** True when {@code [start, end)} of the text is one string or object value, as its first and last chars say. */
	private static boolean spans(String text, int start, int end) {
		if (start < 0 || end <= start + 1 || end > text.length()) {
			return false;
		}
		char first = text.charAt(start);
		char last = text.charAt(end - 1);
		return first == '"' && last == '"' || first == '{' && last == '}';
	}

	/**
	 * A content met both as a file and as an archive member has one result per job, computed at either depth. At
	 * another depth it would differ in its {@code depth} field alone, unless it is an archive (the depth limit decides
	 * its members) or a rule reads the location.
	 */
	private boolean sameAtDepth(Map<String, Object> document, int depth) {
		if (document.get("depth") instanceof Number d && d.intValue() == depth) {
			return true;
		}
		return !document.containsKey("archive") && !locationRules;
	}

	/**
	 * The result of a reused content: the previous document, with YARA's delta scanned over {@code sample} when it
	 * has one (null otherwise: nothing is read), its verdict recomputed; empty when the delta scan failed, so the
	 * caller analyses the sample in full.
	 */
	Optional<Analysed> reuse(Reuse reuse, Sample sample) {
		if (reuse.copied() != null) {
			return Optional.of(reuse.copied());
		}
		Findings rerun = null;
		if (reuse.rerun() != null) {
			rerun = rerun(reuse, sample);
			if (rerun == null) {
				return Optional.empty();
			}
		}
		Findings scanned = null;
		if (reuse.scansDelta()) {
			scanned = scan(reuse, sample);
			if (scanned == null) {
				return Optional.empty();
			}
		}
		return Optional.of(merged(reuse, rerun, scanned));
	}

	/**
	 * The analyzers that must run again over a reused sample, given the stored fields they read; null when one failed
	 * or found what cannot replace their stored part ({@link Reruns#replaces}).
	 */
	private Findings rerun(Reuse reuse, Sample sample) {
		Map<String, Object> given = new HashMap<>();
		reuse.rerun().given().forEach(field -> {
			if (reuse.document().get(field) != null) {
				given.put(field, reuse.document().get(field));
			}
		});
		Findings found = reuse.rerun().analysis().analyse(sample, given);
		return Reruns.replaces(reuse.rerun(), found, given) ? found : null;
	}

	/**
	 * YARA's delta over a reused sample; for an archive, over it and its members (opened again as the archive
	 * analyzer opens them). Null when the scan failed anywhere in the tree or the members found are not the stored ones.
	 */
	private Findings scan(Reuse reuse, Sample sample) {
		Map<String, Object> given = new HashMap<>();
		if (reuse.mimeType() != null) {
			given.put("mimeType", reuse.mimeType()); // the filetype external
		}
		reuse.delta().counts().scanned().incrementAndGet();
		reuse.delta().counts().scannedBytes().addAndGet(sample.size());
		if (reuse.members().isEmpty()) {
			Findings scanned = reuse.delta().analysis().analyse(sample, given);
			return scanned.errors().isEmpty() ? scanned : null;
		}
		Map<String, Object> mimeTypes = new HashMap<>();
		if (!storedMimeTypes(reuse, mimeTypes)) {
			return null;
		}
		given.put("sha256", reuse.sha256());
		Set<String> excluded = new HashSet<>();
		excludedLayers(reuse.delta(), reuse, excluded);
		List<Analyzer> tree = new ArrayList<>(List.of(new StoredContent(mimeTypes), archives));
		for (Analyzer analyzer : reuse.delta().analysis().analyzers()) {
			tree.add(excluded.isEmpty() || !analyzer.name().equals("yara") ? analyzer
					: new GatedLayer(analyzer, excluded, reuse.delta().counts()));
		}
		Findings scanned = new SampleAnalysis(tree, verdicts, timeout).analyse(sample, given);
		return sameTree(reuse, scanned) ? scanned : null;
	}

	/** Collects the contents of a reused tree that the delta's rule gate excludes by their stored first bytes, size. */
	private static void excludedLayers(DeltaRulesets.Delta delta, Reuse reuse, Set<String> into) {
		if (excludes(delta, reuse)) {
			into.add(reuse.sha256());
		}
		reuse.members().forEach(member -> excludedLayers(delta, member.reuse(), into));
	}

	/**
	 * The delta's YARA on one layer of a reused tree ({@link StoredContent} named it by its sha256 first), unless the
	 * rule gate excludes that layer: then what a scan that matched nothing finds, without sending it to a host.
	 */
	private static final class GatedLayer extends AbstractAnalyzer {

		private final Analyzer inside;
		private final Set<String> excluded;
		private final DeltaRulesets.Counts counts;

		GatedLayer(Analyzer inside, Set<String> excluded, DeltaRulesets.Counts counts) {
			super(inside.name(), inside.version());
			this.inside = inside;
			this.excluded = excluded;
			this.counts = counts;
		}

		@Override
		public Set<String> fields() {
			return inside.fields();
		}

		@Override
		public Set<String> reads() {
			return inside.reads();
		}

		@Override
		public void analyse(Sample sample, Findings findings) throws Exception {
			if (excluded.contains(findings.get("sha256"))) {
				findings.put("yaraMatches", List.of());
				counts.spared().incrementAndGet();
				return;
			}
			inside.analyse(sample, findings);
		}
	}

	/** Collects the stored MIME type of every content of a reused tree; false when one has no stored document. */
	private static boolean storedMimeTypes(Reuse reuse, Map<String, Object> into) {
		if (reuse.document() == null && reuse.stored() == null) {
			return false;
		}
		into.put(reuse.sha256(), reuse.mimeType());
		return reuse.members().stream().allMatch(member -> storedMimeTypes(member.reuse(), into));
	}

	/** True when the scan had no error and found, layer by layer, the stored members in their order. */
	private static boolean sameTree(Reuse reuse, Findings scanned) {
		if (!scanned.errors().isEmpty() || !reuse.sha256().equals(scanned.get("sha256"))
				|| scanned.children().size() != reuse.members().size()) {
			return false;
		}
		for (int i = 0; i < reuse.members().size(); i++) {
			Member member = reuse.members().get(i);
			Findings.Child child = scanned.children().get(i);
			if (!member.path().equals(child.path()) || !sameTree(member.reuse(), child.findings())) {
				return false;
			}
		}
		return true;
	}

	/** A {@link Stored} reuse with its document parsed, to be rebuilt. */
	private static Reuse parsed(Reuse reuse) {
		@SuppressWarnings("unchecked")
		Map<String, Object> document = JSON.readValue(reuse.stored().payload(), LinkedHashMap.class);
		return new Reuse(reuse.sha256(), reuse.job(), reuse.depth(), document, reuse.delta(), List.of(), null);
	}

	/** The reused result with {@code scanned}, YARA's delta findings of its tree (null: nothing was scanned). */
	private Analysed merged(Reuse reuse, Findings scanned) {
		return merged(reuse, null, scanned);
	}

	/**
	 * The reused result with {@code rerun}, what the analyzers that ran again found (null: none ran), and
	 * {@code scanned}, YARA's delta findings of its tree (null: nothing was scanned).
	 */
	private Analysed merged(Reuse reuse, Findings rerun, Findings scanned) {
		if (reuse.copied() != null) {
			return reuse.copied();
		}
		if (reuse.stored() != null) {
			Analysed patched = patched(reuse, scanned);
			return patched != null ? patched : merged(parsed(reuse), rerun, scanned);
		}
		Map<String, Object> document = new LinkedHashMap<>(reuse.document());
		document.put("depth", reuse.depth());
		Map<String, Object> provenance = new LinkedHashMap<>();
		if (document.get("provenance") instanceof Map<?, ?> earlier) {
			earlier.forEach((analyzer, job) -> provenance.put(String.valueOf(analyzer), job));
		}
		else {
			versions.keySet().forEach(analyzer -> provenance.put(analyzer, reuse.job()));
		}
		if (reuse.rerun() != null) {
			// the re-run analyzers' part replaced in place, the analyzers and provenance made this pipeline's
			for (String field : reuse.rerun().fields()) {
				if (rerun.fields().containsKey(field)) {
					document.put(field, rerun.get(field));
				}
				else {
					document.remove(field);
				}
			}
			provenance.keySet().retainAll(versions.keySet());
			reuse.rerun().names().forEach(analyzer -> provenance.put(analyzer, jobInstanceId));
			Map<String, Object> ordered = new LinkedHashMap<>();
			versions.keySet()
				.forEach(analyzer -> ordered.put(analyzer, provenance.getOrDefault(analyzer, reuse.job())));
			provenance.clear();
			provenance.putAll(ordered);
			document.put("analyzers", new LinkedHashMap<>(versions));
		}
		if (rules != null && reuse.delta() != null) {
			List<YaraMatch> previous = matches(document.get("yaraMatches"));
			List<YaraMatch> found = List.of();
			if (scanned != null) {
				found = matches(scanned.get("yaraMatches"));
				provenance.put("yara", jobInstanceId);
			}
			List<YaraMatch> merged = reuse.delta().delta().merge(previous, found);
			document.put("rulesetVersion", rules.version());
			document.put("yara", merged.stream().map(YaraMatch::rule).toList());
			document.put("yaraMatches", merged.stream()
				.map(m -> Map.of("namespace", m.namespace(), "rule", m.rule(), "tags", m.tags(), "meta", m.meta()))
				.toList());
		}
		Findings fields = new Findings();
		document.forEach(fields::put);
		document.put("verdict", verdicts.verdict(fields).name().toLowerCase());
		document.put("score", fields.get("score"));
		document.put("provenance", provenance);
		List<Analysed.Member> members = new ArrayList<>();
		for (int i = 0; i < reuse.members().size(); i++) {
			Member member = reuse.members().get(i);
			members.add(new Analysed.Member(member.path(),
					merged(member.reuse(), scanned == null || scanned == NOTHING_MATCHED ? scanned
							: scanned.children().get(i).findings())));
		}
		return new Analysed(reuse.sha256(), document, members);
	}

	private static Findings nothingMatched() {
		Findings findings = new Findings();
		findings.put("yaraMatches", List.of());
		return findings;
	}

	private static List<YaraMatch> matches(Object field) {
		List<YaraMatch> matches = new ArrayList<>();
		if (field instanceof List<?> list) {
			for (Object item : list) {
				if (item instanceof Map<?, ?> m) {
					@SuppressWarnings("unchecked")
					Map<String, Object> meta = m.get("meta") instanceof Map<?, ?> given ? (Map<String, Object>) given
							: Map.of();
					List<String> tags = m.get("tags") instanceof List<?> t ? t.stream().map(String::valueOf).toList()
							: List.of();
					matches.add(new YaraMatch(String.valueOf(m.get("namespace")), String.valueOf(m.get("rule")), tags,
							meta));
				}
			}
		}
		return matches;
	}
}
