package io.trawl.jobs.containment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.jobs.containment.Supervisor.Death;

/**
 * The supervisor's decisions, on real child JVMs ({@link ScriptedJob}) that crash with a real SIGSEGV, abort, are
 * killed with SIGKILL or exit: what counts as a crash or an OOM kill, what a restart runs, when it stops, and what it
 * says. The launcher ITs (NativeCrashIT, OomKillIT, KilledInCarefulChunkIT) check the same through {@code ./trawl}.
 */
class SupervisorTests {

	@TempDir
	Path dir;

	private Path data;
	private Path script;
	private Path counter;
	private final Map<String, String> env = new HashMap<>();
	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@BeforeEach
	void givenADataFolderAndAnOomCounter() throws Exception {
		data = Files.createDirectories(dir.resolve("data"));
		script = dir.resolve("script");
		counter = Files.writeString(dir.resolve("vmstat"), "pgfault 12\noom_kill 3\n");
		env.putAll(System.getenv()); // PATH, for kill
		env.keySet().removeIf(name -> name.startsWith("TRAWL_"));
		env.put("TRAWL_DATA_DIR", data.toString());
		env.put("TRAWL_OOM_COUNTER", counter.toString());
		env.put("TRAWL_AUTO_RESTARTS", "3");
	}

	@Test
	void aCrashLogOrAFatalSignalIsACrashAndOnlyARisingOomCountMakesASigkillAnOomKill() {
		OptionalLong three = OptionalLong.of(3);
		OptionalLong four = OptionalLong.of(4);
		OptionalLong unknown = OptionalLong.empty();

		assertThat(Supervisor.classify(137, false, three, four)).isEqualTo(Death.OOM_KILL);
		assertThat(Supervisor.classify(137, false, three, three)).as("kill -9 by someone").isEqualTo(Death.END);
		assertThat(Supervisor.classify(137, false, unknown, unknown)).as("no counter").isEqualTo(Death.END);
		assertThat(Supervisor.classify(143, false, three, four)).as("only a SIGKILL").isEqualTo(Death.END);
		for (int fatal : List.of(134, 135, 136, 139)) {
			assertThat(Supervisor.classify(fatal, false, three, three)).isEqualTo(Death.CRASH);
		}
		assertThat(Supervisor.classify(1, true, three, three)).as("a crash log, whatever the code")
			.isEqualTo(Death.CRASH);
		for (int end : List.of(0, 1, 2, 130, 143)) {
			assertThat(Supervisor.classify(end, false, three, four)).isEqualTo(Death.END);
		}
	}

	@Test
	void aRestartKeepsTheSpringSettingsOnly() {
		List<String> command = List.of("rescan", "--source", "/samples", "--rules=/rules.yar",
				"--trawl.analysis.chunk-size=100", "--trawl.analysis.isolate-native-code=false", "--spring.x", "-a.b=c",
				"--a.b=x=y");

		assertThat(Supervisor.restartArguments("7", Supervisor.springSettings(command))).containsExactly("restart", "7",
				"--trawl.analysis.chunk-size=100", "--trawl.analysis.isolate-native-code=false", "--a.b=x=y");
		assertThat(Supervisor.springSettings(List.of("restart", "--trawl.a.b=1"))).containsExactly("--trawl.a.b=1");
	}

	@Test
	void theOomCountIsTheOomKillLineOfVmstat() throws Exception {
		assertThat(Supervisor.oomKills(counter)).hasValue(3);
		assertThat(Supervisor.oomKills(Path.of("/proc/vmstat"))).isPresent();
		assertThat(Supervisor.oomKills(Files.writeString(dir.resolve("other"), "pgfault 1\n"))).isEmpty();
		assertThat(Supervisor.oomKills(dir.resolve("absent"))).isEmpty();
	}

	@Test
	void aJobJvmsPropertyIsItsLastDashDOption() {
		List<String> java = List.of("java", "-Dtrawl.data-dir=/first", "-Xmx1g", "-Dtrawl.data-dir=/second",
				"-Dtrawl.data-dir.other=/x", "-jar", "t.jar");

		assertThat(Supervisor.property(java, "trawl.data-dir")).isEqualTo("/second");
		assertThat(Supervisor.property(java, "spring.datasource.url")).isNull();
		assertThat(Supervisor.property(List.of("java", "-Dtrawl.data-dir=", "-jar", "t.jar"), "trawl.data-dir"))
			.isEmpty();
	}

