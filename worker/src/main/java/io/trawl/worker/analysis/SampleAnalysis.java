package io.trawl.worker.analysis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.trawl.worker.source.Sample;

/**
 * Runs every analyzer over one sample and settles its verdict. A failing analyzer becomes an error on the result;
 * it never fails the sample, the chunk or the job.
 */
public final class SampleAnalysis {

	private static final Logger log = LoggerFactory.getLogger(SampleAnalysis.class);

	/** The default time each analyzer has for one sample. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

	/**
	 * Samples from this size on run their analyzers after the first (the hashes, which decide whether the others run
	 * at all) side by side, so one large sample keeps every core busy; smaller ones run them one after another.
	 */
	static final long WIDE_FROM = 4L << 20;

	private static final ExecutorService SIDE_BY_SIDE = AnalysisThreads.perCore("analyse-wide-");

	private final List<Analyzer> analyzers;
	private final VerdictPolicy verdicts;
	private final Duration timeout;
	private final List<String> leftOut;
	private final String leftOutReason;
	private final Map<String, String> skipped;
	private final long wideFrom;

	public SampleAnalysis(List<Analyzer> analyzers, VerdictPolicy verdicts) {
		this(analyzers, verdicts, DEFAULT_TIMEOUT);
	}

	/** @param timeout the time each analyzer has for one sample (see {@link Deadline}) */
	public SampleAnalysis(List<Analyzer> analyzers, VerdictPolicy verdicts, Duration timeout) {
		this(analyzers, verdicts, timeout, List.of(), null, Map.of(), WIDE_FROM);
	}

