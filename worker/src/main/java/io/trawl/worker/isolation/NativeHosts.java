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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.management.HotSpotDiagnosticMXBean;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.AnalyzerSpec;

/**
 * Child processes ({@link NativeHost}) that run the analyzers with native code, so that a SIGSEGV in libyara on a
 * hostile sample costs that sample an error field, not the job's JVM. A host serves one request at a time; one is
 * started per analysis running at once, and kept for the next sample. A host that dies or overruns the timeout is
 * killed and forgotten, and the next request starts a new one.
 */
public final class NativeHosts implements AutoCloseable {

	/** Host JVMs started by {@link #prestart} and not yet given their setup, by their command. */
	private static final Map<List<String>, Deque<Process>> PRESTARTED = new HashMap<>();
	/** The hosts' AOT cache beside the app's jar, if the app is one jar on JDK 25+ (not in tests). */
	private static final Path STARTUP_CACHE = startupCache();
	/** In the build's training run, the host that records {@link #STARTUP_CACHE} as it exits (guarded by PRESTARTED). */
	private static Process recorder;

	private final List<String> command;
	private final Map<String, Object> setup;
	private final Duration timeout;
	private final Path crashLogs;
	private final Deque<Host> idle = new ArrayDeque<>();
	private final Set<Host> running = ConcurrentHashMap.newKeySet();
	/** The host a thread used last: asked again, it still holds that thread's sample in memory. */
	private final ThreadLocal<Host> last = new ThreadLocal<>();
	private int starting;
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

	/** Starts that may fail in a row before new ones are refused for {@link #COOL_DOWN}. */
	static final int FAILED_STARTS = 3;
	/** How long no host is started after {@link #FAILED_STARTS} failed starts in a row; then one is tried again. */
	static final Duration COOL_DOWN = Duration.ofSeconds(30);

	/**
	 * @param analyzers what the hosts run: each created there from its {@link Analyzer#spec()}
	 * @param timeout how long one request may take before its host is killed
	 * @param inMemoryLimit samples up to this size are read into a host's memory, larger ones scanned from their file
	 * @param command the java command that starts a {@link NativeHost} ({@link #commandFor})
	 * @param crashLogs where the hosts' crash logs and stderr ({@code native-host.log}) go
	 */
	public NativeHosts(List<Analyzer> analyzers, Duration timeout, long inMemoryLimit,
			List<String> command, Path crashLogs) {
		List<Map<String, Object>> specs = new ArrayList<>();
		for (Analyzer analyzer : analyzers) {
			AnalyzerSpec spec = analyzer.spec();
			specs.add(Map.of("class", spec.type(), "settings", spec.settings()));
		}
		this.setup = Map.of("analyzers", specs, "inMemoryLimit", inMemoryLimit);
		this.timeout = timeout;
		this.command = List.copyOf(command);
		this.crashLogs = crashLogs;
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

	/** Starts {@code count} hosts in the background, so that the first samples do not wait for them. */
	public void warmUp(int count) {
		for (int i = 0; i < count; i++) {
			synchronized (idle) {
				starting++;
			}
			Thread start = new Thread(() -> {
				Host host = null;
				try {
					host = new Host();
				}
				catch (IOException | HostFailure | RuntimeException e) {
					// the first request starts one again and reports why it cannot
				}
				synchronized (idle) {
					starting--;
					idle.notifyAll();
				}
				if (host != null) {
					giveBack(host);
				}
			}, "native-host-start");
			start.setDaemon(true);
			start.start();
		}
	}

	/**
	 * Sends one request to an idle host (started if none is) and returns its answer.
	 * @throws HostFailure when the host died on the request or overran the timeout; it is gone
	 */
	Map<String, Object> call(Map<String, Object> request) throws HostFailure {
		Host host = borrow();
		Map<String, Object> answer = host.call(request);
		giveBack(host);
		return answer;
	}

	/** The idle host this thread used last, else any idle one, else one starting up, else a new one. */
	private Host borrow() throws HostFailure {
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
			Host host = idle.remove(last.get()) ? last.get() : idle.pollFirst();
			if (host != null) {
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
			started(null);
			last.set(host);
			return host;
		}
		catch (IOException e) {
			throw started(new HostFailure("its native analysis process could not be started: " + e.getMessage()));
		}
		catch (HostFailure e) {
			throw started(e);
		}
		catch (RuntimeException e) {
			throw started(e);
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

		Host() throws IOException, HostFailure {
			process = launch(command, crashLogs);
			running.add(this);
			requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
			answers = new DataInputStream(new BufferedInputStream(process.getInputStream()));
			Map<String, Object> ready = exchange(setup, "starting");
			if (ready.get("error") instanceof String error) {
				stop();
				throw new IllegalStateException("the native analysis process could not start: " + error);
			}
		}

		Map<String, Object> call(Map<String, Object> request) throws HostFailure {
			return exchange(request, "analysing this sample");
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
