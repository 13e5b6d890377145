package io.trawl.jobs.containment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.isolation.IsolatedAnalyzer;
import io.trawl.worker.isolation.NativeHosts;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * The native hosts of this JVM: one pool of processes for every ruleset, each ruleset version and folder a setup the
 * hosts load when a sample first needs it, so that this JVM runs as many host processes as it analyses samples at once,
 * whatever rulesets its jobs use (a whole one and a delta, tonight's and last night's). Stopped with the application
 * context.
 */
public final class NativeHostPools implements AutoCloseable {

	private final long inMemoryLimit;
	private final int atOnce;
	private final NativeHosts hosts;
	private final Map<String, NativeHosts.Setup> byRules = new HashMap<>();
	/** The rules of each setup, to retire it once no job holds those rules. */
	private final Map<String, YaraRules> rulesOf = new HashMap<>();
	/** How many partitions asked each setup for a warm-up. */
	private final Map<String, Integer> warmed = new HashMap<>();

	/**
	 * @param timeout how long one analyzer may take on one sample in a host before the host is killed
	 * @param inMemoryLimit samples up to this size are read into a host's memory, larger ones scanned from their file;
	 *        hosts that run YARA alone read none ({@link #hostInMemoryLimit})
	 * @param memoryLimit each host's data limit in bytes (0: none), see {@link NativeHosts#commandFor}
	 * @param atOnce how many samples are analysed at once: the most hosts the warm-ups start ahead of samples
	 * @param dataDir where the hosts' crash logs and stderr go unless -XX:ErrorFile names a folder
	 */
	public NativeHostPools(Duration timeout, long inMemoryLimit, long memoryLimit, int atOnce, Path dataDir) {
		Path logs = NativeHosts.crashLogFolder(dataDir);
		this.hosts = new NativeHosts(timeout, NativeHosts.commandFor(logs, memoryLimit), logs);
		this.inMemoryLimit = inMemoryLimit;
		this.atOnce = atOnce;
	}

	/**
	 * The pipeline with each analyzer that runs native code replaced by one that runs it in a host. Each partition
	 * asks for its pipeline as it starts: its warm-up starts one more host, up to {@code atOnce} running, so that a job
	 * of one partition (a few samples) starts one host, not one per core, and a job whose hosts run already starts
	 * none.
	 * @param warmUp start a host for this partition now, ahead of its first sample; false: the first sample that needs
	 * one starts it (an incremental rescan may need none)
	 */
	public synchronized List<Analyzer> isolate(List<Analyzer> pipeline, YaraRules rules, boolean warmUp) {
		List<Analyzer> natives = pipeline.stream().filter(Analyzer::nativeCode).toList();
		if (natives.isEmpty()) {
			return pipeline;
		}
		// a long-running worker meets a new ruleset every night: the hosts forget the rules no job holds any more
		rulesOf.entrySet().removeIf(held -> {
			if (!held.getValue().closed()) {
				return false;
			}
			byRules.remove(held.getKey()).retire();
			warmed.remove(held.getKey());
			return true;
		});
		// a host compiles the rules from their files if it cannot load this JVM's: the folder is part of the setup
		String version = rules == null ? "" : rules.version() + " " + rules.source().toAbsolutePath();
		if (rules != null) {
			rulesOf.put(version, rules);
		}
		NativeHosts.Setup setup = byRules.computeIfAbsent(version,
				key -> hosts.setup(natives, hostInMemoryLimit(natives, inMemoryLimit)));
		if (warmUp) { // the n-th partition to start makes sure n hosts run, up to atOnce
			setup.warmUp(Math.min(warmed.merge(version, 1, Integer::sum), atOnce));
		}
		List<Analyzer> isolated = new ArrayList<>();
		for (Analyzer analyzer : pipeline) {
			isolated.add(analyzer.nativeCode() ? new IsolatedAnalyzer(analyzer, setup) : analyzer);
		}
		return isolated;
	}

	/**
	 * What a host reads into its memory: nothing when it runs YARA alone, which then scans every sample from its file
	 * as the {@code yara} CLI does (libyara maps it). This JVM has read the sample already; reading it again in the
	 * host, into a buffer, cost the host more CPU than libyara's mapping (session 10, bench/README.md). A host that
	 * also runs a plugged-in analyzer keeps the job's limit, so that analyzer gets small samples in memory.
	 */
	static long hostInMemoryLimit(List<Analyzer> natives, long inMemoryLimit) {
		return natives.stream().allMatch(YaraAnalyzer.class::isInstance) ? 0 : inMemoryLimit;
	}

	/** How many host processes run (for tests). */
	synchronized int running() {
		return hosts.running();
	}

	/** How many setups are kept, one per ruleset version and folder (for tests). */
	synchronized int sets() {
		return byRules.size();
	}

	@Override
	public synchronized void close() {
		hosts.close();
		byRules.clear();
		warmed.clear();
	}
}
