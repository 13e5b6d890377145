package io.trawl.jobs.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.Predicate;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.jobs.problem.UnknownJobException;
import io.trawl.jobs.containment.NativeHostPrestart;
import io.trawl.jobs.containment.Supervisor;
import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.local.LocalStore;
import io.trawl.jobs.local.PrivateDataDir;
import io.trawl.jobs.local.StoreListener;
import io.trawl.jobs.project.ProjectRebuild;
import io.trawl.jobs.rescan.ProgressMeter;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.SampleChange;

/**
 * {@code ./trawl}: the command line. Each command prints its answer on stdout (a rescan's last line is a JSON
 * summary), progress and warnings on stderr, and exits 0 on success, 1 when a job did not complete, 2 on a usage or
 * input error.
 */
public final class TrawlCli {

	static final String USAGE = """
			usage: trawl <command> [options]   (trawl <command> --help lists a command's options)
			  rescan --source DIR [--rules PATH] [--request-id ID]   rescan a folder to completion, redoing only what
			         [--full]                                         changed since its last rescan (--full: everything)
			  status [JOB_EXECUTION_ID] [--json]                      list jobs, or show one
			  results --job JOB_EXECUTION_ID [--format jsonl|table]   one line per sample of a job
			  diff BASE_JOB_ID JOB_ID [--format jsonl|table]          the samples new, gone or changed since BASE
			  rules [--json]                                          each YARA rule's hits, first and last job
			  restart JOB_EXECUTION_ID                                restart a failed, stopped or killed job
			  stop JOB_EXECUTION_ID                                   stop a running job; restart resumes it
			  project --rebuild                                       rebuild every query table from the events
			  serve [--role manager]                                  run the service and its REST API (manager: of a cluster)
			  worker                                                  run a cluster worker: analyse partitions from SQS
			  demo [--nights N]                                       rescan a generated harmless corpus (N nights)
			  aws-local                                               run S3, SQS and DynamoDB emulators (docs/aws-local.md)
			  api-key create --role viewer|operator|admin --name NAME  create an API key; the key is the last line
			  api-key list [--json] | api-key revoke NAME             list API keys (never the keys) or revoke one
			With TRAWL_URL set, status, results, diff, rules, stop and api-key ask that service, with the key in TRAWL_API_KEY
			(or else the local data/admin.key).
			""";

	private final JsonMapper json = JsonMapper.builder().build();
	private final PrintStream out;
	private final PrintStream err;
	private final Map<String, String> env;

	TrawlCli(PrintStream out, PrintStream err) {
		this(out, err, System.getenv());
	}

	TrawlCli(PrintStream out, PrintStream err, Map<String, String> env) {
		this.out = out;
		this.err = err;
		this.env = env;
	}

	public static void main(String[] args) {
		// first, before any Spring class loads: a job command under ./trawl goes to the process that holds its store, if
		// one does (a running serve; the job runs there), or else runs in a child JVM this one supervises
		if (Supervisor.asked(args)) {
			Integer sent = LocalStore.forwardToHolder(args, Supervisor.jobProperties(args), System::getenv, System.out,
					System.err);
			if (sent != null) {
				System.exit(sent);
			}
		}
		Supervisor.superviseIfAsked(args);
		int code = new TrawlCli(System.out, System.err).run(args);
		if (code >= 0) {
			System.exit(code);
		}
	}

