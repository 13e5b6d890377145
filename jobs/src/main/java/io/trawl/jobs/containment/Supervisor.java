package io.trawl.jobs.containment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;

import sun.misc.Signal;

/**
 * Runs a job command's JVM as a child and restarts the job it started when that JVM crashed: the process half of
 * crash containment (docs/crash-containment.md, "On one machine"). Plain Java on purpose: {@code TrawlCli.main} calls
 * {@link #superviseIfAsked} before any Spring class loads, so the supervising JVM starts in a few tens of
 * milliseconds and never touches the store. (Before that, {@code TrawlCli.main} sends a job command whose store a
 * running process holds to that process, and no job JVM starts: {@link #asked}, {@link #jobProperties}.)
 * <p>
 * The {@code trawl} launcher asks for it ({@value #ASK}). A JVM started directly ({@code java -jar trawl.jar rescan})
 * runs its job itself, as it always did: killed with SIGKILL, it must leave no child behind that holds the store.
 * <p>
 * The child's java command (java, options, AOT cache, {@code -XX:ErrorFile}, and the jar or main class) is the one the
 * launcher hands over in {@value #JOB_JAVA}, one argument a line, so that this JVM itself can start lean (C1 only,
 * serial GC, a small heap, no AOT cache to map: 0.3 s of wall time less on every job). Without it, the child is this
 * JVM's own command line again ({@code /proc/self/cmdline}). Stdio is inherited. A command that starts a job writes its job execution id to
 * {@code TRAWL_EXECUTION_ID_FILE}, which this sets to {@code $TRAWL_DATA_DIR/.execution-id.<supervisor pid>}. When the
 * child dies:
 * <ul>
 * <li>exit 137 while the kernel's {@code oom_kill} count ({@code /proc/vmstat}, or {@code TRAWL_OOM_COUNTER} in tests)
 * went up: the OOM killer. Written down as {@code oom_kill_pid<pid>.log} beside the crash logs, so that the restart
 * holds the death against the sample in flight, and restarted;</li>
 * <li>a crash log {@code hs_err_pid<pid>.log} where {@code -XX:ErrorFile} says, or exit 134, 135, 136 or 139
 * (SIGABRT, SIGBUS, SIGFPE, SIGSEGV): a crash, restarted;</li>
 * <li>anything else, a {@code kill -9} by someone included: the end, with the child's exit code.</li>
 * </ul>
 * A restart is {@code restart <id>} with the first command's Spring settings ({@code --a.b=c}, a dot in the name), up
 * to {@code TRAWL_AUTO_RESTARTS} times (default 3; 0 turns restarts off). SIGINT, SIGTERM and SIGHUP reach the child as
 * SIGTERM, its shutdown hooks run, and nothing is restarted; after Ctrl-C the exit code is 130.
 */
public final class Supervisor {

	/** The commands that run a job: supervised, and (but for project) their native hosts start with the JVM. */
	public static final Set<String> JOB_COMMANDS = Set.of("rescan", "restart", "demo", "project");

	/** Set (to anything but "false" or "0") by the {@code trawl} launcher: job commands run under a supervisor. */
	static final String ASK = "TRAWL_SUPERVISE";
	/** Set for the child: the supervisor's pid. A JVM whose parent has that pid is the supervised one. */
	static final String SUPERVISOR_PID = "TRAWL_SUPERVISOR_PID";
	/** Set by the launcher: the job JVM's command up to the command's arguments, one argument a line. */
	static final String JOB_JAVA = "TRAWL_JOB_JAVA";

	/** Options of a JVM that records a class-data archive or an AOT cache: that JVM must run the job itself. */
	private static final List<String> RECORDING = List.of("-XX:AOTCacheOutput=", "-XX:AOTMode=record",
			"-XX:AOTMode=create", "-XX:ArchiveClassesAtExit=", "-XX:DumpLoadedClassList=", "-Xshare:dump");

	private final List<String> java;
	private final Map<String, String> env;
	private final Path dataDir;
	private final String restartsSetting;
	private final Path oomCounter;
	private final PrintStream err;
	private final long pid = ProcessHandle.current().pid();

	/** Guarded by this: the running child, and the signal that stops the supervisor (INT, TERM, HUP) once one came. */
	private Process child;
	private volatile String stopping;

