package io.trawl.terraform;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import io.trawl.terraform.TerraformConfig.Block;

/**
 * What terraform validate would catch first, without a terraform binary: references to undeclared variables,
 * locals, resources, data sources and module outputs, and module calls that pass unknown or miss required inputs.
 */
final class ReferencePolicies {

	/** A reference starts an expression term, not the middle of a word or file name ("user-data.sh"). */
	private static final String NOT_INSIDE_A_NAME = "(?<![\\w.\"/-])";

	private static final Pattern VARIABLE = Pattern.compile(NOT_INSIDE_A_NAME + "var\\.([A-Za-z_][A-Za-z0-9_-]*)");

	private static final Pattern LOCAL = Pattern.compile(NOT_INSIDE_A_NAME + "local\\.([A-Za-z_][A-Za-z0-9_-]*)");

	private static final Pattern MODULE_OUTPUT = Pattern.compile(NOT_INSIDE_A_NAME + "module\\.([A-Za-z_][A-Za-z0-9_-]*)\\.([A-Za-z_][A-Za-z0-9_-]*)");

	private static final Pattern DATA = Pattern.compile(NOT_INSIDE_A_NAME + "data\\.([a-z][a-z0-9_]*)\\.([A-Za-z_][A-Za-z0-9_-]*)");

	private static final Pattern RESOURCE = Pattern.compile(NOT_INSIDE_A_NAME + "(aws_[a-z0-9_]+)\\.([A-Za-z_][A-Za-z0-9_-]*)");

	/** Arguments every module call may have that are not module variables. */
	private static final Set<String> META_ARGUMENTS = Set.of("source", "version", "count", "for_each", "depends_on", "providers");

	private ReferencePolicies() {
	}

	static List<String> referencesResolve(TerraformConfig tf) {
		Set<String> violations = new LinkedHashSet<>();
		for (String module : tf.modules()) {
			Set<String> variables = tf.variables(module).keySet();
			Set<String> locals = tf.locals(module).keySet();
			Set<String> resources = declared(tf.allResources(), module);
			Set<String> data = declared(tf.allDataSources(), module);
			Map<String, Block> calls = new TreeMap<>();
			tf.moduleCalls().stream().filter(c -> c.module().equals(module)).forEach(c -> calls.put(c.name(), c));
			for (String file : tf.files()) {
				if (!TerraformConfig.moduleOf(file).equals(module)) {
					continue;
				}
				for (String expression : expressions(tf, file)) {
					check(VARIABLE, expression, violations, m -> variables.contains(m.group(1)) ? null
							: file + ": var." + m.group(1) + " is not a variable of " + name(module));
					check(LOCAL, expression, violations, m -> locals.contains(m.group(1)) ? null
							: file + ": local." + m.group(1) + " is not a local of " + name(module));
					check(DATA, expression, violations, m -> data.contains(m.group(1) + "." + m.group(2)) ? null
							: file + ": data." + m.group(1) + "." + m.group(2) + " is not declared in " + name(module));
					check(RESOURCE, expression, violations, m -> resources.contains(m.group(1) + "." + m.group(2)) ? null
							: file + ": " + m.group(1) + "." + m.group(2) + " is not declared in " + name(module));
					check(MODULE_OUTPUT, expression, violations, m -> {
						Block call = calls.get(m.group(1));
						if (call == null) {
							return file + ": module." + m.group(1) + " is not called from " + name(module);
						}
						String source = TerraformConfig.sourceOf(call);
						return source == null || tf.outputs(source).containsKey(m.group(2)) ? null
								: file + ": module." + m.group(1) + "." + m.group(2) + " is not an output of " + source;
					});
				}
			}
		}
		return new ArrayList<>(violations);
	}

	/** Each module call passes only variables its module declares, and every variable without a default. */
	static List<String> moduleCallsMatchTheirModules(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (Block call : tf.moduleCalls()) {
			String source = TerraformConfig.sourceOf(call);
			if (source == null) {
				continue;
			}
			Map<String, Block> variables = tf.variables(source);
			if (variables.isEmpty() && tf.outputs(source).isEmpty()) {
				violations.add(call.address() + " uses " + source + ", which has no Terraform files");
				continue;
			}
			for (String argument : call.body().propertyNames()) {
				if (!META_ARGUMENTS.contains(argument) && !variables.containsKey(argument)) {
					violations.add(call.address() + " passes " + argument + ", which " + source + " does not declare");
				}
			}
			variables.forEach((name, variable) -> {
				if (!variable.body().has("default") && !call.body().has(name)) {
					violations.add(call.address() + " does not pass " + name + ", which " + source + " requires");
				}
			});
		}
		return violations;
	}

	/** Every module declares the AWS provider it is written for, in versions.tf. */
	static List<String> everyModuleDeclaresItsProvider(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (String module : tf.modules()) {
			String versions = module.isEmpty() ? "versions.tf" : module + "/versions.tf";
			if (!tf.files().contains(versions)) {
				violations.add(name(module) + " has no versions.tf");
				continue;
			}
			boolean declared = tf.toJson(versions)
				.path("terraform")
				.findValues("aws")
				.stream()
				.anyMatch(aws -> "hashicorp/aws".equals(Hcl.text(aws.get("source"))) && Hcl.text(aws.get("version")) != null);
			if (!declared) {
				violations.add(versions + " does not require hashicorp/aws with a version constraint");
			}
		}
		return violations;
	}

	private static void check(Pattern pattern, String expression, Set<String> violations,
			Function<Matcher, String> problem) {
		Matcher matcher = pattern.matcher(expression);
		while (matcher.find()) {
			String found = problem.apply(matcher);
			if (found != null) {
				violations.add(found);
			}
		}
	}

	private static Set<String> declared(List<Block> blocks, String module) {
		Set<String> names = new TreeSet<>();
		blocks.stream().filter(b -> b.module().equals(module)).forEach(b -> names.add(b.type() + "." + b.name()));
		return names;
	}

	/** The strings of a file that hold expressions ("${...}"). */
	private static List<String> expressions(TerraformConfig tf, String file) {
		JsonNode body = tf.toJson(file);
		return Hcl.strings(body).filter(s -> s.contains("${")).toList();
	}

	private static String name(String module) {
		return module.isEmpty() ? "the root module" : module;
	}
}
