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
 * The native hosts of this JVM: one set per ruleset version and folder, shared by every partition that analyses with it, so a
 * job starts as many host processes as it analyses samples at once. Stopped with the application context.
 */
public final class NativeHostPools implements AutoCloseable {

	private final Duration timeout;
	private final long inMemoryLimit;
	private final long memoryLimit;
	private final int atOnce;
	private final Path logs;
	private final Map<String, NativeHosts> byRules = new HashMap<>();
	/** The rules each set of hosts compiled, to stop the hosts once no job holds those rules. */
	private final Map<String, YaraRules> rulesOf = new HashMap<>();
	/** How many hosts each set's warm-ups started: one per partition that asked, up to {@link #atOnce}. */
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
		this.memoryLimit = memoryLimit;
		this.logs = NativeHosts.crashLogFolder(dataDir);
		this.timeout = timeout;
		this.inMemoryLimit = inMemoryLimit;
		this.atOnce = atOnce;
	}

	/**
	 * The pipeline with each analyzer that runs native code replaced by one that runs it in a host. Each partition
	 * asks for its pipeline as it starts: its warm-up starts one more host, up to {@code atOnce}, so that a job of one
	 * partition (a few samples) starts one host, not one per core.
	 * @param warmUp start a host for this partition now, ahead of its first sample; false: the first sample that needs
	 * one starts it (an incremental rescan may need none)
	 */
	public synchronized List<Analyzer> isolate(List<Analyzer> pipeline, YaraRules rules, boolean warmUp) {
		List<Analyzer> natives = pipeline.stream().filter(Analyzer::nativeCode).toList();
		if (natives.isEmpty()) {
			return pipeline;
		}
		// a long-running worker meets a new ruleset every night: the hosts of rules no job holds any more go
		rulesOf.entrySet().removeIf(held -> {
			if (!held.getValue().closed()) {
				return false;
			}
			byRules.remove(held.getKey()).close();
			warmed.remove(held.getKey());
			return true;
		});
		// the hosts compile the rules from their files, so the same rules in another folder get hosts of their own
		String version = rules == null ? "" : rules.version() + " " + rules.source().toAbsolutePath();
		if (rules != null) {
			rulesOf.put(version, rules);
		}
		NativeHosts hosts = byRules.computeIfAbsent(version, key -> new NativeHosts(natives, timeout,
				hostInMemoryLimit(natives, inMemoryLimit), NativeHosts.commandFor(logs, memoryLimit), logs));
		if (warmUp && warmed.merge(version, 1, Integer::sum) <= atOnce) {
			hosts.warmUp(1);
		}
		List<Analyzer> isolated = new ArrayList<>();
		for (Analyzer analyzer : pipeline) {
			isolated.add(analyzer.nativeCode() ? new IsolatedAnalyzer(analyzer, hosts) : analyzer);
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

	/** How many host processes run, in all sets (for tests). */
	synchronized int running() {
		return byRules.values().stream().mapToInt(NativeHosts::running).sum();
	}

	/** How many sets of hosts are kept, one per ruleset version and folder (for tests). */
	synchronized int sets() {
		return byRules.size();
	}

	@Override
	public synchronized void close() {
		byRules.values().forEach(NativeHosts::close);
		byRules.clear();
		warmed.clear();
	}
}
