package io.trawl.worker.yara.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.trawl.worker.yara.YaraRules;
import io.trawl.worker.yara.delta.YaraTokens.Kind;
import io.trawl.worker.yara.delta.YaraTokens.Token;

/**
 * A ruleset read as source and split into its rules, namespace by namespace, the way Trawl compiles it: every
 * {@code .yar}/{@code .yara} file under the rules folder is a namespace named by its relative path, and an
 * {@code include} puts the included file's rules in the including file's namespace.
 */
public final class RulesetSource {

	/** Larger rule files are refused: real ones are kilobytes, and the whole file is held in memory. */
	static final long MAX_FILE_BYTES = 16L << 20;

	private static final int MAX_INCLUDE_DEPTH = 32;

	private static final Set<String> SECTIONS = Set.of("meta", "strings", "condition");

	private final List<SourceNamespace> namespaces;

	private RulesetSource(List<SourceNamespace> namespaces) {
		this.namespaces = namespaces;
	}

	/**
	 * Reads the rule file at {@code path}, or every rule file under the folder {@code path}.
	 * @throws UnreadableRulesException naming the file and line of source it cannot split into rules
	 */
	public static RulesetSource read(Path path) {
		// named as YaraRules names them: the path under the folder given, or the file's name
		Path folder = Files.isDirectory(path) ? path : path.getParent();
		Path root = realPath(folder == null ? Path.of(".") : folder);
		Map<String, Reader> readers = new LinkedHashMap<>();
		for (Path file : ruleFiles(path)) {
			String namespace = YaraRules.namespace(folder, file);
			readers.computeIfAbsent(namespace, name -> new Reader(root, name)).file(realPath(file), new ArrayDeque<>());
		}
		return new RulesetSource(readers.values().stream().map(Reader::namespace).toList());
	}

	public List<SourceNamespace> namespaces() {
		return namespaces;
	}

	/** Every rule, namespace by namespace, in compilation order. */
	public Stream<SourceRule> rules() {
		return namespaces.stream().flatMap(namespace -> namespace.rules().stream());
	}

	private static List<Path> ruleFiles(Path path) {
		try {
			return YaraRules.ruleFiles(path);
		}
		catch (IllegalArgumentException | UncheckedIOException e) {
			throw new UnreadableRulesException(e.getMessage());
		}
	}

	private static Path realPath(Path path) {
		try {
			return path.toRealPath();
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot resolve " + path, e);
		}
	}

	/** Reads the files of one namespace, following includes. */
	private static final class Reader {

		private final Path root;
		private final String namespace;
		private final Set<String> imports = new LinkedHashSet<>();
		private final List<SourceRule> rules = new ArrayList<>();
		private final Set<String> names = new HashSet<>();

		Reader(Path root, String namespace) {
			this.root = root;
			this.namespace = namespace;
		}

		SourceNamespace namespace() {
			return new SourceNamespace(namespace, List.copyOf(imports), List.copyOf(rules));
		}

		void file(Path file, Deque<Path> including) {
			String shown = root.relativize(file).toString();
			String source = read(file, shown);
			List<Token> tokens = YaraTokens.of(source, shown);
			including.push(file);
			for (int i = 0; i < tokens.size();) {
				Token token = tokens.get(i);
				if (token.is("import") || token.is("include")) {
					Token name = next(tokens, i, shown, "a quoted name after " + token.text());
					if (name.kind() != Kind.TEXT) {
						throw unreadable(shown, name, "expected a quoted name after " + token.text());
					}
					String value = name.text().substring(1, name.text().length() - 1);
					if (token.is("import")) {
						imports.add(value);
					}
					else {
						file(include(file, shown, name, value, including), including);
					}
					i += 2;
				}
				else {
					i = rule(tokens, i, shown, source);
				}
			}
			including.pop();
		}

		private Path include(Path from, String shown, Token at, String name, Deque<Path> including) {
			Path target = from.getParent().resolve(name).normalize();
			if (!Files.isRegularFile(target)) {
				throw unreadable(shown, at, "the include \"" + name + "\" names no file");
			}
			Path real = realPath(target);
			if (!real.startsWith(root)) {
				throw unreadable(shown, at, "the include \"" + name + "\" leaves the rules folder " + root);
			}
			if (including.contains(real)) {
				throw unreadable(shown, at, "the include \"" + name + "\" includes itself (a cycle: "
						+ including.stream().map(p -> root.relativize(p).toString()).collect(Collectors.joining(" <- "))
						+ ")");
			}
			if (including.size() >= MAX_INCLUDE_DEPTH) {
				throw unreadable(shown, at, "includes nest deeper than " + MAX_INCLUDE_DEPTH + " files");
			}
			return real;
		}

