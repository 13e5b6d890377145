package io.trawl.worker.yara.delta;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.trawl.worker.yara.delta.YaraTokens.Kind;
import io.trawl.worker.yara.delta.YaraTokens.Token;

/**
 * What the first bytes and the size of a content must be for a rule to match: the index a delta scan consults to skip
 * contents its rules cannot match. It is read from the conjuncts of a condition that compare a fixed-offset integer
 * with a constant ({@code uint16(0) == 0x5A4D}, {@code 0x464C457F == uint32(0)}, {@code uint16be(0) == 0x2123}), or
 * {@code filesize} with one ({@code filesize < 64KB}, {@code 6KB <= filesize}, with {@code <}, {@code <=}, {@code >},
 * {@code >=} or {@code ==}): on a content whose first bytes give another value, or that is too short to give one
 * (YARA's undefined makes the comparison false), or whose size is out of the bound, the condition is false. Conjuncts
 * are split on {@code and} at paren depth 0; a parenthesised conjunct is read the same way, an {@code or} between
 * parts is false when every part is, and a conjunct naming an earlier rule of the namespace has that rule's gate. A
 * {@code not}, an unbalanced paren or a part with no such comparison leaves the part without a gate; a rule whose
 * condition as a whole has none can match anything. What is not known of a content (no stored first bytes, no stored
 * size) excludes nothing.
 */
public final class RuleGate {

	/** The most first bytes a gate reads, and what a result records of each content. */
	public static final int HEAD_BYTES = 8;

	/**
	 * A condition, as far as the first bytes and the size decide it: {@link #excludes} is true when it is false on
	 * them. {@code head} is null and {@code size} negative when not known.
	 */
	private sealed interface Node permits Compare, SizeBound, All, Any, Unknown {

		boolean excludes(byte[] head, long size);
	}

	/** {@code uintN[be](0) == value}. */
	private record Compare(int bytes, boolean bigEndian, long value) implements Node {

		@Override
		public boolean excludes(byte[] head, long size) {
			if (head == null) {
				return false;
			}
			if (head.length < bytes) {
				return true;
			}
			long read = 0;
			for (int i = 0; i < bytes; i++) {
				int b = head[bigEndian ? i : bytes - 1 - i] & 0xff;
				read = read << 8 | b;
			}
			return read != value;
		}
	}

	/** {@code filesize} from {@code min} to {@code max}, both included. */
	private record SizeBound(long min, long max) implements Node {

		@Override
		public boolean excludes(byte[] head, long size) {
			return size >= 0 && (size < min || size > max);
		}
	}

	private record All(List<Node> parts) implements Node {

		@Override
		public boolean excludes(byte[] head, long size) {
			return parts.stream().anyMatch(part -> part.excludes(head, size));
		}
	}

	private record Any(List<Node> parts) implements Node {

		@Override
		public boolean excludes(byte[] head, long size) {
			return parts.stream().allMatch(part -> part.excludes(head, size));
		}
	}

	private record Unknown() implements Node {

		@Override
		public boolean excludes(byte[] head, long size) {
			return false;
		}
	}

	private static final Node UNKNOWN = new Unknown();

	private static final Pattern READ = Pattern.compile("uint(8|16|32)(be)?");

	private final List<Node> rules;

	private RuleGate(List<Node> rules) {
		this.rules = List.copyOf(rules);
	}

	/**
	 * The gate of the rules a delta ruleset holds (scanned and needed, {@link RulesetDelta#sources()}): a content is
	 * excluded when every one of them is false on it. Empty when one of them has no gate or is {@code global}.
	 */
	public static Optional<RuleGate> of(RulesetDelta delta, RuleFingerprints current) {
		Set<String> held = new LinkedHashSet<>(delta.scanned());
		held.addAll(delta.dependenciesOnly());
		List<Node> gates = new ArrayList<>();
		for (SourceNamespace namespace : current.source().namespaces()) {
			Map<String, Node> earlier = new HashMap<>();
			for (SourceRule rule : namespace.rules()) {
				Node gate = rule.isGlobal() ? UNKNOWN : gate(rule, earlier);
				earlier.put(rule.name(), gate);
				if (held.contains(rule.id())) {
					if (gate == UNKNOWN) {
						return Optional.empty();
					}
					gates.add(gate);
				}
			}
		}
		return gates.isEmpty() ? Optional.empty() : Optional.of(new RuleGate(gates));
	}

