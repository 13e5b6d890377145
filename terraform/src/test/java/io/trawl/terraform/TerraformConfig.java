package io.trawl.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Terraform configuration under a folder, every .tf file parsed to the JSON form of HCL by @cdktf/hcl2json.
 * A module is a folder: "" is the root, "modules/alb" a child module. The policies read it; a test may mutate a
 * {@link #copy()} to show that a policy notices a removed property.
 */
final class TerraformConfig {

	private static final ObjectMapper JSON = JsonMapper.builder().build();

	private static TerraformConfig stack;

	private final Path dir;

	private final Map<String, ObjectNode> files;

	private final Map<String, String> errors;

	private TerraformConfig(Path dir, Map<String, ObjectNode> files, Map<String, String> errors) {
		this.dir = dir;
		this.files = files;
		this.errors = errors;
	}

	/** Trawl's stack (this module's folder), parsed once per test run. Mutate only a {@link #copy()}. */
	static synchronized TerraformConfig stack() {
		if (stack == null) {
			stack = parse(NodeScript.TERRAFORM_DIR);
		}
		return stack;
	}

	static TerraformConfig parse(Path dir) {
		NodeScript.requirePackage("@cdktf/hcl2json");
		Path script = NodeScript.TERRAFORM_DIR.resolve("src/test/resources/hcl2json.js");
		NodeScript.Result result = NodeScript.run(dir, script.toString(), dir.toString(),
				NodeScript.NODE_MODULES.toString());
		if (result.exitCode() != 0) {
			throw new AssertionError("Parsing the Terraform files under " + dir + " failed: " + result.describe());
		}
		JsonNode parsed = JSON.readTree(result.stdout());
		Map<String, ObjectNode> files = new TreeMap<>();
		parsed.path("files").forEachEntry((name, body) -> files.put(name, (ObjectNode) body));
		Map<String, String> errors = new TreeMap<>();
		parsed.path("errors").forEachEntry((name, message) -> errors.put(name, message.asString()));
		return new TerraformConfig(dir, files, errors);
	}

	TerraformConfig copy() {
		Map<String, ObjectNode> copies = new TreeMap<>();
		files.forEach((name, body) -> copies.put(name, body.deepCopy()));
		return new TerraformConfig(dir, copies, errors);
	}

	/** Parsed files by path relative to the folder that was parsed. */
	Set<String> files() {
		return Collections.unmodifiableSet(files.keySet());
	}

	/** Files that did not parse, with the parser's message. */
	Map<String, String> errors() {
		return Collections.unmodifiableMap(errors);
	}

	/** The module folders: "" for the root, then "modules/...". */
	Set<String> modules() {
		Set<String> modules = new TreeSet<>();
		files.keySet().forEach(file -> modules.add(moduleOf(file)));
		return modules;
	}

	String read(String module, String relativePath) {
		Path file = dir.resolve(module).resolve(relativePath).normalize();
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read " + file, e);
		}
	}

	List<Block> resources(String type) {
		return blocks("resource", type);
	}

	List<Block> dataSources(String type) {
		return blocks("data", type);
	}

	/** Every resource of every type. */
	List<Block> allResources() {
		List<Block> all = new ArrayList<>();
		files.forEach((file, body) -> body.path("resource")
			.propertyNames()
			.forEach(type -> all.addAll(blocksOf(file, "resource", type))));
		return all;
	}

	/** Every data source of every type. */
	List<Block> allDataSources() {
		List<Block> all = new ArrayList<>();
		files.forEach((file, body) -> body.path("data")
			.propertyNames()
			.forEach(type -> all.addAll(blocksOf(file, "data", type))));
		return all;
	}

	/** One file's parsed body. */
	ObjectNode toJson(String file) {
		return files.get(file);
	}

	List<Block> moduleCalls() {
		List<Block> calls = new ArrayList<>();
		files.forEach((file, body) -> body.path("module")
			.forEachEntry((name, bodies) -> bodies.forEach(b -> calls.add(new Block(file, "module", "module", name, (ObjectNode) b)))));
		return calls;
	}

	Optional<Block> moduleCall(String module, String name) {
		return moduleCalls().stream().filter(b -> b.module().equals(module) && b.name().equals(name)).findFirst();
	}

	/** The folder a module call's local source points at, e.g. "modules/storage". */
	static String sourceOf(Block call) {
		String source = call.text("source");
		if (source == null || !source.startsWith("./") && !source.startsWith("../")) {
			return null;
		}
		Path base = Path.of(call.module().isEmpty() ? "." : call.module());
		return base.resolve(source).normalize().toString().replace('\\', '/');
	}

	Optional<Block> resource(String module, String type, String name) {
		return find(resources(type), module, name);
	}

	Optional<Block> dataSource(String module, String type, String name) {
		return find(dataSources(type), module, name);
	}

	/** Variable name => its block, for one module. */
	Map<String, Block> variables(String module) {
		return named(module, "variable");
	}

	/** Output name => its block, for one module. */
	Map<String, Block> outputs(String module) {
		return named(module, "output");
	}

	/** Local name => its value expression, for one module. */
	Map<String, JsonNode> locals(String module) {
		Map<String, JsonNode> locals = new LinkedHashMap<>();
		files.forEach((file, body) -> {
			if (moduleOf(file).equals(module)) {
				body.path("locals").forEach(block -> block.forEachEntry(locals::put));
			}
		});
		return locals;
	}

	/**
	 * The default of a variable when {@code value} is exactly a reference to it ("${var.x}"), else {@code value}:
	 * enough to see what a module does unless its caller overrides the variable.
	 */
	JsonNode resolveDefault(String module, JsonNode value) {
		String text = Hcl.text(value);
		if (text != null && text.matches("\\$\\{var\\.[A-Za-z0-9_-]+}")) {
			Block variable = variables(module).get(text.substring(6, text.length() - 1));
			if (variable != null && variable.body().has("default")) {
				return variable.body().get("default");
			}
		}
		return value;
	}

	static String moduleOf(String file) {
		int slash = file.lastIndexOf('/');
		return slash < 0 ? "" : file.substring(0, slash);
	}

	private List<Block> blocks(String kind, String type) {
		List<Block> found = new ArrayList<>();
		files.keySet().forEach(file -> found.addAll(blocksOf(file, kind, type)));
		return found;
	}

	private List<Block> blocksOf(String file, String kind, String type) {
		List<Block> found = new ArrayList<>();
		files.get(file).path(kind).path(type).forEachEntry((name, bodies) -> bodies
			.forEach(body -> found.add(new Block(file, kind, type, name, (ObjectNode) body))));
		return found;
	}

	private Map<String, Block> named(String module, String kind) {
		Map<String, Block> named = new TreeMap<>();
		files.forEach((file, body) -> {
			if (moduleOf(file).equals(module)) {
				body.path(kind).forEachEntry((name, bodies) -> bodies
					.forEach(b -> named.put(name, new Block(file, kind, kind, name, (ObjectNode) b))));
			}
		});
		return named;
	}

	private static Optional<Block> find(List<Block> blocks, String module, String name) {
		return blocks.stream().filter(b -> b.module().equals(module) && b.name().equals(name)).findFirst();
	}

	/** One block: a resource, data source, module call, variable or output, with its body as parsed. */
	record Block(String file, String kind, String type, String name, ObjectNode body) {

		String module() {
			return moduleOf(file);
		}

		/** How Terraform would name it, with the file: "modules/alb/main.tf: aws_lb.this". */
		String address() {
			String local = switch (kind) {
				case "resource" -> type + "." + name;
				case "data" -> "data." + type + "." + name;
				default -> kind + "." + name;
			};
			return file + ": " + local;
		}

		JsonNode attribute(String name) {
			return body.path(name);
		}

		String text(String name) {
			return Hcl.text(body.get(name));
		}

		boolean isTrue(String name) {
			return Hcl.isTrue(body.get(name));
		}

		/** Nested blocks along a path of block names, static and dynamic ones alike. */
		List<ObjectNode> nested(String... path) {
			return Hcl.nested(body, path);
		}

		/** The expression "type.name" other blocks of the module use to refer to this one. */
		String reference() {
			return "resource".equals(kind) ? type + "." + name : "data." + type + "." + name;
		}

		/** Whether any value in this block refers to {@code target} (its attributes or itself). */
		boolean refersTo(Block target) {
			String ref = target.reference();
			return Hcl.strings(body).anyMatch(s -> s.contains(ref + ".") || s.contains(ref + "[") || s.contains(ref + "}"));
		}
	}
}