	@Test
	void theCrashLogIsWhereErrorFileSays() {
		Supervisor supervisor = new Supervisor(List.of("java", "-XX:ErrorFile=/d/hs_err_pid%p.log", "-jar", "t.jar"),
				env, System.err);
		Supervisor byDefault = new Supervisor(List.of("java", "-jar", "t.jar"), env, System.err);

		assertThat(supervisor.crashLog(4242)).isEqualTo(Path.of("/d/hs_err_pid4242.log"));
		assertThat(byDefault.crashLog(4242)).isEqualTo(Path.of("hs_err_pid4242.log"));
	}

	@Test
	void aJvmThatCrashesIsRestartedWithItsSettingsAndTheJobCompletes() throws Exception {
		script("id 7 segv", "exit 0");

		int code = supervise("rescan", "--source", "/samples", "--trawl.analysis.chunk-size=100");

		assertThat(code).isZero();
		List<Long> pids = crashLogPids();
		assertThat(pids).as("the JVM's own crash log, from a real SIGSEGV").hasSize(1);
		assertThat(errLines()).containsExactly(
				"trawl: the JVM crashed (exit 134); its crash log: " + data.resolve("hs_err_pid" + pids.get(0) + ".log"),
				"trawl: restarting job execution 7 automatically (1 of at most 3, TRAWL_AUTO_RESTARTS)");
		assertThat(runs()).containsExactly("rescan --source /samples --trawl.analysis.chunk-size=100",
				"restart 7 --trawl.analysis.chunk-size=100");
		assertThat(data).isDirectoryNotContaining("glob:**/.execution-id.*");
	}

	@Test
	void restartsStopAtTheLimitWithTheLastJvmsExitCode() throws Exception {
		env.put("TRAWL_AUTO_RESTARTS", "2");
		script("id 7 abort", "id 8 hserr exit 1", "id 8 abort", "exit 0");

		int code = supervise("demo", "--trawl.x.y=z");

		assertThat(code).isEqualTo(134);
		List<String> lines = errLines();
		String crashed = "trawl: the JVM crashed (exit %d); its crash log: " + data.resolve("hs_err_pid");
		assertThat(lines).hasSize(6);
		assertThat(lines.get(0)).startsWith(crashed.formatted(134));
		assertThat(lines.get(1)).isEqualTo("trawl: restarting job execution 7 automatically (1 of at most 2, "
				+ "TRAWL_AUTO_RESTARTS)");
		assertThat(lines.get(2)).as("a crash log with exit 1 is a crash").startsWith(crashed.formatted(1));
		assertThat(lines.get(3)).isEqualTo("trawl: restarting job execution 8 automatically (2 of at most 2, "
				+ "TRAWL_AUTO_RESTARTS)");
		assertThat(lines.get(4)).startsWith(crashed.formatted(134));
		assertThat(lines.get(5)).isEqualTo("trawl: gave up after 2 automatic restarts (TRAWL_AUTO_RESTARTS=2); "
				+ "restart it with: ./trawl restart 8");
		assertThat(runs()).containsExactly("demo --trawl.x.y=z", "restart 7 --trawl.x.y=z", "restart 8 --trawl.x.y=z");
	}

	@Test
	void noRestartsWhenTurnedOff() throws Exception {
		env.put("TRAWL_AUTO_RESTARTS", "0");
		script("id 5 abort", "exit 0");

		assertThat(supervise("rescan", "--source", "/samples")).isEqualTo(134);
		assertThat(errLines()).last().isEqualTo("trawl: gave up after 0 automatic restarts (TRAWL_AUTO_RESTARTS=0); "
				+ "restart it with: ./trawl restart 5");
		assertThat(runs()).hasSize(1);
	}