	/** Runs a command; returns the exit code, or -1 when the command keeps running (serve). */
	int run(String[] args) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
			out.print(USAGE);
			return args.length == 0 ? 2 : 0;
		}
		Arguments arguments = parse(args);
		Integer ended = endedByArguments(arguments);
		if (ended != null) {
			return ended;
		}
		Integer remote = RemoteCli.handle(arguments, env, out, err); // TRAWL_URL set: ask that service
		if (remote != null) {
			return remote;
		}
		if (arguments.command().equals("worker")) {
			return worker(arguments, args);
		}
		if (arguments.command().equals("serve")) {
			try {
				ServiceRoles.serveRole(arguments);
			}
			catch (IllegalArgumentException e) {
				err.println("trawl: " + e.getMessage());
				return 2;
			}
		}
		// the embedded store: run here and answer other commands over data/trawl.sock, or send this one there
		LocalStore.Claim claim = LocalStore.claim(args, out, err);
		if (claim.exitCode() != null) {
			return claim.exitCode();
		}
		StoreListener holder = claim.listener();
		if (arguments.command().equals("aws-local")) {
			// the emulators are development tools (devtools/), which the production jar does not contain
			err.println("trawl: aws-local runs the development tools' own jar, not trawl.jar; start it with"
					+ " ./trawl aws-local (docs/aws-local.md).");
			return 2;
		}
		if (arguments.command().equals("serve")) {
			String role = ServiceRoles.serveRole(arguments); // checked before the store was claimed
			ConfigurableApplicationContext context = new SpringApplicationBuilder(TrawlApplication.class)
				.web(WebApplicationType.SERVLET)
				.properties(ServiceRoles.defaults(env, false))
				.run(ServiceRoles.springArguments(arguments, role, env));
			answerForwarded(context, holder);
			return -1;
		}
		// the context closes first (waiting for forwarded commands), then the holder releases the store
		try (holder; ConfigurableApplicationContext context = new SpringApplicationBuilder(TrawlApplication.class)
			.web(WebApplicationType.NONE)
			.lazyInitialization(true) // a one-shot command starts only the beans it uses
			.logStartupInfo(false)
			.listeners(analyses(arguments) ? new NativeHostPrestart() : event -> {
				// other commands analyse nothing
			})
			.run(arguments.springArguments())) {
			answerForwarded(context, holder);
			return execute(context, arguments);
		}
		catch (Exception e) {
			err.println("trawl: " + userMessage(e));
			return 2;
		}
	}

	/**
	 * {@code trawl worker}: a service without a web server, a launch listener or a schedule, that only executes the
	 * partitions managers send (docs/remote-partitioning.md); it runs until stopped. It needs the cluster's shared job
	 * repository, never the embedded H2 file.
	 */
	private int worker(Arguments arguments, String[] args) {
		if (LocalStore.embeddedStore(args)) {
			err.println("trawl: a worker needs the cluster's shared job repository: set SPRING_DATASOURCE_URL (and "
					+ "_USERNAME, _PASSWORD) to its PostgreSQL database, as for the manager.");
			return 2;
		}
		try {
			new SpringApplicationBuilder(TrawlApplication.class)
				.web(WebApplicationType.NONE)
				.properties(ServiceRoles.defaults(env, true))
				.listeners(new NativeHostPrestart())
				.run(ServiceRoles.springArguments(arguments, "worker", env));
			return -1; // the partition listener's threads keep the JVM; SIGTERM closes the context
		}
		catch (Exception e) {
			err.println("trawl: " + userMessage(e));
			return 2;
		}
	}

	/** Whether the command runs a job that analyses samples, so that its native hosts start with the JVM. */
	private static boolean analyses(Arguments arguments) {
		return Supervisor.JOB_COMMANDS.contains(arguments.command()) && !arguments.command().equals("project");
	}

	/** The command's arguments, or null after one sentence and the command's usage on stderr. */
	private Arguments parse(String[] args) {
		try {
			return Arguments.parse(args);
		}
		catch (Arguments.UsageException e) {
			err.println("trawl: " + e.getMessage());
			err.print(e.usage());
		}
		catch (IllegalArgumentException e) {
			err.println("trawl: " + e.getMessage());
		}
		return null;
	}

	private int execute(ConfigurableApplicationContext context, Arguments arguments) throws Exception {
		return switch (arguments.command()) {
			case "rescan" -> rescan(context, arguments);
			case "demo" -> demo(context, arguments);
			case "status" -> status(context, arguments);
			case "results" -> results(context, arguments);
			case "diff" -> diff(context.getBean(JobStatusService.class), arguments);
			case "rules" -> RulesCommand.print(context.getBean(JobStatusService.class).rules(), arguments.flag("--json"),
					out);
			case "restart" -> restart(context, arguments);
			case "project" -> rebuild(context, () -> context.getBean(ProjectRebuild.class).run("cli"));
			case "stop" -> stop(context, arguments);
			case "api-key" -> new ApiKeyCommand(context.getBean(io.trawl.jobs.security.ApiKeys.class), out,
					ApiKeyCommand.localPrincipal()).run(arguments);
			default -> {
				err.println("trawl: unknown command " + arguments.command());
				err.print(USAGE);
				yield 2;
			}
		};
	}

	/** The holder runs other processes' commands with its own context, which closes only after they finish. */
	private static void answerForwarded(ConfigurableApplicationContext context, StoreListener holder) {
		String dataDir = context.getEnvironment().getProperty("trawl.data-dir");
		PrivateDataDir.tighten(Path.of(dataDir)); // the H2 files, if the umask let them be readable
		if (holder == null) {
			return;
		}
		// a class, not a lambda: Spring reads the event type from it, where a lambda would be handed every event (each
		// web request's among them) and fail its cast, an exception a request
		context.addApplicationListener(new ApplicationListener<ContextClosedEvent>() {
			@Override
			public void onApplicationEvent(ContextClosedEvent closing) {
				holder.stopAnswering();
				PrivateDataDir.tighten(Path.of(dataDir));
			}
		});
		holder.serve((forwarded, out, err) -> new TrawlCli(out, err).runForwarded(context, forwarded), System.err);
	}

	/** The exit code when the arguments end the command before it runs: 2 when they did not parse, 0 after --help. */
	private Integer endedByArguments(Arguments arguments) {
		if (arguments == null) {
			return 2;
		}
		if (arguments.help() != null) {
			out.print(arguments.help());
			return 0;
		}
		return null;
	}

	private int runForwarded(ConfigurableApplicationContext context, String[] args) {
		try {
			Arguments arguments = parse(args);
			Integer ended = endedByArguments(arguments);
			if (ended != null) {
				return ended;
			}
			if (arguments.springArguments().length > 0) {
				err.println("trawl: ignored " + String.join(" ", arguments.springArguments()) + ": this command ran "
						+ "in the process that holds the store, with its settings");
			}
			return execute(context, arguments);
		}
		catch (Exception e) {
			err.println("trawl: " + userMessage(e));
			return 2;
		}
	}

	private int rescan(ConfigurableApplicationContext context, Arguments arguments) throws Exception {
		String source = arguments.required("--source");
		String requestId = arguments.option("--request-id").orElse("cli-" + UUID.randomUUID());
		return runJob(context, () -> context.getBean(RescanLauncher.class)
			.run(new RescanLauncher.Request(source, arguments.option("--rules").orElse(null), requestId, null,
					RescanLauncher.Origin.CLI, null, arguments.flag("--full"))));
	}

	private int demo(ConfigurableApplicationContext context, Arguments arguments) throws Exception {
		Path dir = Path.of(arguments.option("--dir").orElse(context.getEnvironment().getProperty("trawl.data-dir")
				+ "/demo-corpus"));
		int nights = DemoNights.count(arguments.option("--nights").orElse("1"));
		int files = DemoCorpus.writeTo(dir);
		err.println("Wrote a harmless demo corpus of " + files + " files to " + dir);
		String rules = null; // the default rules
		int code = 0;
		for (int night = 1; night <= nights && code == 0; night++) {
			if (nights > 1) {
				err.println("\nNight " + night + " of " + nights + ": " + DemoNights.describe(night));
			}
			if (night == 2) {
				var environment = context.getEnvironment();
				rules = DemoNights.withAddedRule(Path.of(environment.getProperty("trawl.rules")),
						Path.of(environment.getProperty("trawl.data-dir"), "demo-rules")).toString();
			}
			String nightRules = rules;
			JobExecution[] ran = new JobExecution[1];
			code = runJob(context, () -> ran[0] = context.getBean(RescanLauncher.class)
				.run(new RescanLauncher.Request(dir.toString(), nightRules, "demo-" + UUID.randomUUID(), null)));
			boolean last = night == nights;
			context.getBean(JobStatusService.class).get(ran[0].getId())
				.ifPresent(job -> err.print(DemoSummary.of(job, context.getEnvironment(), last)));
		}
		return code;
	}

	private int restart(ConfigurableApplicationContext context, Arguments arguments) throws Exception {
		long id = arguments.positionalLong(0, "restart needs a JOB_EXECUTION_ID");
		JobCall restart = () -> context.getBean(RescanLauncher.class).restart(id);
		boolean rebuild = context.getBean(JobStatusService.class).execution(id).map(ProjectRebuild::isRebuild)
			.orElse(false);
		return rebuild ? rebuild(context, restart) : runJob(context, restart);
	}

	/**
	 * Runs or restarts a rebuild of the query tables: jobs projected of all on stderr, and a last stdout line with
	 * what it projected, its earlier runs included.
	 */
	private int rebuild(ConfigurableApplicationContext context, JobCall call) throws Exception {
		Ran ran = runWithProgress(context, "jobs", call);
		JobExecution execution = ran.execution();
		ObjectNode summary = json.valueToTree(context.getBean(ProjectRebuild.class).report(execution));
		summary.put("seconds", Math.round(ran.seconds() * 100) / 100.0);
		out.println(json.writeValueAsString(summary));
		return execution.getStatus() == BatchStatus.COMPLETED ? 0 : 1;
	}

	/** A job run to its end, and how long that took. */
	private record Ran(JobExecution execution, double seconds) {
	}

	/**
	 * Runs the job with a progress bar counting {@code unit} on stderr; when it did not complete, says why and how to
	 * resume it.
	 */
	private Ran runWithProgress(ConfigurableApplicationContext context, String unit, JobCall call) throws Exception {
		long started = System.nanoTime();
		ProgressMeter meter = context.getBean(ProgressMeter.class);
		// a job this process already runs (serve, or the holder of a forwarded command) is not this command's
		ProgressMeter.Progress earlier = meter.latest();
		JobExecution execution;
		Supplier<ProgressMeter.Progress> ours = () -> {
			ProgressMeter.Progress latest = meter.latest();
			return latest == earlier ? null : latest;
		};
		try (ProgressBar ignored = new ProgressBar(ours, unit, err)) {
			execution = call.run();
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		if (execution.getStatus() != BatchStatus.COMPLETED) {
			execution.getAllFailureExceptions()
				.forEach(e -> err.println("trawl: job execution " + execution.getId() + " failed: " + userMessage(e)));
			err.println("trawl: restart it with: ./trawl restart " + execution.getId());
		}
		return new Ran(execution, seconds);
	}

	private int stop(ConfigurableApplicationContext context, Arguments arguments) throws Exception {
		long id = arguments.positionalLong(0, "stop needs a JOB_EXECUTION_ID");
		context.getBean(RescanLauncher.class).stop(id, "cli");
		out.println("Job execution " + id + " is stopping; it ends STOPPED after its current chunks. Resume it with: "
				+ "./trawl restart " + id);
		return 0;
	}

	private int runJob(ConfigurableApplicationContext context, JobCall call) throws Exception {
		Ran ran = runWithProgress(context, "samples", call);
		JobExecution execution = ran.execution();
		double seconds = ran.seconds();
		JobStatus status = context.getBean(JobStatusService.class).get(execution.getId()).orElseThrow();
		var progress = context.getBean(ProgressMeter.class).latest();
		double megabytes = progress == null ? 0 : progress.doneBytes.get() / 1e6;
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("jobExecutionId", status.jobExecutionId());
		summary.put("jobInstanceId", status.jobInstanceId());
		summary.put("status", status.status());
		summary.put("samples", status.samples());
		summary.put("files", status.files());
		summary.put("resultEvents", status.resultEvents());
		summary.put("errors", status.errors());
		summary.put("verdicts", status.verdicts());
		summary.put("ruleHits", status.ruleHits());
		summary.put("source", status.source());
		summary.put("rules", status.rules());
		summary.put("diff", status.diff());
		summary.put("seconds", Math.round(seconds * 100) / 100.0);
		summary.put("megabytes", Math.round(megabytes * 100) / 100.0);
		summary.put("mbPerSecond", seconds > 0 ? Math.round(megabytes / seconds * 100) / 100.0 : 0);
		out.println(json.writeValueAsString(summary));
		return execution.getStatus() == BatchStatus.COMPLETED ? 0 : 1;
	}

	private int status(ConfigurableApplicationContext context, Arguments arguments) {
		JobStatusService service = context.getBean(JobStatusService.class);
		boolean asJson = arguments.flag("--json");
		if (!arguments.positionals().isEmpty()) {
			long id = arguments.positionalLong(0, "status takes a JOB_EXECUTION_ID");
			JobStatus status = service.get(id).orElseThrow(() -> new UnknownJobException(id));
			out.println(asJson ? json.writeValueAsString(status) : StatusText.describe(status));
			return 0;
		}
		List<JobStatus> jobs = service.list(Integer.parseInt(arguments.option("--limit").orElse("50")));
		out.println(asJson ? json.writeValueAsString(jobs) : StatusText.table(jobs));
		return 0;
	}

	private int results(ConfigurableApplicationContext context, Arguments arguments) {
		long job = arguments.requiredJob("--job");
		boolean table = arguments.tableFormat();
		PrintWriter writer = StatusText.resultsWriter(out, table);
		// one row at a time, as the query tables stream them: a job of millions never sits in memory
		context.getBean(JobStatusService.class).results(job, view -> writer.println(table
				? StatusText.resultRow(json.readTree(view.document())) : view.document()));
		writer.flush();
		return 0;
	}

	private int diff(JobStatusService service, Arguments arguments) {
		long base = DiffCommand.base(arguments);
		long job = DiffCommand.job(arguments);
		return DiffCommand.print(new DiffCommand.Diff() {
			@Override
			public DiffCounts counts() {
				return service.diffCounts(base, job);
			}

			@Override
			public void changes(Predicate<SampleChange> action) {
				service.changes(base, job, null, action);
			}
		}, arguments.tableFormat(), out);
	}

	static String userMessage(Throwable e) {
		String inUse = LocalStore.inUse(e, System.getenv().getOrDefault("TRAWL_DATA_DIR", "./data"));
		if (inUse != null) {
			return inUse;
		}
		var caller = io.trawl.jobs.problem.ClientErrors.message(e);
		if (caller.isPresent()) {
			return caller.get();
		}
		Throwable cause = e;
		while (cause.getCause() != null && cause.getCause() != cause
				&& !(cause instanceof IllegalArgumentException || cause instanceof IllegalStateException)) {
			cause = cause.getCause();
		}
		return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
	}

	@FunctionalInterface
	private interface JobCall {
		JobExecution run() throws Exception;
	}
}
