package io.trawl.jobs.containment;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A stand-in for a job command's JVM, for {@link SupervisorTests}: a real JVM that dies the way its script says. The
 * script ({@code SCRIPTED_JOB}) has one line per run, taken in order; each line is a sequence of steps:
 * <ul>
 * <li>{@code id N}: writes N to {@code TRAWL_EXECUTION_ID_FILE}, as a command that starts job execution N does;</li>
 * <li>{@code segv}: a real SIGSEGV (crash log where -XX:ErrorFile says, exit 134); {@code abort}: SIGABRT, no crash
 * log (134); {@code kill}: SIGKILL by itself (137), {@code oom}: the same after raising the OOM counter file
 * {@code TRAWL_OOM_COUNTER}, as the kernel's OOM killer would;</li>
 * <li>{@code hserr}: writes a crash log itself (where -XX:ErrorFile says) and goes on;</li>
 * <li>{@code exit N}: exits with N; {@code hold}: writes {@code <script>.held} and waits to be stopped.</li>
 * </ul>
 * Each run appends its arguments (space-separated) to {@code <script>.runs}, and a stop by a signal appends
 * "stopped" to {@code <script>.stopped}. Like {@code TrawlCli.main}, it first lets the supervisor take over.
 */
public final class ScriptedJob {

	public static void main(String[] args) throws Exception {
		Supervisor.superviseIfAsked(args);
		Path script = Path.of(System.getenv("SCRIPTED_JOB"));
		Path runs = Path.of(script + ".runs");
		int run = Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
		Files.writeString(runs, String.join(" ", args) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		List<String> steps = List.of(Files.readAllLines(script).get(run).trim().split("\\s+"));
		for (int i = 0; i < steps.size(); i++) {
			switch (steps.get(i)) {
				case "id" -> Files.writeString(Path.of(System.getenv("TRAWL_EXECUTION_ID_FILE")), steps.get(++i) + "\n");
				case "segv" -> segv();
				case "abort" -> signalSelf("ABRT");
				case "kill" -> signalSelf("KILL");
				case "oom" -> {
					Path counter = Path.of(System.getenv("TRAWL_OOM_COUNTER"));
					long count = Supervisor.oomKills(counter).orElseThrow();
					Files.writeString(counter, "pgfault 12\noom_kill " + (count + 1) + "\n");
					signalSelf("KILL");
				}
				case "hserr" -> Files.writeString(crashLog(), "a crash log\n");
				case "exit" -> System.exit(Integer.parseInt(steps.get(++i)));
				case "hold" -> {
					Runtime.getRuntime().addShutdownHook(new Thread(() -> {
						try {
							Files.writeString(Path.of(script + ".stopped"), "stopped\n");
						}
						catch (IOException e) {
							throw new IllegalStateException(e);
						}
					}));
					Files.writeString(Path.of(script + ".held"), "held\n");
					Thread.sleep(Long.MAX_VALUE);
				}
				default -> throw new IllegalArgumentException("unknown step " + steps.get(i));
			}
		}
	}

	private static Path crashLog() {
		String errorFile = ProcessHandle.current().info().arguments().map(List::of).orElseThrow().stream()
			.filter(arg -> arg.startsWith("-XX:ErrorFile="))
			.reduce((first, second) -> second)
			.orElseThrow();
		return Path.of(errorFile.substring("-XX:ErrorFile=".length())
			.replace("%p", Long.toString(ProcessHandle.current().pid())));
	}

	/** Writes to address 8: the JVM's signal handler writes its crash log and aborts, as after a fault in libyara. */
	private static void segv() throws Exception {
		Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
		field.setAccessible(true);
		Object unsafe = field.get(null);
		unsafe.getClass().getMethod("putAddress", long.class, long.class).invoke(unsafe, 8L, 1L);
	}

	private static void signalSelf(String signal) throws Exception {
		new ProcessBuilder("kill", "-" + signal, Long.toString(ProcessHandle.current().pid())).inheritIO().start()
			.waitFor();
		Thread.sleep(60_000); // the signal ends this JVM first
		System.exit(99);
	}
}