	@Test
	void aCrashBeforeTheJobStartedIsNotRestarted() throws Exception {
		script("abort", "exit 0");

		assertThat(supervise("rescan", "--source", "/samples")).isEqualTo(134);
		assertThat(errLines()).endsWith("trawl: it crashed before its job started; not restarting");
		assertThat(runs()).hasSize(1);
	}

	@Test
	void anOomKillIsRecordedAndRestartedAndAKillBySomeoneIsNeither() throws Exception {
		script("id 9 oom", "exit 0", "id 9 kill", "exit 0");

		int oomKilled = supervise("restart", "9");
		List<String> oomLines = errLines();
		err.reset();
		int killed = supervise("restart", "9");

		assertThat(oomKilled).isZero();
		assertThat(oomLines).containsExactly(Supervisor.oomKillMessage(137),
				"trawl: restarting job execution 9 automatically (1 of at most 3, TRAWL_AUTO_RESTARTS)");
		assertThat(oomLines.get(0)).isEqualTo("trawl: the kernel's OOM killer stopped the JVM (exit 137; oom_kill in "
				+ "/proc/vmstat went up): the machine ran out of memory. A smaller heap (TRAWL_JAVA_OPTS=-Xmx...) or "
				+ "fewer partitions at once (TRAWL_THREADS) leave more room");
		List<Path> records;
		try (var files = Files.list(data)) {
			records = files.filter(file -> file.getFileName().toString().startsWith("oom_kill_pid")).toList();
		}
		assertThat(records).singleElement().satisfies(record -> {
			String pid = record.getFileName().toString().replaceAll("\\D", "");
			assertThat(Files.readString(record)).matches("the kernel's OOM killer stopped JVM " + pid
					+ " \\(exit 137\\) at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n");
		});
		assertThat(killed).isEqualTo(137);
		assertThat(errLines()).isEmpty();
		assertThat(runs()).containsExactly("restart 9", "restart 9", "restart 9");
	}

	@Test
	void aJobThatFailsOrCompletesEndsWithItsExitCode() throws Exception {
		script("id 4 exit 1", "exit 2");

		assertThat(supervise("rescan", "--source", "/samples")).isEqualTo(1);
		assertThat(supervise("rescan", "--source", "/samples")).isEqualTo(2);
		assertThat(errLines()).isEmpty();
		assertThat(runs()).hasSize(2);
	}

	@Test
	void ctrlCStopsTheJobWithSigtermAndExits130WithoutARestart() throws Exception {
		script("id 3 hold", "exit 0");

		assertThat(superviseInItsOwnJvm("INT")).isEqualTo(130);
		assertThat(dir.resolve("script.stopped")).as("the job's shutdown hooks ran").exists();
		assertThat(runs()).containsExactly("rescan --source /samples --trawl.a.b=c");
	}

	@Test
	void theJobJvmIsTheCommandTheLauncherHandedOverWithItsOwnOptions() throws Exception {
		script("id 3 hold", "exit 0");
		env.put(Supervisor.JOB_JAVA, String.join("\n", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Dtrawl.test.handed=yes", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath(),
				ScriptedJob.class.getName()));

		int code = superviseInItsOwnJvm("TERM", (supervisor, child) -> {
			assertThat(child.info().arguments().map(List::of).orElseThrow()).as("the handed options")
				.contains("-Dtrawl.test.handed=yes")
				.endsWith(ScriptedJob.class.getName(), "rescan", "--source", "/samples", "--trawl.a.b=c");
			assertThat(supervisor.info().arguments().map(List::of).orElseThrow()).as("the supervisor's own")
				.doesNotContain("-Dtrawl.test.handed=yes");
			assertThat(Path.of("/proc/" + child.pid() + "/environ")).content(StandardCharsets.ISO_8859_1)
				.as("no command for a JVM the job would start").doesNotContain(Supervisor.JOB_JAVA + "=")
				.contains(Supervisor.SUPERVISOR_PID + "=" + supervisor.pid());
		});

		assertThat(code).isEqualTo(143);
		assertThat(runs()).containsExactly("rescan --source /samples --trawl.a.b=c");
	}