	/**
	 * @param java the child's command up to the command's own arguments: java, its options, and {@code -jar JAR} or
	 *        {@code -cp PATH MAIN}
	 * @param env the environment, the child's too: TRAWL_DATA_DIR, TRAWL_AUTO_RESTARTS, TRAWL_OOM_COUNTER
	 * @param err where the supervisor's own lines go
	 */
	Supervisor(List<String> java, Map<String, String> env, PrintStream err) {
		this.java = List.copyOf(java);
		this.env = Map.copyOf(env);
		this.dataDir = Path.of(env.getOrDefault("TRAWL_DATA_DIR", "./data"));
		this.restartsSetting = env.getOrDefault("TRAWL_AUTO_RESTARTS", "3");
		this.oomCounter = Path.of(env.getOrDefault("TRAWL_OOM_COUNTER", "/proc/vmstat"));
		this.err = err;
	}

	/**
	 * Called first by {@code TrawlCli.main}. Returns at once unless this JVM is to supervise the command
	 * ({@link #asked}). Otherwise supervises it and exits with its exit code.
	 */
	public static void superviseIfAsked(String[] args) {
		if (!asked(args)) {
			return;
		}
		List<String> java = jobJava(args);
		if (java == null) {
			System.err.println("trawl: this JVM's command line cannot be read; the job runs without automatic restarts");
			return;
		}
		Supervisor supervisor = new Supervisor(java, System.getenv(), System.err);
		supervisor.forwardSignals();
		System.exit(supervisor.run(List.of(args)));
	}

	/** Whether this JVM is to supervise the command: a job command, asked for by the launcher, not already the child. */
	public static boolean asked(String[] args) {
		if (args.length == 0 || !JOB_COMMANDS.contains(args[0])) {
			return false;
		}
		Map<String, String> env = System.getenv();
		String asked = env.get(ASK);
		return !(asked == null || asked.isBlank() || asked.equals("false") || asked.equals("0") || supervised(env));
	}

	/**
	 * The system properties the job JVM's command sets ({@code -Dname=value}), as that JVM would read them: a property
	 * it does not set is null. A command sent elsewhere before any job JVM starts finds its data folder with them.
	 */
	public static UnaryOperator<String> jobProperties(String[] args) {
		List<String> java = jobJava(args);
		return name -> java == null ? null : property(java, name);
	}

	/** The job JVM's command: the one the launcher handed over, else this JVM's own; null when neither can be read. */
	private static List<String> jobJava(String[] args) {
		List<String> java = handedJavaCommand(System.getenv(JOB_JAVA));
		return java != null ? java : javaCommand(args);
	}

	/** The value of {@code -Dname=value} in a java command, the last one as in the JVM; null when it has none. */
	static String property(List<String> java, String name) {
		String value = null;
		for (String option : java) {
			if (option.startsWith("-D" + name + "=")) {
				value = option.substring(name.length() + 3);
			}
		}
		return value;
	}

	/** Whether this JVM is the child of the supervisor that the environment names. */
	private static boolean supervised(Map<String, String> env) {
		String supervisor = env.get(SUPERVISOR_PID);
		return supervisor != null && ProcessHandle.current().parent()
			.map(parent -> Long.toString(parent.pid()).equals(supervisor.trim()))
			.orElse(false);
	}

	/**
	 * The job JVM's command the launcher handed over (one argument a line: an executable, then at least a jar or main
	 * class); null when there is none, so that the child runs this JVM's own command line.
	 */
	static List<String> handedJavaCommand(String handed) {
		if (handed == null || handed.isBlank()) {
			return null;
		}
		List<String> java = List.of(handed.split("\n", -1));
		return java.size() >= 2 && java.stream().noneMatch(String::isEmpty) ? java : null;
	}

	/**
	 * This JVM's java executable, options and main class or jar, read from {@code /proc/self/cmdline}; null when they
	 * cannot be told apart from the arguments, or when this JVM records a class-data archive or AOT cache (a training
	 * run must load the job's classes itself).
	 */
	static List<String> javaCommand(String[] args) {
		List<String> line;
		try {
			byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
			line = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0", -1)));
			if (!line.isEmpty() && line.get(line.size() - 1).isEmpty()) {
				line.remove(line.size() - 1); // each argument ends with a NUL, the last one too
			}
		}
		catch (IOException | RuntimeException e) {
			return null;
		}
		int own = line.size() - args.length;
		if (own < 2 || !line.subList(own, line.size()).equals(List.of(args))) {
			return null;
		}
		List<String> java = new ArrayList<>(line.subList(0, own));
		if (java.stream().anyMatch(option -> RECORDING.stream().anyMatch(option::startsWith))) {
			return null;
		}
		// argv[0] may be a bare "java" found on the PATH; the child runs this very JVM's executable
		java.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
		return java;
	}