		/** Reads one rule starting at token {@code i}; returns the index after its closing brace. */
		private int rule(List<Token> tokens, int i, String shown, String source) {
			int start = i;
			Set<String> modifiers = new LinkedHashSet<>();
			while (tokens.get(i).is("private") || tokens.get(i).is("global")) {
				modifiers.add(tokens.get(i).text());
				next(tokens, i, shown, "a rule after " + tokens.get(i).text());
				i++;
			}
			if (!tokens.get(i).is("rule")) {
				throw unreadable(shown, tokens.get(i), "expected a rule, an import or an include, found '"
						+ abbreviated(tokens.get(i).text()) + "'");
			}
			Token name = next(tokens, i++, shown, "a name after rule");
			if (name.kind() != Kind.WORD || Character.isDigit(name.text().charAt(0))) {
				throw unreadable(shown, name, "expected a rule name, found '" + abbreviated(name.text()) + "'");
			}
			if (!names.add(name.text())) {
				throw unreadable(shown, name, "the rule " + name.text() + " is defined twice in the namespace " + namespace);
			}
			String where = shown + ":" + tokens.get(start).line();
			List<String> tags = new ArrayList<>();
			next(tokens, i++, shown, "{ after the rule " + name.text());
			if (tokens.get(i).is(":")) {
				while (next(tokens, i++, shown, "{ after the tags of " + name.text()).kind() == Kind.WORD) {
					tags.add(tokens.get(i).text());
				}
			}
			if (!tokens.get(i).is("{")) {
				throw unreadable(shown, tokens.get(i), "expected { to open the rule " + name.text());
			}
			Map<String, Integer> sections = new LinkedHashMap<>();
			int end = i + 1;
			for (; end < tokens.size() && !tokens.get(end).is("}"); end++) {
				Token token = tokens.get(end);
				if (token.kind() == Kind.WORD && end + 1 < tokens.size() && tokens.get(end + 1).is(":")
						&& SECTIONS.contains(token.text())
						&& !sections.containsKey(token.text())) {
					sections.put(token.text(), end);
				}
			}
			if (end == tokens.size()) {
				throw unreadable(shown, name, "the rule " + name.text() + " is never closed with }");
			}
			if (!sections.containsKey("condition")) {
				throw unreadable(shown, name, "the rule " + name.text() + " has no condition");
			}
			List<Token> all = tokens.subList(start, end + 1);
			List<Token> condition = section(tokens, sections, "condition", end);
			rules.add(new SourceRule(namespace, name.text(), Set.copyOf(modifiers), List.copyOf(tags),
					text(section(tokens, sections, "meta", end), source),
					text(section(tokens, sections, "strings", end), source), text(condition, source),
					text(all, source), all.stream().map(Token::text).collect(Collectors.joining(" ")),
					identifiers(condition), wildcards(condition), where));
			return end + 1;
		}

		private String read(Path file, String shown) {
			try {
				long size = Files.size(file);
				if (size > MAX_FILE_BYTES) {
					throw new UnreadableRulesException("The YARA rule file " + shown + " is " + size
							+ " bytes, more than the " + MAX_FILE_BYTES + " Trawl reads; split it.");
				}
				return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
			}
			catch (IOException e) {
				throw new UnreadableRulesException("Cannot read the YARA rule file " + shown + ": " + e.getMessage() + ".");
			}
		}
	}

	/** The tokens of one section: after its {@code name:} up to the next section or the rule's closing brace. */
	private static List<Token> section(List<Token> tokens, Map<String, Integer> sections, String name, int end) {
		Integer at = sections.get(name);
		if (at == null) {
			return List.of();
		}
		int to = sections.values().stream().filter(s -> s > at).min(Integer::compare).orElse(end);
		return tokens.subList(at + 2, to);
	}

	private static String text(List<Token> tokens, String source) {
		return tokens.isEmpty() ? "" : source.substring(tokens.get(0).start(), tokens.get(tokens.size() - 1).end());
	}

	private static Set<String> identifiers(List<Token> condition) {
		Set<String> names = new LinkedHashSet<>();
		for (int i = 0; i < condition.size(); i++) {
			Token token = condition.get(i);
			if (token.kind() == Kind.WORD && !Character.isDigit(token.text().charAt(0))
					&& (i == 0 || !condition.get(i - 1).is("."))) {
				names.add(token.text());
			}
		}
		return Set.copyOf(names);
	}

	/** Prefixes written as {@code prefix*}, a rule set; a product such as {@code x*2} only adds a harmless extra. */
	private static Set<String> wildcards(List<Token> condition) {
		Set<String> prefixes = new LinkedHashSet<>();
		for (int i = 0; i + 1 < condition.size(); i++) {
			Token token = condition.get(i);
			Token after = condition.get(i + 1);
			if (token.kind() == Kind.WORD && after.is("*") && after.start() == token.end()) {
				prefixes.add(token.text());
			}
		}
		return Set.copyOf(prefixes);
	}

	private static Token next(List<Token> tokens, int i, String shown, String expected) {
		if (i + 1 >= tokens.size()) {
			throw new UnreadableRulesException(shown + ":" + tokens.get(i).line() + ": the source ends where "
					+ expected + " was expected.");
		}
		return tokens.get(i + 1);
	}

	private static UnreadableRulesException unreadable(String shown, Token at, String problem) {
		return new UnreadableRulesException(shown + ":" + at.line() + ": " + problem + ".");
	}

	private static String abbreviated(String text) {
		return text.length() > 40 ? text.substring(0, 40) + "..." : text;
	}
}