	@Test
	void aHandedCommandIsOneArgumentALineWithAnExecutableAndAMain() {
		assertThat(Supervisor.handedJavaCommand("/j/bin/java\n-Xmx1g\n-jar\n/a b/trawl.jar"))
			.containsExactly("/j/bin/java", "-Xmx1g", "-jar", "/a b/trawl.jar");
		assertThat(Supervisor.handedJavaCommand(null)).isNull();
		assertThat(Supervisor.handedJavaCommand(" ")).isNull();
		assertThat(Supervisor.handedJavaCommand("/j/bin/java")).as("no jar or main class").isNull();
		assertThat(Supervisor.handedJavaCommand("/j/bin/java\n\n-jar")).as("an empty line").isNull();
	}

	@Test
	void sigtermStopsTheJobAndExits143WithoutARestart() throws Exception {
		script("id 3 hold", "exit 0");

		assertThat(superviseInItsOwnJvm("TERM")).isEqualTo(143);
		assertThat(dir.resolve("script.stopped")).exists();
		assertThat(runs()).hasSize(1);
	}

	/** The supervisor in this JVM, running {@link ScriptedJob} JVMs. */
	private int supervise(String... command) {
		env.put("SCRIPTED_JOB", script.toString());
		List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:ErrorFile=" + data.resolve("hs_err_pid%p.log"), "-Xshare:auto",
				"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath(), ScriptedJob.class.getName()));
		// the children get this environment: the script's path and the counter
		return new Supervisor(java, env, new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(command));
	}

	/**
	 * {@link ScriptedJob} started as {@code ./trawl} would start TrawlCli (TRAWL_SUPERVISE): it supervises a child
	 * of its own command line. Once the child holds, the supervisor (only) gets {@code signal}; its exit code.
	 */
	private int superviseInItsOwnJvm(String signal) throws Exception {
		return superviseInItsOwnJvm(signal, (supervisor, child) -> {
			// nothing more to check while it holds
		});
	}

	private int superviseInItsOwnJvm(String signal, BiConsumer<ProcessHandle, ProcessHandle> whileHeld)
			throws Exception {
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath(), ScriptedJob.class.getName(),
				"rescan", "--source", "/samples", "--trawl.a.b=c")
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("supervisor.out").toFile());
		builder.environment().putAll(env);
		builder.environment().put("SCRIPTED_JOB", script.toString());
		builder.environment().put(Supervisor.ASK, "1");
		Process supervisor = builder.start();
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
		while (!Files.exists(dir.resolve("script.held"))) {
			assertThat(supervisor.isAlive()).as(Files.readString(dir.resolve("supervisor.out"))).isTrue();
			assertThat(System.nanoTime()).as("held within a minute").isLessThan(deadline);
			Thread.sleep(20);
		}
		assertThat(supervisor.children().toList()).as("one child JVM").singleElement()
			.satisfies(child -> assertThat(child.info().command().orElse("")).endsWith("/java"))
			.satisfies(child -> whileHeld.accept(supervisor.toHandle(), child));
		new ProcessBuilder("kill", "-" + signal, Long.toString(supervisor.pid())).start().waitFor();
		assertThat(supervisor.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(Files.readString(dir.resolve("supervisor.out"))).doesNotContain("restarting", "crashed");
		return supervisor.exitValue();
	}

	private void script(String... runs) throws Exception {
		Files.write(script, List.of(runs));
	}

	private List<String> runs() throws Exception {
		return Files.readAllLines(Path.of(script + ".runs"));
	}

	private List<String> errLines() {
		return err.toString(StandardCharsets.UTF_8).lines().toList();
	}

	private List<Long> crashLogPids() throws Exception {
		try (var files = Files.list(data)) {
			return files.map(file -> file.getFileName().toString())
				.filter(name -> name.matches("hs_err_pid\\d+\\.log"))
				.map(name -> Long.parseLong(name.replaceAll("\\D", "")))
				.toList();
		}
	}

	/** This module's classes and test classes, where Supervisor and ScriptedJob are. */
	private static String classPath() {
		try {
			return Path.of(Supervisor.class.getProtectionDomain().getCodeSource().getLocation().toURI()) + ":"
					+ Path.of(ScriptedJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
