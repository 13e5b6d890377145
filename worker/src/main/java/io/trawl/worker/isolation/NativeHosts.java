package io.trawl.worker.isolation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.management.HotSpotDiagnosticMXBean;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.AnalyzerSpec;

/**
 * Child processes ({@link NativeHost}) that run the analyzers with native code, so that a SIGSEGV in libyara on a
 * hostile sample costs that sample an error field, not the job's JVM. A host serves one request at a time; one is
 * started per analysis running at once, and kept for the next sample. A host that dies or overruns the timeout is
 * killed and forgotten, and the next request starts a new one.
 * <p>
 * What a host runs is a {@link Setup}: the analyzers of one ruleset, say. The processes serve every setup of this
 * pool: a host loads a setup the first time it gets a request for it and keeps up to {@link #SETUPS_PER_HOST}, so a
 * service that meets new rules every night, or a job that scans with a delta ruleset and a whole one, loads them into
 * the hosts it has rather than starting new JVMs.
 */
public final class NativeHosts implements AutoCloseable {

	/** Host JVMs started by {@link #prestart} and not yet given their setup, by their command. */
	private static final Map<List<String>, Deque<Process>> PRESTARTED = new HashMap<>();
	/** The hosts' AOT cache beside the app's jar, if the app is one jar on JDK 25+ (not in tests). */
	private static final Path STARTUP_CACHE = startupCache();
	/** In the build's training run, the host that records {@link #STARTUP_CACHE} as it exits (guarded by PRESTARTED). */
	private static Process recorder;

	private static final AtomicLong SETUPS = new AtomicLong();
	/**
	 * The most setups a host keeps loaded; loading one more forgets the one it used least recently. A ruleset loaded
	 * takes a few MB of native memory (the ReversingLabs set: about 20).
	 */
	static final int SETUPS_PER_HOST = 4;

