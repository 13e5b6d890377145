package io.trawl.jobs.rescan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import org.springframework.batch.infrastructure.item.ItemProcessor;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.containment.CarefulChunk;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;

/**
 * Reads one sample once, runs every analyzer over it, and turns the findings into result events. Nothing about the
 * sample can fail the job: a file that cannot be read becomes a FAILED event, an analyzer error a field, and a sample
 * that killed the process is found by the careful first chunk of the restart ({@link CarefulChunk}).
 */
class AnalyseProcessor implements ItemProcessor<ListedSample, SampleOutcome>, AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final SampleSource source;
	private final SampleAnalysis analysis;
	private final Set<String> oversizedAnalyzers;
	private final long maxSampleSize;
	private final long jobInstanceId;
	private final long jobExecutionId;
	private final CarefulChunk careful;
	private Predicate<String> analysed = sha256 -> false;
	private long lookUpFrom = Long.MAX_VALUE;
	/*
	 * Contents this processor (one partition's step) analysed, committed or not. An uncommitted one is in the chunk
	 * being written, whose transaction also carries the SOURCE event of a second name for it: both are stored or
	 * neither. A chunk that rolls back fails the step, and its processor with it.
	 */
	private final Set<String> analysedHere = new HashSet<>();
	private AutoCloseable held = () -> {
	};
	private Incremental incremental;

	/**
	 * @param oversizedAnalyzers the analyzers, by name, that samples above {@code maxSampleSize} still go through:
	 * those that take one bounded pass over the bytes, so a 5 GB disk image still gets its hashes, ssdeep and YARA
	 * hits without holding a partition for the slower ones
	 */
	AnalyseProcessor(SampleSource source, SampleAnalysis analysis, Set<String> oversizedAnalyzers, long maxSampleSize,
			long jobInstanceId, long jobExecutionId) {
		this(source, analysis, oversizedAnalyzers, maxSampleSize, jobInstanceId, jobExecutionId, CarefulChunk.off());
	}

	/** @param careful the careful first chunk of a run that follows an unfinished one, or {@link CarefulChunk#off} */
	AnalyseProcessor(SampleSource source, SampleAnalysis analysis, Set<String> oversizedAnalyzers, long maxSampleSize,
			long jobInstanceId, long jobExecutionId, CarefulChunk careful) {
		this.source = source;
		this.analysis = analysis;
		this.oversizedAnalyzers = Set.copyOf(oversizedAnalyzers);
		this.maxSampleSize = maxSampleSize;
		this.jobInstanceId = jobInstanceId;
		this.jobExecutionId = jobExecutionId;
		this.careful = careful;
	}

	/**
	 * Tells the processor which contents (by sha256) this job has already analysed and committed. A sample of at least
	 * {@code fromSize} bytes with such a content, under another name, gets its SOURCE event and nothing else: the
	 * analysis its content already has is what its ANALYSED event would have been (that event's id is the content's,
	 * so a second one is never stored). Smaller samples are not looked up: their analysis costs less than the look-up
	 * (a DynamoDB round trip on AWS).
	 */
	AnalyseProcessor knowing(long fromSize, Predicate<String> analysed) {
		this.lookUpFrom = fromSize;
		this.analysed = analysed;
		return this;
	}

	/** Gives the processor what it must release when its step ends, such as its lease on the rules. */
	AnalyseProcessor holding(AutoCloseable held) {
		this.held = held;
		return this;
	}

	/** Reuses what it may of the base job's results (see {@link Incremental}). */
	AnalyseProcessor reusing(Incremental reuse) {
		this.incremental = reuse;
		return this;
	}

	/** Called when the step scope ends. */
	@Override
	public void close() throws Exception {
		held.close();
	}

	/** A location analysed with no base job to reuse from (tests, and what a full job does). */
	SampleOutcome process(SampleRef ref) {
		return process(new ListedSample(ref, null));
	}

	/**
	 * A location an earlier run died on once is analysed without the analyzers that run native code, and says so;
	 * one that killed two runs is not analysed again: it becomes a FAILED event, and the job goes on.
	 */
	@Override
	public SampleOutcome process(ListedSample listed) {
		SampleRef ref = listed.ref();
		return careful.analyse(ref, earlier -> switch (earlier.deaths().size()) {
			case 0 -> analyse(listed, analysis);
			case 1 -> analyse(new ListedSample(ref, null), analysis.withoutNativeCode("not run: the worker process "
					+ "died while this sample was being analysed (job execution " + earlier.deaths().get(0) + "); "
					+ "analyzers with native code are skipped for it"));
			default -> SampleOutcome.failed(ref.location(), ref.size(), failed(ref, "worker", "not analysed: the "
					+ "worker process died each of the " + earlier.deaths().size() + " times this sample was being "
					+ "analysed (job executions " + join(earlier.deaths()) + "), the last time without its analyzers "
					+ "with native code", Instant.now()));
		}).listedAs(ref.identity());
	}

	private SampleOutcome analyse(ListedSample listed, SampleAnalysis pipeline) {
		Instant now = Instant.now();
		SampleRef ref = listed.ref();
		// the bytes cannot have changed since the base job read them: its result may do without reading them
		Incremental.Reuse unchanged = incremental != null && listed.unchanged()
				? incremental.reusable(listed.previous().sha256(), 0).orElse(null) : null;
		if (unchanged != null && !unchanged.needsRead()) {
			return outcome(ref.location(), ref.size(), incremental.reuse(unchanged, null).orElseThrow(), now);
		}
		Findings findings;
		long size;
		try (Sample sample = source.open(ref)) {
			size = sample.size();
			if (unchanged != null) {
				Optional<Analysed> reused = incremental.reuse(unchanged, sample);
				if (reused.isPresent()) {
					return outcome(ref.location(), size, reused.get(), now);
				}
			}
			boolean reusable = incremental != null && size <= maxSampleSize;
			if (size > maxSampleSize) {
				pipeline = pipeline.only(oversizedAnalyzers, "not run: the sample is " + size + " bytes, above "
						+ "trawl.analysis.max-sample-size (" + maxSampleSize + ")");
			}
			List<Incremental.Reuse> reuse = new ArrayList<>(1);
			findings = pipeline.analyseUnlessKnown(sample, first -> first.get("sha256") instanceof String sha256
					&& (size >= lookUpFrom && (analysedHere.contains(sha256) || analysed.test(sha256))
							|| reusable && incremental.reusable(sha256, 0).map(reuse::add).isPresent()));
			if (!reuse.isEmpty()) {
				Optional<Analysed> reused = incremental.reuse(reuse.get(0), sample);
				if (reused.isPresent()) {
					return outcome(ref.location(), size, reused.get(), now);
				}
				findings = pipeline.analyse(sample);
			}
		}
		catch (Exception | OutOfMemoryError e) {
			return SampleOutcome.failed(ref.location(), ref.size(), failed(ref, "read", describe(e), now));
		}
		if (!(findings.get("sha256") instanceof String sha256)) {
			String why = findings.errors().isEmpty() ? "no sha256" : findings.errors().get(0).message();
			return SampleOutcome.failed(ref.location(), size, failed(ref, "read", why, now));
		}
		if (findings.known()) {
			List<ResultEvent> events = List.of(source(ref.location(), sha256, size, now));
			return new SampleOutcome(ref.location(), size, events, List.of(), List.of(), 0, null, sha256);
		}
		return outcome(ref.location(), size, analysed(sha256, findings), now);
	}

	/** The SOURCE event of a location, and the ANALYSED events of its result and its archive members'. */
	private SampleOutcome outcome(String location, long size, Analysed result, Instant now) {
		List<ResultEvent> events = new ArrayList<>();
		events.add(source(location, result.sha256(), size, now));
		List<String> verdicts = new ArrayList<>();
		List<String> ruleHits = new ArrayList<>();
		int errors = addAnalysed(result, now, events, verdicts, ruleHits);
		if (size >= lookUpFrom) {
			analysedHere.add(result.sha256());
		}
		return new SampleOutcome(location, size, events, verdicts, ruleHits, errors, null, result.sha256());
	}

	private ResultEvent source(String location, String sha256, long size, Instant now) {
		return new ResultEvent(ResultEvent.sourceId(jobInstanceId, sha256, qualifier(location)), jobInstanceId,
				jobExecutionId, sha256, EventKind.SOURCE, now,
				JSON.writeValueAsString(Map.of("location", location, "size", size)));
	}

	/** The result document of findings computed now, every analyzer's output by this job, with its members'. */
	private Analysed analysed(String sha256, Findings findings) {
		Map<String, Object> document = new LinkedHashMap<>(findings.fields());
		document.put("errors", findings.errors());
		document.put("analyzers", findings.analyzers());
		document.put("depth", findings.depth());
		Map<String, Long> provenance = new LinkedHashMap<>();
		findings.analyzers().keySet().forEach(analyzer -> provenance.put(analyzer, jobInstanceId));
		document.put("provenance", provenance);
		List<Analysed.Member> members = new ArrayList<>();
		if (!findings.children().isEmpty()) {
			document.put("children", findings.children().stream()
				.map(c -> Map.of("path", c.path(), "sha256", String.valueOf(c.findings().get("sha256"))))
				.toList());
			for (Findings.Child child : findings.children()) {
				if (child.findings().get("sha256") instanceof String childSha) {
					members.add(new Analysed.Member(child.path(), analysed(childSha, child.findings())));
				}
			}
		}
		return new Analysed(sha256, document, members);
	}

	/** Adds the ANALYSED event of a result and of its archive members; returns how many carry errors. */
	private int addAnalysed(Analysed result, Instant now, List<ResultEvent> events, List<String> verdicts,
			List<String> ruleHits) {
		Map<String, Object> document = result.document();
		int errors = document.get("errors") instanceof List<?> found && !found.isEmpty() ? 1 : 0;
		verdicts.add(document.get("verdict") instanceof String verdict ? verdict : "error");
		if (document.get("yara") instanceof List<?> rules) {
			rules.forEach(rule -> ruleHits.add(String.valueOf(rule)));
		}
		events.add(new ResultEvent(ResultEvent.analysedId(jobInstanceId, result.sha256()), jobInstanceId,
				jobExecutionId, result.sha256(), EventKind.ANALYSED, now,
				result.copied() != null ? result.copied() : JSON.writeValueAsString(document)));
		for (Analysed.Member member : result.members()) {
			String childSha = member.result().sha256();
			events.add(new ResultEvent(
					ResultEvent.sourceId(jobInstanceId, childSha, qualifier(result.sha256() + "!/" + member.path())),
					jobInstanceId, jobExecutionId, childSha, EventKind.SOURCE, now,
					JSON.writeValueAsString(Map.of("parent", result.sha256(), "path", member.path()))));
			errors += addAnalysed(member.result(), now, events, verdicts, ruleHits);
		}
		return errors;
	}

	private ResultEvent failed(SampleRef ref, String analyzer, String why, Instant now) {
		String key = ResultEvent.locationKey(ref.location());
		Map<String, Object> document = new LinkedHashMap<>();
		for (String unknown : List.of("sha256", "md5", "sha1", "mimeType", "entropy")) {
			document.put(unknown, null); // the same fields as any result, so a reader of the JSON lines need not guess
		}
		document.put("location", ref.location());
		document.put("size", ref.size());
		document.put("verdict", "error");
		document.put("yara", List.of());
		document.put("errors", List.of(Map.of("analyzer", analyzer, "message", why)));
		return new ResultEvent(ResultEvent.failedId(jobInstanceId, key), jobInstanceId, jobExecutionId, key,
				EventKind.FAILED, now, JSON.writeValueAsString(document));
	}

	private static String join(List<Long> ids) {
		return String.join(", ", ids.stream().map(String::valueOf).toList());
	}

	private static String qualifier(String location) {
		return HashAnalyzer.sha256Hex(location.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 32);
	}

	private static String describe(Throwable e) {
		String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
		return e instanceof java.nio.file.AccessDeniedException ? "permission denied: " + message : message;
	}
}