	/** The gate of one rule, alone (a rule it names counts as having none); empty when it has none. */
	public static Optional<RuleGate> of(SourceRule rule) {
		Node gate = rule.isGlobal() ? UNKNOWN : gate(rule, Map.of());
		return gate == UNKNOWN ? Optional.empty() : Optional.of(new RuleGate(List.of(gate)));
	}

	/** True when every rule of the gate is false on a content that starts with {@code head} (all of it if shorter). */
	public boolean excludes(byte[] head) {
		return excludes(head, -1);
	}

	/**
	 * True when every rule of the gate is false on a content of {@code size} bytes that starts with {@code head} (all
	 * of it if shorter); {@code head} null or {@code size} negative when not known.
	 */
	public boolean excludes(byte[] head, long size) {
		return rules.stream().allMatch(rule -> rule.excludes(head, size));
	}

	/**
	 * {@link #excludes(byte[])} for the first bytes as a result records them: the first {@link #HEAD_BYTES} bytes in
	 * hex, fewer for a shorter content. False for anything else (no evidence excludes nothing).
	 */
	public boolean excludesMagic(Object magic) {
		byte[] head = head(magic);
		return head != null && excludes(head);
	}

	/**
	 * {@link #excludes(byte[], long)} for the first bytes and the size as a result records them (its
	 * {@code fileType.magic} and {@code size}); either may be missing or malformed, and then is not known.
	 */
	public boolean excludesStored(Object magic, Object size) {
		long known = size instanceof Number number && !(number instanceof Double || number instanceof Float)
				&& number.longValue() >= 0 ? number.longValue() : -1;
		return excludes(head(magic), known);
	}

	/** The bytes of stored first bytes in hex; null when they are not that. */
	private static byte[] head(Object magic) {
		if (!(magic instanceof String hex) || hex.length() % 2 != 0 || hex.length() > 2 * HEAD_BYTES) {
			return null;
		}
		try {
			return HexFormat.of().parseHex(hex);
		}
		catch (IllegalArgumentException e) {
			return null;
		}
	}

	private static Node gate(SourceRule rule, Map<String, Node> earlier) {
		try {
			return expression(YaraTokens.of(rule.condition(), rule.where()), earlier);
		}
		catch (RuntimeException e) {
			return UNKNOWN; // the gate is an optimisation: what it cannot read, it does not skip
		}
	}

	private static Node expression(List<Token> tokens, Map<String, Node> earlier) {
		List<List<Token>> disjuncts = split(tokens, "or");
		if (disjuncts == null) {
			return UNKNOWN;
		}
		List<Node> any = new ArrayList<>();
		for (List<Token> disjunct : disjuncts) {
			List<List<Token>> conjuncts = split(disjunct, "and");
			if (conjuncts == null) {
				return UNKNOWN;
			}
			List<Node> all = conjuncts.stream().map(conjunct -> conjunct(conjunct, earlier))
				.filter(node -> node != UNKNOWN).toList();
			if (all.isEmpty()) {
				return UNKNOWN;
			}
			any.add(all.size() == 1 ? all.get(0) : new All(all));
		}
		return any.size() == 1 ? any.get(0) : new Any(any);
	}

	private static Node conjunct(List<Token> tokens, Map<String, Node> earlier) {
		if (tokens.size() >= 2 && tokens.get(0).is("(") && closes(tokens)) {
			return expression(tokens.subList(1, tokens.size() - 1), earlier);
		}
		if (tokens.size() == 1 && tokens.get(0).kind() == Kind.WORD) {
			return earlier.getOrDefault(tokens.get(0).text(), UNKNOWN);
		}
		Node compare = tokens.size() == 7 ? compare(tokens.subList(0, 4), tokens.subList(4, 7), false) : null;
		if (compare == null && tokens.size() == 7) {
			compare = compare(tokens.subList(3, 7), tokens.subList(0, 3), true);
		}
		if (compare == null) {
			compare = sizeBound(tokens);
		}
		return compare == null ? UNKNOWN : compare;
	}