	private final List<String> command;
	/** The setup of the constructor that names the analyzers, for a pool of one setup; else null. */
	private final Setup only;
	private final Duration timeout;
	private final Path crashLogs;
	private final Deque<Host> idle = new ArrayDeque<>();
	private final Set<Host> running = ConcurrentHashMap.newKeySet();
	/** The host a thread used last: asked again, it still holds that thread's sample in memory. */
	private final ThreadLocal<Host> last = new ThreadLocal<>();
	private int starting;
	/** Guarded by {@link #idle}: of those {@link #starting}, the ones whose process runs already. */
	private int launched;
	private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
		Thread thread = new Thread(task, "native-host-watchdog");
		thread.setDaemon(true);
		return thread;
	});
	private volatile boolean closed;
	/** Guarded by {@link #idle}: starts that failed in a row, the last one's reason, and until when none is tried. */
	private int failedStarts;
	private String lastStartFailure;
	private long refusedUntil;
	/** Guarded by {@link #idle}: setups no request will name again, still loaded in some host. */
	private final Set<Long> retired = new HashSet<>();

	/** Starts that may fail in a row before new ones are refused for {@link #COOL_DOWN}. */
	static final int FAILED_STARTS = 3;
	/** How long no host is started after {@link #FAILED_STARTS} failed starts in a row; then one is tried again. */
	static final Duration COOL_DOWN = Duration.ofSeconds(30);

	/**
	 * Hosts for one setup: these analyzers.
	 * @param analyzers what the hosts run: each created there from its {@link Analyzer#spec()}
	 * @param timeout how long one request may take before its host is killed
	 * @param inMemoryLimit samples up to this size are read into a host's memory, larger ones scanned from their file
	 * @param command the java command that starts a {@link NativeHost} ({@link #commandFor})
	 * @param crashLogs where the hosts' crash logs and stderr ({@code native-host.log}) go
	 */
	public NativeHosts(List<Analyzer> analyzers, Duration timeout, long inMemoryLimit,
			List<String> command, Path crashLogs) {
		this.timeout = timeout;
		this.command = List.copyOf(command);
		this.crashLogs = crashLogs;
		this.only = setup(analyzers, inMemoryLimit);
	}

	/** Hosts for the setups {@link #setup} makes. */
	public NativeHosts(Duration timeout, List<String> command, Path crashLogs) {
		this.timeout = timeout;
		this.command = List.copyOf(command);
		this.crashLogs = crashLogs;
		this.only = null;
	}

	/**
	 * A setup these hosts can run: the analyzers, each created in a host from its {@link Analyzer#spec()}.
	 * @param inMemoryLimit samples up to this size are read into a host's memory, larger ones scanned from their file
	 */
	public Setup setup(List<Analyzer> analyzers, long inMemoryLimit) {
		List<Map<String, Object>> specs = new ArrayList<>();
		for (Analyzer analyzer : analyzers) {
			AnalyzerSpec spec = analyzer.spec();
			specs.add(Map.of("class", spec.type(), "settings", spec.settings()));
		}
		long key = SETUPS.incrementAndGet();
		return new Setup(key, Map.of("load", key, "analyzers", specs, "inMemoryLimit", inMemoryLimit));
	}

	/** The setup of a pool made for one ({@link #NativeHosts(List, Duration, long, List, Path)}). */
	Setup only() {
		if (only == null) {
			throw new IllegalStateException("these hosts serve several setups: name one");
		}
		return only;
	}

	/**
	 * What the hosts of a {@link NativeHosts} run for some requests: analyzers created from their specs. A host loads
	 * it on the first request that names it.
	 */
	public final class Setup {

		private final long key;
		private final Map<String, Object> message;

		private Setup(long key, Map<String, Object> message) {
			this.key = key;
			this.message = message;
		}

		/**
		 * Starts a host in the background that loads this setup, unless {@code upTo} hosts run or start already: the
		 * first samples then do not wait for a JVM to start.
		 */
		public void warmUp(int upTo) {
			synchronized (idle) {
				// a host started in the background is counted as starting until it is idle, and as running meanwhile
				if (running.size() - launched + starting >= upTo) {
					return;
				}
			}
			startInBackground(this);
		}

		/** No request names this setup again: the hosts forget it (and free its rules) before their next request. */
		public void retire() {
			synchronized (idle) {
				retired.add(key);
				cleanRetired();
			}
		}

		Map<String, Object> call(Map<String, Object> request) throws HostFailure {
			return NativeHosts.this.call(this, request);
		}
	}

	/**
	 * The command that starts a host with this JVM's java and classpath, its crash logs in {@code crashLogs}. Inside a
	 * Spring Boot jar, whose classes only its launcher can load, the host goes through that launcher.
	 * @param memoryLimit the host's data limit in bytes ({@code RLIMIT_DATA}, set by {@code prlimit}), or 0 for none:
	 *        heap, native allocations and writable mappings count, file mappings (a large sample scanned by libyara)
	 *        do not. An allocation past it fails in the host, as an error or its death, never in this JVM.
	 */
	public static List<String> commandFor(Path crashLogs, long memoryLimit) {
		List<String> command = new ArrayList<>();
		if (memoryLimit > 0) {
			command.addAll(List.of("prlimit", "--data=" + memoryLimit, "--"));
		}
		command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms16m",
				"-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
				"-XX:+DisplayVMOutputToStderr", "-XX:ErrorFile=" + crashLogs.resolve("hs_err_native_pid%p.log"),
				// stdout is the protocol: the JVM's own messages (a cache refused, JFR's start-up) go to stderr
				"-Xlog:disable", "-Xlog:all=warning:stderr"));
		if (STARTUP_CACHE != null && Files.isRegularFile(STARTUP_CACHE) && !recording()) {
			command.add("-XX:AOTCache=" + STARTUP_CACHE);
		}
		if (Runtime.version().feature() >= 22) {
			command.add("--enable-native-access=ALL-UNNAMED");
		}
		// where the native libraries are, if set (not JNA's other properties: it sets some itself once loaded)
		for (String name : List.of("jna.library.path", "jna.boot.library.path")) {
			if (System.getProperty(name) != null) {
				command.add("-D" + name + "=" + System.getProperty(name));
			}
		}
		String folders = LibraryFolders.withoutLdconfig(); // the host finds libyara without running ldconfig
		if (folders != null) {
			command.add("-D" + LibraryFolders.PROPERTY + "=" + folders);
		}
		String extra = System.getenv("TRAWL_NATIVE_HOST_OPTS"); // java options for the hosts only, after these
		if (extra != null && !extra.isBlank()) {
			command.addAll(List.of(extra.trim().split("\\s+")));
		}
		String classPath = System.getProperty("java.class.path");
		if (NativeHost.class.getClassLoader() == ClassLoader.getSystemClassLoader()) {
			command.addAll(List.of("-cp", classPath, NativeHost.class.getName()));
		}
		else {
			command.add("-Dloader.main=" + NativeHost.class.getName());
			if (System.getProperty("loader.path") != null) {
				command.add("-Dloader.path=" + System.getProperty("loader.path"));
			}
			command.addAll(List.of("-cp", classPath, "org.springframework.boot.loader.launch.PropertiesLauncher"));
		}
		return command;
	}

	/**
	 * The hosts' start-up cache: their classes loaded and linked ahead (JDK 25's AOT cache), which halves a host JVM's
	 * start-up CPU. It lies beside the app's jar, and the build's training run records it: when this JVM records its
	 * own ({@code -XX:AOTCacheOutput}), its first host records the hosts' one. None for a class path of several entries
	 * (tests, extra analyzers' jars), which a cache would not match.
	 */
	private static Path startupCache() {
		String classPath = System.getProperty("java.class.path", "");
		if (Runtime.version().feature() < 25 || !classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
			return null;
		}
		return Path.of(classPath).toAbsolutePath().resolveSibling("native-host-jdk" + Runtime.version().feature() + ".aot");
	}

	/** True in a run that records this JVM's AOT cache (the build's training run). */
	private static boolean recording() {
		try {
			return !ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("AOTCacheOutput")
				.getValue().isBlank();
		}
		catch (IllegalArgumentException noSuchOption) {
			return false;
		}
	}

	/** Where this JVM writes its crash log (-XX:ErrorFile), else {@code otherwise}. */
	public static Path crashLogFolder(Path otherwise) {
		String errorFile = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("ErrorFile")
			.getValue();
		Path folder = errorFile.isBlank() ? null : Path.of(errorFile).toAbsolutePath().getParent();
		return (folder != null ? folder : otherwise.toAbsolutePath()).normalize();
	}

	/**
	 * Starts {@code count} host JVMs now, before the rules they will need are known, so that they boot while this JVM
	 * is still starting and one core would otherwise idle. A {@link NativeHosts} with the same command takes them.
	 * They exit with this JVM if none does.
	 */
	public static void prestart(int count, Path crashLogs, long memoryLimit) {
		List<String> command = commandFor(crashLogs, memoryLimit);
		for (int i = 0; i < count; i++) {
			try {
				Process process = spawn(command, crashLogs);
				synchronized (PRESTARTED) {
					PRESTARTED.computeIfAbsent(command, c -> new ArrayDeque<>()).add(process);
				}
			}
			catch (IOException e) {
				return; // the pool starts them itself, and reports why it cannot
			}
		}
	}

	/** A prestarted host JVM for this command if one is alive, else a new one. */
	private static Process launch(List<String> command, Path crashLogs) throws IOException {
		synchronized (PRESTARTED) {
			Deque<Process> ready = PRESTARTED.getOrDefault(command, new ArrayDeque<>());
			for (Process process = ready.poll(); process != null; process = ready.poll()) {
				if (process.isAlive()) {
					return process;
				}
			}
		}
		return spawn(command, crashLogs);
	}

	private static Process spawn(List<String> command, Path crashLogs) throws IOException {
		Files.createDirectories(crashLogs);
		ProcessBuilder builder = new ProcessBuilder(command)
			.redirectError(ProcessBuilder.Redirect.appendTo(crashLogs.resolve("native-host.log").toFile()));
		synchronized (PRESTARTED) {
			boolean records = recorder == null && STARTUP_CACHE != null && recording();
			if (records) {
				// java's launcher adds these options; the command stays the one prestarted hosts are matched by
				builder.environment().put("JDK_JAVA_OPTIONS", "-XX:AOTCacheOutput=" + recorded());
			}
			Process process = builder.start();
			if (records) {
				recorder = process;
			}
			return process;
		}
	}

	private static Path recorded() {
		return STARTUP_CACHE.resolveSibling(STARTUP_CACHE.getFileName() + ".recording");
	}

	/**
	 * Kills a host; the host that records the start-up cache is asked to exit instead (its stdin closed), which
	 * writes the cache, and the cache is put in place whole.
	 */
	private static void end(Process process) {
		synchronized (PRESTARTED) {
			if (process != recorder) {
				process.destroyForcibly();
				return;
			}
		}
		try {
			process.getOutputStream().close();
			if (process.waitFor(2, TimeUnit.MINUTES) && process.exitValue() == 0 && Files.isRegularFile(recorded())) {
				Files.move(recorded(), STARTUP_CACHE, StandardCopyOption.REPLACE_EXISTING,
						StandardCopyOption.ATOMIC_MOVE);
			}
		}
		catch (IOException e) {
			// the hosts start without the cache
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		finally {
			process.destroyForcibly();
		}
	}

	/** Starts {@code count} hosts of this pool's one setup in the background, so that the first samples do not wait. */
	public void warmUp(int count) {
		for (int i = 0; i < count; i++) {
			startInBackground(only());
		}
	}

	private void startInBackground(Setup setup) {
		synchronized (idle) {
			starting++;
		}
		Thread start = new Thread(() -> {
			Host host = null;
			boolean started = false;
			try {
				host = new Host();
				synchronized (idle) {
					launched++;
					started = true;
				}
				host.load(setup, List.of());
			}
			catch (IOException | HostFailure | RuntimeException e) {
				// the first request starts one again and reports why it cannot
				host = null;
			}
			synchronized (idle) {
				// idle before it stops counting as starting: a request waiting for it must not start another
				starting--;
				launched -= started ? 1 : 0;
				if (host != null && !closed) {
					idle.addFirst(host);
					host = null;
				}
				idle.notifyAll();
			}
			if (host != null) {
				host.stop(); // the pool closed meanwhile
			}
		}, "native-host-start");
		start.setDaemon(true);
		start.start();
	}

	/**
	 * Sends one request to an idle host (started if none is), loading the setup there first if it has not, and
	 * returns its answer.
	 * @throws HostFailure when the host died on the request or overran the timeout; it is gone
	 */
	Map<String, Object> call(Setup setup, Map<String, Object> request) throws HostFailure {
		Host host = borrow(setup);
		List<Long> forget = forgetting(host, setup);
		if (!host.loaded.contains(setup.key)) {
			loadOrFail(host, setup, forget);
			forget = List.of();
		}
		Map<String, Object> message = new HashMap<>(request);
		message.put("setup", setup.key);
		if (!forget.isEmpty()) {
			message.put("forget", forget);
		}
		Map<String, Object> answer = host.call(message);
		giveBack(host);
		return answer;
	}

	/** Loads a setup in a host; a host that cannot counts as a start that failed, as it did when setups came first. */
	private void loadOrFail(Host host, Setup setup, List<Long> forget) throws HostFailure {
		boolean fresh = host.loaded.isEmpty() && !host.answered;
		try {
			host.load(setup, forget);
			if (fresh) {
				started(null);
			}
		}
		catch (HostFailure e) {
			throw started(e);
		}
		catch (RuntimeException e) {
			throw started(e);
		}
	}

	/**
	 * The setups a borrowed host forgets with its next message: those retired, and the one it used least recently when
	 * loading {@code setup} would make more than {@link #SETUPS_PER_HOST}.
	 */
	private List<Long> forgetting(Host host, Setup setup) {
		synchronized (idle) {
			List<Long> forget = new ArrayList<>();
			for (Long key : host.loaded) {
				if (retired.contains(key)) {
					forget.add(key);
				}
			}
			host.loaded.removeAll(forget);
			if (!host.loaded.contains(setup.key) && host.loaded.size() >= SETUPS_PER_HOST) {
				Long eldest = host.loaded.iterator().next();
				host.loaded.remove(eldest);
				forget.add(eldest);
			}
			if (!forget.isEmpty()) {
				cleanRetired();
			}
			return forget;
		}
	}

	/** Drops the retired setups that no host holds any more. Guarded by {@link #idle}. */
	private void cleanRetired() {
		retired.removeIf(key -> running.stream().noneMatch(host -> host.loaded.contains(key)));
	}

	/**
	 * The idle host this thread used last if it has the setup loaded, else any idle one that has, else this thread's
	 * last, any idle one, one starting up, or a new one.
	 */
	private Host borrow(Setup setup) throws HostFailure {
		synchronized (idle) {
			while (idle.isEmpty() && starting > 0) {
				try {
					idle.wait();
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					throw new HostFailure("interrupted while waiting for a native analysis process");
				}
			}
			Host mine = last.get();
			Host host = mine != null && idle.contains(mine) && mine.loaded.contains(setup.key) ? mine
					: idle.stream().filter(h -> h.loaded.contains(setup.key)).findFirst()
						.orElse(mine != null && idle.contains(mine) ? mine : idle.peekFirst());
			if (host != null) {
				idle.remove(host);
				last.set(host);
				return host;
			}
		}
		synchronized (idle) {
			if (failedStarts >= FAILED_STARTS && System.nanoTime() - refusedUntil < 0) {
				throw new HostFailure("its native analysis process failed to start " + failedStarts + " times in a "
						+ "row (the last: " + lastStartFailure + "); none is started again for " + COOL_DOWN.toSeconds()
						+ " s");
			}
		}
		try {
			Host host = new Host();
			last.set(host);
			return host;
		}
		catch (IOException e) {
			throw started(new HostFailure("its native analysis process could not be started: " + e.getMessage()));
		}
	}

	/**
	 * Counts a start that failed ({@code failure} not null) or resets the count: after {@link #FAILED_STARTS} failures
	 * in a row, no host is started for {@link #COOL_DOWN}, so that each sample does not wait for a host that cannot
	 * start (a broken installation, say) to die. Returns {@code failure}.
	 */
	private <T extends Exception> T started(T failure) {
		synchronized (idle) {
			if (failure == null) {
				failedStarts = 0;
				return null;
			}
			failedStarts++;
			lastStartFailure = failure.getMessage();
			if (failedStarts >= FAILED_STARTS) {
				refusedUntil = System.nanoTime() + COOL_DOWN.toNanos();
			}
			return failure;
		}
	}

	private void giveBack(Host host) {
		synchronized (idle) {
			if (!closed) {
				idle.addFirst(host);
				idle.notifyAll();
				return;
			}
		}
		host.stop();
	}

	/** How many retired setups some host still holds (for tests). */
	int retiredHeld() {
		synchronized (idle) {
			return retired.size();
		}
	}

	/** How many hosts are running now (for tests). */
	public int running() {
		return running.size();
	}

	@Override
	public void close() {
		synchronized (idle) {
			closed = true;
			idle.clear();
		}
		running.forEach(Host::stop);
		watchdog.shutdownNow();
	}

	/** A host that died or was killed: the message becomes the analyzer's error on the sample. */
	static final class HostFailure extends Exception {
		HostFailure(String message) {
			super(message);
		}
	}

	private final class Host {

		private final Process process;
		private final DataOutputStream requests;
		private final DataInputStream answers;
		/** The setups this host has loaded, the one used least recently first; guarded by {@link #idle}. */
		private final Set<Long> loaded = new LinkedHashSet<>();
		/** Whether it answered a message yet: until then, its death is a failed start. */
		private boolean answered;

		Host() throws IOException {
			process = launch(command, crashLogs);
			running.add(this);
			requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
			answers = new DataInputStream(new BufferedInputStream(process.getInputStream()));
		}

		/** Loads a setup, after forgetting those named; a host that cannot is stopped. */
		void load(Setup setup, List<Long> forget) throws HostFailure {
			Map<String, Object> message = new HashMap<>(setup.message);
			if (!forget.isEmpty()) {
				message.put("forget", forget);
			}
			Map<String, Object> ready = exchange(message, answered ? "loading its analyzers" : "starting");
			if (ready.get("error") instanceof String error) {
				stop();
				throw new IllegalStateException("the native analysis process could not start: " + error);
			}
			synchronized (idle) {
				loaded.add(setup.key);
			}
		}

		Map<String, Object> call(Map<String, Object> request) throws HostFailure {
			Map<String, Object> answer = exchange(request, "analysing this sample");
			synchronized (idle) { // used last: forgotten last
				Long key = (Long) request.get("setup");
				if (loaded.remove(key)) {
					loaded.add(key);
				}
			}
			return answer;
		}

		/** One message there and its answer back, within the timeout; the host is stopped if that fails. */
		private Map<String, Object> exchange(Map<String, Object> message, String doing) throws HostFailure {
			AtomicBoolean overran = new AtomicBoolean();
			ScheduledFuture<?> kill = watchdog.schedule(() -> {
				overran.set(true);
				process.destroyForcibly();
			}, timeout.toMillis(), TimeUnit.MILLISECONDS);
			Map<String, Object> answer;
			try {
				Frames.write(requests, message);
				answer = Frames.read(answers);
			}
			catch (IOException | RuntimeException e) {
				answer = null;
			}
			finally {
				kill.cancel(false);
			}
			if (answer != null) {
				answered = true;
				return answer;
			}
			if (overran.get()) {
				stop();
				throw new HostFailure("timed out after " + timeout.toSeconds() + " s; its native analysis process was "
						+ "killed");
			}
			String death = death();
			stop();
			throw new HostFailure("its native analysis process died while " + doing + " (" + death + ")");
		}

		private String death() {
			try {
				if (!process.waitFor(5, TimeUnit.SECONDS)) {
					return "no answer";
				}
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return "interrupted";
			}
			int status = process.exitValue();
			Path log = crashLogs.resolve("hs_err_native_pid" + process.pid() + ".log");
			if (log.toFile().exists()) {
				return "exit " + status + ", a crash in native code; crash log " + log;
			}
			return status > 128 ? "killed by signal " + (status - 128) : "exit " + status;
		}

		void stop() {
			running.remove(this);
			end(process);
		}
	}
}
