package io.trawl.jobs.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A command, its {@code --name value} options, {@code --flag}s and positionals; {@code --spring.x=y} passes through. */
record Arguments(String command, Map<String, String> options, Set<String> flags, List<String> positionals,
		String[] springArguments) {

	private static final Set<String> FLAGS = Set.of("--json");

	static Arguments parse(String[] args) {
		Map<String, String> options = new HashMap<>();
		Set<String> flags = new java.util.HashSet<>();
		List<String> positionals = new ArrayList<>();
		List<String> spring = new ArrayList<>();
		for (int i = 1; i < args.length; i++) {
			String arg = args[i];
			if (arg.startsWith("--") && arg.contains("=")) {
				spring.add(arg);
			}
			else if (FLAGS.contains(arg)) {
				flags.add(arg);
			}
			else if (arg.startsWith("--")) {
				if (i + 1 >= args.length) {
					throw new IllegalArgumentException(arg + " needs a value");
				}
				options.put(arg, args[++i]);
			}
			else {
				positionals.add(arg);
			}
		}
		return new Arguments(args[0], options, flags, positionals, spring.toArray(String[]::new));
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