	private SampleAnalysis(List<Analyzer> analyzers, VerdictPolicy verdicts, Duration timeout, List<String> leftOut,
			String leftOutReason, Map<String, String> skipped, long wideFrom) {
		this.analyzers = List.copyOf(analyzers);
		this.verdicts = verdicts;
		this.timeout = timeout;
		this.leftOut = List.copyOf(leftOut);
		this.leftOutReason = leftOutReason;
		this.skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped)); // in pipeline order
		this.wideFrom = wideFrom;
	}

	/**
	 * The same pipeline without the analyzers that run native code ({@link Analyzer#nativeCode()}). Every sample it
	 * analyses, archive members included, gets an error for each analyzer left out, with {@code reason} as its
	 * message, before its verdict is settled: an essential analyzer left out (YARA) makes a verdict of error, not
	 * clean.
	 */
	public SampleAnalysis withoutNativeCode(String reason) {
		List<String> names = analyzers.stream().filter(Analyzer::nativeCode).map(Analyzer::name).toList();
		return new SampleAnalysis(analyzers.stream().filter(a -> !a.nativeCode()).toList(), verdicts, timeout, names,
				reason, skipped, wideFrom);
	}

	/**
	 * The same pipeline with only the analyzers named in {@code kept}. Unlike {@link #withoutNativeCode}, leaving one
	 * out is a bound the operator chose, not a failure: each result names the analyzers left out under
	 * {@code skipped}, with {@code reason}, and its verdict comes from the analyzers that ran.
	 */
	public SampleAnalysis only(Collection<String> kept, String reason) {
		Map<String, String> skip = new LinkedHashMap<>(skipped);
		analyzers.stream().filter(a -> !kept.contains(a.name())).forEach(a -> skip.put(a.name(), reason));
		return new SampleAnalysis(analyzers.stream().filter(a -> kept.contains(a.name())).toList(), verdicts, timeout,
				leftOut, leftOutReason, skip, wideFrom);
	}

	/** The same pipeline, running side by side the analyzers of samples from {@code size} bytes on (tests). */
	SampleAnalysis sideBySideFrom(long size) {
		return new SampleAnalysis(analyzers, verdicts, timeout, leftOut, leftOutReason, skipped, size);
	}

	public Findings analyse(Sample sample) {
		return analyse(sample, 0, first -> false);
	}

	/**
	 * Runs the first analyzer (the hashes), then asks {@code known} whether its findings name a content that needs no
	 * second analysis, such as one this job has already analysed under another name. If so, the other analyzers are
	 * not run: the findings hold what the first one found and {@link Findings#known()} is true.
	 */
	public Findings analyseUnlessKnown(Sample sample, Predicate<Findings> known) {
		return analyse(sample, 0, known);
	}

	/**
	 * Runs the pipeline over a sample whose findings already hold {@code given}, fields an earlier analysis found
	 * (an incremental rescan's YARA delta reads the {@code mimeType} its filetype external needs from them).
	 */
	public Findings analyse(Sample sample, Map<String, Object> given) {
		return analyse(sample, 0, first -> false, given);
	}

	private Findings analyse(Sample sample, int depth) {
		return analyse(sample, depth, first -> false);
	}

	private Findings analyse(Sample sample, int depth, Predicate<Findings> known) {
		return analyse(sample, depth, known, Map.of());
	}

	private Findings analyse(Sample sample, int depth, Predicate<Findings> known, Map<String, Object> given) {
		Findings findings = new Findings(depth, this::analyse);
		given.forEach(findings::put);
		findings.put("size", sample.size());
		if (!analyzers.isEmpty()) {
			run(analyzers.get(0), sample, findings);
			if (analyzers.size() > 1 && known.test(findings)) { // asked once, when the hashes are in
				findings.markKnown();
				return findings;
			}
			List<Analyzer> rest = analyzers.subList(1, analyzers.size());
			if (depth == 0 && sample.size() >= wideFrom && rest.size() > 1) {
				runSideBySide(rest, sample, findings);
			}
			else {
				rest.forEach(analyzer -> run(analyzer, sample, findings));
			}
		}
		for (String name : leftOut) {
			findings.addError(name, leftOutReason);
		}
		if (!skipped.isEmpty()) {
			findings.put("skipped", skipped);
		}
		findings.put("verdict", verdicts.verdict(findings).name().toLowerCase());
		return findings;
	}

	private void run(Analyzer analyzer, Sample sample, Findings findings) {
		findings.recordAnalyzer(analyzer.name(), analyzer.version());
		Deadline.open(timeout);
		try {
			analyzer.analyse(sample, findings);
		}
		catch (Exception | StackOverflowError | OutOfMemoryError e) {
			// hostile content must cost one field, not the job
			String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
			log.debug("{} failed on {}: {}", analyzer.name(), sample.name(), message, e);
			findings.addError(analyzer.name(), message);
		}
		finally {
			Deadline.close();
		}
	}

	/**
	 * Runs each analyzer as a task of its own on {@link #SIDE_BY_SIDE}, each over the sample's shared bytes, and puts
	 * their findings into {@code findings} in pipeline order: the same fields in the same order as one after another.
	 * An analyzer that reads what others found (YARA reads the MIME type) waits, at that read, for those before it.
	 */
	private void runSideBySide(List<Analyzer> rest, Sample sample, Findings findings) {
		List<CompletableFuture<Findings>> running = new ArrayList<>();
		List<CompletableFuture<Void>> merged = new ArrayList<>();
		CompletableFuture<Void> before = CompletableFuture.completedFuture(null);
		for (Analyzer analyzer : rest) {
			CompletableFuture<Void> turn = before;
			Findings own = new Findings(findings, () -> awaitTurn(turn));
			running.add(CompletableFuture.supplyAsync(() -> {
				run(analyzer, sample, own);
				return own;
			}, SIDE_BY_SIDE));
			before = new CompletableFuture<>();
			merged.add(before);
		}
		try {
			for (int i = 0; i < running.size(); i++) {
				findings.adopt(running.get(i).join());
				merged.get(i).complete(null);
			}
		}
		catch (CompletionException e) {
			// what escaped run() leaves as it would have from the caller's own thread
			if (e.getCause() instanceof Error error) {
				throw error;
			}
			throw (RuntimeException) e.getCause();
		}
		finally {
			// after an error that escaped an analyzer, the tasks still waiting for their turn must end too
			merged.forEach(turn -> turn.completeExceptionally(new CancellationException("the sample's analysis ended")));
		}
	}

	/** Waits until the analyzers before this one are in the sample's findings; the wait is not this one's time. */
	private static void awaitTurn(CompletableFuture<Void> turn) {
		long start = System.nanoTime();
		turn.join();
		Deadline.postpone(System.nanoTime() - start);
	}

	public List<Analyzer> analyzers() {
		return analyzers;
	}

	/** The time each analyzer has for one sample (an archive's members share its time). */
	public Duration timeout() {
		return timeout;
	}

	/** The analyzers {@link #withoutNativeCode} left out, by name; empty for a whole pipeline. */
	public List<String> leftOut() {
		return leftOut;
	}
}