	/** {@code filesize OP N} or {@code N OP filesize}, N a size ({@code 6KB}, {@code 2MB}, {@code 0x400}); else null. */
	private static Node sizeBound(List<Token> tokens) {
		if (tokens.size() < 3 || tokens.size() > 4) {
			return null;
		}
		boolean sizeFirst = tokens.get(0).is("filesize");
		if (!sizeFirst && !tokens.get(tokens.size() - 1).is("filesize")) {
			return null;
		}
		Long value = size(tokens.get(sizeFirst ? tokens.size() - 1 : 0));
		List<Token> operator = tokens.subList(1, tokens.size() - 1);
		String op = operator.stream().map(Token::text).reduce("", String::concat);
		if (value == null || operator.stream().anyMatch(t -> t.kind() != Kind.PUNCTUATION)
				|| operator.size() == 2 && operator.get(1).start() != operator.get(0).end()) {
			return null;
		}
		if (!sizeFirst) { // N < filesize is filesize > N
			op = switch (op) {
				case "<" -> ">";
				case "<=" -> ">=";
				case ">" -> "<";
				case ">=" -> "<=";
				default -> op;
			};
		}
		return switch (op) {
			case "<" -> new SizeBound(0, value - 1);
			case "<=" -> new SizeBound(0, value);
			case ">" -> new SizeBound(value == Long.MAX_VALUE ? value : value + 1, Long.MAX_VALUE);
			case ">=" -> new SizeBound(value, Long.MAX_VALUE);
			case "==" -> new SizeBound(value, value);
			default -> null;
		};
	}

	private static final Pattern SIZE = Pattern.compile("(0[xX][0-9a-fA-F]{1,10}|[0-9]{1,12})(KB|MB)?");

	/** A decimal or hex literal with YARA's {@code KB} or {@code MB} (1,024 and 1,048,576); null for anything else. */
	private static Long size(Token token) {
		var match = token.kind() == Kind.WORD ? SIZE.matcher(token.text()) : null;
		if (match == null || !match.matches()) {
			return null;
		}
		String digits = match.group(1);
		long value = digits.length() > 2 && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X')
				? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
		String unit = match.group(2);
		return unit == null ? value : value * (unit.equals("KB") ? 1024 : 1024 * 1024);
	}

	/** {@code uintN[be] ( 0 )} and {@code = = C} (or {@code C = =} when {@code constantFirst}). */
	private static Node compare(List<Token> read, List<Token> rest, boolean constantFirst) {
		Token function = read.get(0);
		Long offset = number(read.get(2));
		if (function.kind() != Kind.WORD || !READ.matcher(function.text()).matches() || !read.get(1).is("(")
				|| offset == null || offset != 0 || !read.get(3).is(")")) {
			return null;
		}
		List<Token> equals = constantFirst ? rest.subList(1, 3) : rest.subList(0, 2);
		Long value = number(rest.get(constantFirst ? 0 : 2));
		if (value == null || !equals.get(0).is("=") || !equals.get(1).is("=")
				|| equals.get(1).start() != equals.get(0).end()) {
			return null;
		}
		int bits = Integer.parseInt(function.text().replaceAll("\\D", ""));
		return new Compare(bits / 8, function.text().endsWith("be"), value);
	}

	/** A decimal or hex literal; null for anything else (an octal, a size such as {@code 64KB}, an identifier). */
	private static Long number(Token token) {
		if (token.kind() != Kind.WORD) {
			return null;
		}
		String text = token.text();
		try {
			if (text.matches("0[xX][0-9a-fA-F]{1,15}")) {
				return Long.parseLong(text.substring(2), 16);
			}
			return text.matches("[0-9]{1,18}") ? Long.parseLong(text) : null;
		}
		catch (NumberFormatException e) {
			return null;
		}
	}

	/** True when the first token's paren closes at the last token. */
	private static boolean closes(List<Token> tokens) {
		int depth = 0;
		for (int i = 0; i < tokens.size(); i++) {
			depth += tokens.get(i).is("(") ? 1 : tokens.get(i).is(")") ? -1 : 0;
			if (depth == 0) {
				return i == tokens.size() - 1;
			}
		}
		return false;
	}

	/**
	 * The parts between {@code word}s at paren depth 0; null when the parens do not balance, a part is empty, or a
	 * {@code not} stands at depth 0.
	 */
	private static List<List<Token>> split(List<Token> tokens, String word) {
		List<List<Token>> parts = new ArrayList<>();
		int depth = 0;
		int from = 0;
		for (int i = 0; i < tokens.size(); i++) {
			Token token = tokens.get(i);
			if (token.kind() != Kind.PUNCTUATION && token.kind() != Kind.WORD) {
				continue;
			}
			depth += token.is("(") ? 1 : token.is(")") ? -1 : 0;
			if (depth < 0 || depth == 0 && token.is("not")) {
				return null;
			}
			if (depth == 0 && token.is(word)) {
				parts.add(tokens.subList(from, i));
				from = i + 1;
			}
		}
		parts.add(tokens.subList(from, tokens.size()));
		return depth != 0 || parts.stream().anyMatch(List::isEmpty) ? null : parts;
	}
}
