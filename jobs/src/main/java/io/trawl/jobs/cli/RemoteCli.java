package io.trawl.jobs.cli;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.cli.ServiceClient.ServiceException;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;

/**
 * The commands that, with {@code TRAWL_URL} set, ask that service instead of the local database: {@code status},
 * {@code results}, {@code stop} and {@code api-key}. Their stdout is the local commands' own.
 */
final class RemoteCli {

	static final Set<String> COMMANDS = Set.of("status", "results", "stop", "api-key");

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
	 * Streams the job's results, one line per sample as it arrives, never the whole job in memory: from
	 * {@code /results.jsonl} (each line as the service stored it, as the local command prints it), or from the
	 * {@code /results} list on a service that has no such route.
	 */
	private int results(Arguments arguments) {
		long job = Long.parseLong(arguments.required("--job"));
		String format = arguments.option("--format").orElse("jsonl");
		if (!format.equals("jsonl") && !format.equals("table")) {
			throw new IllegalArgumentException("--format is jsonl or table, not " + format);
		}
		PrintWriter writer = new PrintWriter(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
				1 << 16));
		List<JsonNode> rows = new ArrayList<>();
		InputStream lines = null;
		try {
			lines = service.getStream("/api/jobs/" + job + "/results.jsonl");
		}
		catch (ServiceException e) {
			if (e.status() != 404) {
				throw e;
			}
		}
		if (lines != null) {
			try (BufferedReader reader = new BufferedReader(new InputStreamReader(lines, StandardCharsets.UTF_8))) {
				for (String line = reader.readLine(); line != null; line = reader.readLine()) {
					if (line.isBlank()) {
						continue;
					}
					if (format.equals("jsonl")) {
						writer.println(line);
					}
					else {
						rows.add(json.readTree(line));
					}
				}
			}
			catch (IOException e) {
				throw new ServiceException("The answer from " + service.base() + " was cut off: " + e.getMessage()
						+ ".");
			}
		}
		else {
			each(job(job, () -> service.getStream("/api/jobs/" + job + "/results")), row -> {
				if (format.equals("jsonl")) {
					writer.println(json.writeValueAsString(row));
				}
				else {
					rows.add(row);
				}
			});
		}
		if (format.equals("table")) {
			writer.println(StatusText.results(rows));
		}
		writer.flush();
		return 0;
	}

	/** Each object of a JSON array (or of the first array in an object), read one at a time. */
	private void each(InputStream body, Consumer<JsonNode> row) {
		ObjectReader reader = json.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
		try (body; JsonParser parser = json.createParser(body)) {
			JsonToken token = parser.nextToken();
			if (token == JsonToken.START_OBJECT) {
				while ((token = parser.nextToken()) != null && token != JsonToken.START_ARRAY) {
					if (token == JsonToken.START_OBJECT) {
						parser.skipChildren();
					}
				}
			}
			if (token != JsonToken.START_ARRAY) {
				throw new ServiceException("The service's answer holds no list of results.");
			}
			while (parser.nextToken() == JsonToken.START_OBJECT) {
				row.accept(reader.readValue(parser));
			}
		}
		catch (IOException e) {
			throw new ServiceException("The answer from " + service.base() + " was cut off: " + e.getMessage() + ".");
		}
		catch (JacksonException e) {
			throw new ServiceException("The answer from " + service.base() + " is not the JSON expected: "
					+ e.getOriginalMessage() + ".");
		}
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
				throw new JobStatusService.UnknownJobException(id);
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