	/** Runs the command, and restarts its job after each crash it may be restarted for; the exit code. */
	int run(List<String> command) {
		int limit = restartLimit();
		Path idFile = dataDir.resolve(".execution-id." + pid);
		List<String> settings = springSettings(command);
		List<String> args = command;
		int restarts = 0;
		int status;
		try {
			while (true) {
				Files.deleteIfExists(idFile);
				OptionalLong oomBefore = oomKills(oomCounter);
				Process started = start(args, idFile);
				if (started == null) {
					status = 128 + signalNumber(stopping);
					break;
				}
				status = waitFor(started);
				if (stopping != null) {
					break;
				}
				Path crashLog = crashLog(started.pid());
				Death death = classify(status, Files.exists(crashLog), oomBefore, oomKills(oomCounter));
				if (death == Death.OOM_KILL) {
					err.println(oomKillMessage(status));
					recordOomKill(crashLog.resolveSibling("oom_kill_pid" + started.pid() + ".log"), started.pid(),
							status);
				}
				else if (death == Death.CRASH) {
					err.println("trawl: the JVM crashed (exit " + status + "); its crash log: " + crashLog);
				}
				else {
					break;
				}
				String id = readId(idFile);
				if (id.isEmpty()) {
					err.println("trawl: it crashed before its job started; not restarting");
					break;
				}
				if (restarts >= limit) {
					err.println("trawl: gave up after " + restarts + " automatic restarts (TRAWL_AUTO_RESTARTS=" + limit
							+ "); restart it with: ./trawl restart " + id);
					break;
				}
				restarts++;
				err.println("trawl: restarting job execution " + id + " automatically (" + restarts + " of at most "
						+ limit + ", TRAWL_AUTO_RESTARTS)");
				args = restartArguments(id, settings);
			}
		}
		catch (IOException e) {
			err.println("trawl: could not run the job's JVM: " + e.getMessage());
			status = 2;
		}
		finally {
			try {
				Files.deleteIfExists(idFile);
			}
			catch (IOException ignored) {
				// a leftover id file names no live launcher; the next run with this pid deletes it first
			}
		}
		// what Ctrl-C on java itself would have given
		return "INT".equals(stopping) && status == 143 ? 130 : status;
	}

	/** How a child ended, as far as restarting goes. */
	enum Death {
		/** Killed by the kernel's OOM killer: restarted, and held against the sample in flight. */
		OOM_KILL,
		/** A crash log, or killed by SIGABRT, SIGBUS, SIGFPE or SIGSEGV: restarted. */
		CRASH,
		/** A normal end, a failed job, or a kill from outside (kill -9 by someone): not restarted. */
		END
	}

	/**
	 * @param status the child's exit code, 128 + the signal when a signal killed it
	 * @param crashLog whether the child wrote its crash log
	 * @param oomBefore the kernel's OOM kill count before the child started, if it could be read
	 * @param oomAfter the count after it ended
	 */
	static Death classify(int status, boolean crashLog, OptionalLong oomBefore, OptionalLong oomAfter) {
		// SIGKILL while the count went up; a kill -9 by someone leaves it alone
		if (status == 137 && oomBefore.isPresent() && oomAfter.isPresent()
				&& oomAfter.getAsLong() > oomBefore.getAsLong()) {
			return Death.OOM_KILL;
		}
		if (crashLog || status == 134 || status == 135 || status == 136 || status == 139) {
			return Death.CRASH;
		}
		return Death.END;
	}

	/** The command's Spring settings ({@code --a.b=c}: a dot in the name), which a restart keeps; not --source=DIR. */
	static List<String> springSettings(List<String> command) {
		List<String> settings = new ArrayList<>();
		for (String arg : command.subList(Math.min(1, command.size()), command.size())) {
			int equals = arg.indexOf('=');
			if (arg.startsWith("--") && equals > 0 && arg.substring(0, equals).contains(".")) {
				settings.add(arg);
			}
		}
		return settings;
	}

	static List<String> restartArguments(String id, List<String> settings) {
		List<String> args = new ArrayList<>(List.of("restart", id));
		args.addAll(settings);
		return args;
	}

	static String oomKillMessage(int status) {
		return "trawl: the kernel's OOM killer stopped the JVM (exit " + status + "; oom_kill in /proc/vmstat went up): "
				+ "the machine ran out of memory. A smaller heap (TRAWL_JAVA_OPTS=-Xmx...) or fewer partitions at once "
				+ "(TRAWL_THREADS) leave more room";
	}

