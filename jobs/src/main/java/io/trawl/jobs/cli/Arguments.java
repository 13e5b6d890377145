package io.trawl.jobs.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command as picocli read it: its {@code --name value} options, {@code --flag}s and positionals, or the usage text
 * its {@code --help} asked for; {@code --x.y=z} arguments (a dot in the name) pass through to Spring.
 */
record Arguments(String command, Map<String, String> options, Set<String> flags, List<String> positionals,
		String[] springArguments, String help) {

	static final Set<String> COMMANDS = Set.of("rescan", "demo", "status", "results", "diff", "rules", "restart",
			"stop", "serve", "worker", "aws-local", "api-key", "project");

	private static final List<String> API_KEY_ACTIONS = List.of("create", "list", "revoke");

	/** A mistake on the command line: one sentence, and the usage of the command it was made in. */
	static final class UsageException extends IllegalArgumentException {

		private final String usage;

		UsageException(String message, String usage) {
			super(message);
			this.usage = usage;
		}

		String usage() {
			return usage;
		}
	}

	static Arguments parse(String[] args) {
		String command = args[0];
		if (!COMMANDS.contains(command)) {
			throw new UsageException("unknown command " + command, TrawlCli.USAGE);
		}
		List<String> rest = new ArrayList<>();
		List<String> spring = new ArrayList<>();
		for (int i = 1; i < args.length; i++) {
			(isSpringArgument(args[i]) ? spring : rest).add(args[i]);
		}
		CommandLine line = commandLine(command);
		if (command.equals("api-key") && !rest.isEmpty() && !rest.get(0).startsWith("-")
				&& !API_KEY_ACTIONS.contains(rest.get(0))) {
			// the sentence ApiKeyCommand gives when the service is asked, too
			throw new IllegalArgumentException("api-key needs create, list or revoke, not '" + rest.get(0) + "'.");
		}
		ParseResult parsed = line.parseArgs(rest.toArray(String[]::new));
		List<Exception> errors = new ArrayList<>();
		for (ParseResult level = parsed; level != null; level = level.subcommand()) {
			errors.addAll(level.errors());
		}
		if (!errors.isEmpty()) {
			// the first mistake as typed; a required option left out comes last, as it may be a typo's victim
			Exception first = errors.stream().filter(error -> !absentOption(error, rest)).findFirst()
				.orElse(errors.get(0));
			CommandLine where = first instanceof ParameterException e && e.getCommandLine() != null
					? e.getCommandLine() : line;
			throw new UsageException(sentence(first, where, rest), usage(where));
		}
		Map<String, String> options = new HashMap<>();
		Set<String> flags = new HashSet<>();
		List<String> positionals = new ArrayList<>();
		for (ParseResult level = parsed; level != null; level = level.subcommand()) {
			if (level.isUsageHelpRequested() || level.isVersionHelpRequested()) {
				return new Arguments(command, options, flags, positionals, spring.toArray(String[]::new),
						level.isUsageHelpRequested() ? usage(level.commandSpec().commandLine()) : version());
			}
			if (level != parsed) {
				positionals.add(level.commandSpec().name()); // api-key's action, as ApiKeyCommand reads it
			}
			for (OptionSpec option : level.matchedOptions()) {
				if (option.arity().max() == 0) {
					flags.add(option.longestName());
				}
				else {
					options.put(option.longestName(), option.stringValues().get(option.stringValues().size() - 1));
				}
			}
			level.matchedPositionals().forEach(positional -> positionals.addAll(positional.stringValues()));
		}
		return new Arguments(command, options, flags, positionals, spring.toArray(String[]::new), null);
	}

	/** A Spring setting such as {@code --trawl.analysis.chunk-size=5}: no command option has a dot in its name. */
	static boolean isSpringArgument(String arg) {
		int equals = arg.indexOf('=');
		return arg.startsWith("--") && equals > 0 && arg.substring(0, equals).contains(".");
	}

	private static String sentence(Exception e, CommandLine where, List<String> args) {
		String command = where.getCommandSpec().qualifiedName().substring("trawl ".length());
		OptionSpec option = missingOption(e);
		if (option != null) {
			return absentOption(e, args) ? command + " needs " + option.longestName() + "."
					: command + ": " + option.longestName() + " needs a value.";
		}
		if (e instanceof MissingParameterException missing && !missing.getMissing().isEmpty()
				&& missing.getMissing().get(0) instanceof PositionalParamSpec positional) {
			return command + " needs a " + positional.paramLabel() + ".";
		}
		if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
			String first = unmatched.getUnmatched().get(0);
			return first.startsWith("-")
					? command + " has no option " + first + " (a Spring setting is written --name.with.dots=value)."
					: command + " does not take the argument '" + first + "'.";
		}
		return command + " cannot read its arguments; see ./trawl " + command + " --help.";
	}

	private static OptionSpec missingOption(Exception e) {
		return e instanceof MissingParameterException missing && !missing.getMissing().isEmpty()
				&& missing.getMissing().get(0) instanceof OptionSpec option ? option : null;
	}

	/** picocli says "missing" both for a required option left out and for an option given without its value. */
	private static boolean absentOption(Exception e, List<String> args) {
		OptionSpec option = missingOption(e);
		return option != null && args.stream()
			.noneMatch(arg -> arg.equals(option.longestName()) || arg.startsWith(option.longestName() + "="));
	}

	private static String usage(CommandLine line) {
		return line.getUsageMessage(Ansi.OFF);
	}

	private static CommandLine commandLine(String command) {
		CommandLine line = new CommandLine(switch (command) {
			case "rescan" -> spec(command, "Rescan a folder to completion; the last stdout line is a JSON summary.",
					required(value("--source", "DIR", "the folder (or s3:// prefix) to rescan")),
					value("--rules", "PATH", "the YARA rules to use instead of the default ones"),
					value("--request-id", "ID", "the job's request id; the same id resumes the same job"),
					flag("--full", "analyse every sample again, reusing nothing from the last rescan of the source"));
			case "demo" -> spec(command, "Rescan a generated harmless corpus.",
					value("--dir", "DIR", "where to write the corpus (default: the data folder's demo-corpus)"),
					value("--nights", "N", "rescan it N times as nightly rescans (default 1): the second night adds "
							+ "one rule, later ones change nothing, and each reuses what it can"));
			case "status" -> spec(command, "List jobs, or show one.",
					positional("JOB_EXECUTION_ID", "the job to show"), flag("--json", "print JSON"),
					value("--limit", "N", "list at most N jobs (default 50)"));
			case "results" -> spec(command, "Print one line per sample of a job.",
					required(value("--job", "JOB_EXECUTION_ID", "the job whose results to print")),
					value("--format", "jsonl|table", "jsonl (the default) or table"));
			case "diff" -> spec(command, "List the samples new, gone or changed (verdict or YARA hits) since a base "
					+ "job, after the counts.",
					required(positional("BASE_JOB_ID", "the base job's execution id")).toBuilder().index("0").build(),
					required(positional("JOB_ID", "the job's execution id")).toBuilder().index("1").build(),
					value("--format", "jsonl|table", "jsonl (the default) or table"));
			case "rules" -> spec(command, "Show each YARA rule's hits in the latest job, its first and last job, and "
					+ "whether it is noisy.", flag("--json", "print JSON"));
			case "restart" -> spec(command, "Restart a failed, stopped or killed job.",
					required(positional("JOB_EXECUTION_ID", "the job to restart")));
			case "stop" -> spec(command, "Stop a running job; restart resumes it.",
					required(positional("JOB_EXECUTION_ID", "the job to stop")));
			case "project" -> spec(command,
					"Rebuild every query table from the events; the last stdout line is a JSON summary.",
					required(flag("--rebuild", "empty the query tables and project every rescan job again")));
			case "serve" -> spec(command, "Run the service and its REST API.",
					value("--role", "all|manager", "manager: launch, schedule, send partitions to workers, project and "
							+ "serve the API (TRAWL_ROLE; default all)"));
			case "worker" -> spec(command, "Run a worker: execute the partitions that managers send over SQS, nothing "
					+ "else (no API, no launches).");
			case "aws-local" -> spec(command, "Run S3, SQS and DynamoDB emulators (docs/aws-local.md).");
			default -> spec(command, "Create, list or revoke API keys.");
		});
		if (command.equals("api-key")) {
			line.addSubcommand("create", new CommandLine(spec("create",
					"Create an API key; the key is alone on the last stdout line.",
					required(value("--role", "viewer|operator|admin", "what the key may do")),
					required(value("--name", "NAME", "the key's name")))));
			line.addSubcommand("list", new CommandLine(spec("list", "List API keys (never the keys themselves).",
					flag("--json", "print JSON"))));
			line.addSubcommand("revoke", new CommandLine(spec("revoke", "Revoke an API key.",
					required(positional("NAME", "the key's name")))));
		}
		return line;
	}

	private static CommandSpec spec(String name, String description, Object... arguments) {
		// a subcommand's qualified name is its parent's plus its own, so only top-level commands carry "trawl "
		CommandSpec spec = CommandSpec.create()
			.name(API_KEY_ACTIONS.contains(name) ? name : "trawl " + name)
			.mixinStandardHelpOptions(true);
		spec.usageMessage()
			.description(description)
			.footer("", "Spring settings pass through: --name.with.dots=value, e.g. --server.port=0.");
		// an unknown option is a mistake, never the value of the option before it; @file is a path, not an include
		spec.parser().unmatchedOptionsAllowedAsOptionParameters(false).overwrittenOptionsAllowed(true)
			.expandAtFiles(false).collectErrors(true);
		for (Object argument : arguments) {
			if (argument instanceof OptionSpec option) {
				spec.addOption(option);
			}
			else {
				spec.addPositional((PositionalParamSpec) argument);
			}
		}
		return spec;
	}

	private static OptionSpec value(String name, String label, String description) {
		return OptionSpec.builder(name).paramLabel(label).type(String.class).arity("1").description(description)
			.build();
	}

	private static OptionSpec required(OptionSpec option) {
		return option.toBuilder().required(true).build();
	}

	private static PositionalParamSpec required(PositionalParamSpec positional) {
		return positional.toBuilder().arity("1").required(true).build();
	}

	private static String version() {
		String version = Arguments.class.getPackage().getImplementationVersion();
		return version == null ? "trawl\n" : "trawl " + version + "\n";
	}

	private static OptionSpec flag(String name, String description) {
		return OptionSpec.builder(name).type(boolean.class).arity("0").description(description).build();
	}

	private static PositionalParamSpec positional(String label, String description) {
		return PositionalParamSpec.builder().paramLabel(label).type(String.class).arity("0..1")
			.description(description).build();
	}

	Optional<String> option(String name) {
		return Optional.ofNullable(options.get(name));
	}

	String required(String name) {
		return option(name).orElseThrow(() -> new IllegalArgumentException(command + " needs " + name));
	}

	/** A required option that names a job execution. */
	long requiredJob(String name) {
		String value = required(name);
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(name + " takes a job execution id (a number), not " + value);
		}
	}

	/** {@code --format}: true for {@code table}, false for {@code jsonl}, the default. */
	boolean tableFormat() {
		String format = option("--format").orElse("jsonl");
		if (!format.equals("jsonl") && !format.equals("table")) {
			throw new IllegalArgumentException("--format is jsonl or table, not " + format);
		}
		return format.equals("table");
	}

	boolean flag(String name) {
		return flags.contains(name);
	}

	long positionalLong(int index, String missing) {
		if (positionals.size() <= index) {
			throw new IllegalArgumentException(missing);
		}
		try {
			return Long.parseLong(positionals.get(index));
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(positionals.get(index) + " is not a job execution id (a number)");
		}
	}
}
