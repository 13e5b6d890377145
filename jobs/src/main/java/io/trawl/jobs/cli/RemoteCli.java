package io.trawl.jobs.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.problem.UnknownJobException;
import io.trawl.jobs.cli.ServiceClient.ServiceException;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.RuleReport;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.SampleChange;

/**
 * The commands that, with {@code TRAWL_URL} set, ask that service instead of the local database: {@code status},
 * {@code results}, {@code diff}, {@code rules}, {@code stop} and {@code api-key}. Their stdout is the local
 * commands' own.
 */
final class RemoteCli {

	static final Set<String> COMMANDS = Set.of("status", "results", "diff", "rules", "stop", "api-key");

	private final JsonMapper json = JsonMapper.builder().build();
	private final ServiceClient service;
	private final PrintStream out;

	RemoteCli(ServiceClient service, PrintStream out) {
		this.service = service;
		this.out = out;
	}

	/**
	 * Runs the command against the service when {@code TRAWL_URL} is set and the command is one of {@link #COMMANDS};
	 * returns its exit code, or null when the local command should run. A mistake is one sentence on stderr, exit 2.
	 */
	static Integer handle(Arguments arguments, Map<String, String> env, PrintStream out, PrintStream err) {
		if (!COMMANDS.contains(arguments.command())) {
			return null;
		}
		try {
			var service = ServiceClient.fromEnvironment(env);
			if (service.isPresent()) {
				return new RemoteCli(service.get(), out).run(arguments);
			}
			if (arguments.command().equals("api-key")) {
				ApiKeyCommand.check(arguments); // a typo costs no database
			}
			return null;
		}
		catch (RuntimeException e) {
			err.println("trawl: " + TrawlCli.userMessage(e));
			return 2;
		}
	}

	int run(Arguments arguments) {
		return switch (arguments.command()) {
			case "status" -> status(arguments);
			case "results" -> results(arguments);
			case "diff" -> diff(arguments);
			case "rules" -> RulesCommand.print(List.of(json.treeToValue(service.getJson("/api/rules"),
					RuleReport[].class)), arguments.flag("--json"), out);
			case "stop" -> stop(arguments);
			default -> new ApiKeyCommand(new HttpApiKeys(service), out, null).run(arguments);
		};
	}

	private int status(Arguments arguments) {
		boolean asJson = arguments.flag("--json");
		if (!arguments.positionals().isEmpty()) {
			long id = arguments.positionalLong(0, "status takes a JOB_EXECUTION_ID");
			JobStatus status = json.treeToValue(job(id, () -> service.getJson("/api/jobs/" + id)), JobStatus.class);
			out.println(asJson ? json.writeValueAsString(status) : StatusText.describe(status));
			return 0;
		}
		int limit = Integer.parseInt(arguments.option("--limit").orElse("50"));
		List<JobStatus> jobs = new ArrayList<>();
		items(service.getJson("/api/jobs?limit=" + limit)).forEach(node -> jobs.add(json.treeToValue(node,
				JobStatus.class)));
		out.println(asJson ? json.writeValueAsString(jobs) : StatusText.table(jobs));
		return 0;
	}

	/**
	 * Streams the job's results from {@code /results.jsonl}, one line per sample as it arrives (as the local command
	 * prints it), never the whole job in memory.
	 */
	private int results(Arguments arguments) {
		long job = arguments.requiredJob("--job");
		boolean table = arguments.tableFormat();
		PrintWriter writer = StatusText.resultsWriter(out, table);
		InputStream lines = job(job, () -> service.getStream("/api/jobs/" + job + "/results.jsonl"));
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(lines, StandardCharsets.UTF_8))) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (!line.isBlank()) {
					writer.println(table ? StatusText.resultRow(json.readTree(line)) : line);
				}
			}
		}
		catch (IOException e) {
			throw new ServiceException("The answer from " + service.base() + " was cut off: " + e.getMessage() + ".");
		}
		writer.flush();
		return 0;
	}

	/** The first page gives the counts; each page's {@code next} cursor asks for the one after it. */
	private int diff(Arguments arguments) {
		long base = DiffCommand.base(arguments);
		long job = DiffCommand.job(arguments);
		String path = "/api/jobs/" + job + "/diff?limit=1000&base=" + base;
		JsonNode first = service.getJson(path); // a 404's sentence names whichever of the two jobs is unknown
		return DiffCommand.print(new DiffCommand.Diff() {
			@Override
			public DiffCounts counts() {
				return json.treeToValue(first.get("counts"), DiffCounts.class);
			}

			@Override
			public void changes(Predicate<SampleChange> action) {
				for (JsonNode page = first;; page = service.getJson(path + "&after=" + page.get("next").asString())) {
					for (JsonNode change : page.path("changes")) {
						if (!action.test(json.treeToValue(change, SampleChange.class))) {
							return;
						}
					}
					if (!page.hasNonNull("next")) {
						return;
					}
				}
			}
		}, arguments.tableFormat(), out);
	}

	private int stop(Arguments arguments) {
		long id = arguments.positionalLong(0, "stop needs a JOB_EXECUTION_ID");
		JsonNode answer = service.postJson("/api/jobs/" + id + "/stop", Map.of());
		out.println(answer == null || answer.isNull() ? "Stopping job execution " + id + "."
				: json.writeValueAsString(answer));
		return 0;
	}

	/** A call about one job, whose 404 says what the local command says: there is no such job. */
	private static <T> T job(long id, java.util.function.Supplier<T> call) {
		try {
			return call.get();
		}
		catch (ServiceException e) {
			if (e.status() == 404) {
				throw new UnknownJobException(id);
			}
			throw e;
		}
	}

	/** A list answer: the array itself, or the first array in an object (a page of items). */
	private JsonNode items(JsonNode answer) {
		if (answer.isArray()) {
			return answer;
		}
		for (JsonNode value : answer.values()) {
			if (value.isArray()) {
				return value;
			}
		}
		return json.createArrayNode();
	}
}