	/** The kernel's count of OOM kills so far (the {@code oom_kill} line), if the file has one. */
	static OptionalLong oomKills(Path counter) {
		try {
			for (String line : Files.readAllLines(counter)) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length >= 2 && fields[0].equals("oom_kill")) {
					return OptionalLong.of(Long.parseLong(fields[1]));
				}
			}
		}
		catch (IOException | RuntimeException unreadable) {
			// no count: no death can be told for the OOM killer's
		}
		return OptionalLong.empty();
	}

	/**
	 * Where a child writes its crash log: {@code -XX:ErrorFile} with {@code %p} for its pid, else the JVM's default,
	 * the working directory.
	 */
	Path crashLog(long childPid) {
		String pattern = "hs_err_pid%p.log";
		for (String option : java) {
			if (option.startsWith("-XX:ErrorFile=")) {
				pattern = option.substring("-XX:ErrorFile=".length());
			}
		}
		StringBuilder name = new StringBuilder();
		for (int i = 0; i < pattern.length(); i++) {
			char c = pattern.charAt(i);
			if (c == '%' && i + 1 < pattern.length() && (pattern.charAt(i + 1) == 'p' || pattern.charAt(i + 1) == '%')) {
				name.append(pattern.charAt(++i) == 'p' ? Long.toString(childPid) : "%");
			}
			else {
				name.append(c);
			}
		}
		return Path.of(name.toString());
	}

	private int restartLimit() {
		try {
			int limit = Integer.parseInt(restartsSetting.trim());
			if (limit >= 0) {
				return limit;
			}
		}
		catch (NumberFormatException notANumber) {
			// below
		}
		err.println("trawl: TRAWL_AUTO_RESTARTS=" + restartsSetting + " is not a number of restarts; using 3");
		return 3;
	}

	/** The child, or null when a signal to stop came first. */
	private synchronized Process start(List<String> args, Path idFile) throws IOException {
		if (stopping != null) {
			return null;
		}
		List<String> line = new ArrayList<>(java);
		line.addAll(args);
		ProcessBuilder builder = new ProcessBuilder(line).inheritIO();
		builder.environment().clear();
		builder.environment().putAll(env);
		builder.environment().remove(JOB_JAVA); // the child's own command, not one for a JVM it would start
		builder.environment().put("TRAWL_EXECUTION_ID_FILE", idFile.toString());
		builder.environment().put(SUPERVISOR_PID, Long.toString(pid));
		child = builder.start();
		return child;
	}

	private static int waitFor(Process process) {
		while (true) {
			try {
				return process.waitFor();
			}
			catch (InterruptedException e) {
				// nothing interrupts this thread on purpose; the child is what ends the wait
			}
		}
	}

	/** SIGINT, SIGTERM and SIGHUP stop the child with SIGTERM (its shutdown hooks run); nothing is restarted after. */
	void forwardSignals() {
		for (String name : List.of("INT", "TERM", "HUP")) {
			try {
				Signal.handle(new Signal(name), signal -> stop(name));
			}
			catch (IllegalArgumentException notHandled) {
				// -Xrs, or a signal this JVM may not handle: the shutdown hook below still stops the child
			}
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			Process last = stop(stopping == null ? "TERM" : stopping);
			if (last != null) {
				waitFor(last);
			}
		}, "trawl-supervisor-stop"));
	}

	/** Records why the supervisor stops and sends the child SIGTERM; the child, if one ran. */
	private synchronized Process stop(String signal) {
		if (stopping == null) {
			stopping = signal;
		}
		if (child != null && child.isAlive()) {
			child.destroy(); // SIGTERM
		}
		return child;
	}

	private static int signalNumber(String name) {
		return switch (name) {
			case "INT" -> 2;
			case "HUP" -> 1;
			default -> 15;
		};
	}

	private static String readId(Path idFile) {
		try {
			return Files.readString(idFile).strip();
		}
		catch (IOException | RuntimeException absent) {
			return "";
		}
	}

	/** Beside the crash logs, so that the restart holds this death against the sample in flight as it does a crash's. */
	private void recordOomKill(Path record, long childPid, int status) {
		try {
			Path folder = record.toAbsolutePath().getParent();
			Files.createDirectories(folder);
			Files.deleteIfExists(record);
			Files.createFile(record, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(record, "the kernel's OOM killer stopped JVM " + childPid + " (exit " + status + ") at "
					+ Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n");
		}
		catch (IOException | RuntimeException e) {
			err.println("trawl: could not write " + record + " (" + e + "); the restart will not suspect the sample "
					+ "in flight");
		}
	}
}
