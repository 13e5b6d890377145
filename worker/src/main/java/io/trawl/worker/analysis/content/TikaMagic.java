package io.trawl.worker.analysis.content;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.namespace.QName;

import org.apache.tika.Tika;
import org.apache.tika.detect.CompositeDetector;
import org.apache.tika.detect.Detector;
import org.apache.tika.detect.TextDetector;
import org.apache.tika.detect.XmlRootExtractor;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeType;
import org.apache.tika.mime.MimeTypes;

/**
 * Tika's answer to {@code new Tika().detect(head)}, computed from Tika's own magic table without Tika's per-call
 * costs.
 * <p>
 * {@code MimeTypes.getMimeType(byte[])} evaluates its sorted magics in order, and for each {@code MagicMatch} builds a
 * new {@code Metadata} and input stream, allocates and fills a window buffer (8 KB and more for a ranged or regex
 * match), and for a regex compiles the pattern and decodes the window to characters. It also goes on past the first
 * match through every magic of the same priority, although only the first match decides the answer. Here the same
 * clause tree (and, or, min-should-match, and each match's own {@code MagicDetector} fields: pattern, mask, offset
 * range, window length, regex and case flags) is read once, by reflection, and evaluated straight on the bytes with
 * {@code MagicDetector.detect}'s exact semantics, including its zero padding past the end of the data; the walk
 * stops at the first match. What follows the walk is Tika's own code: XML root extraction for {@code application/xml}
 * and {@code text/html}, {@link TextDetector} when nothing matched, and {@code CompositeDetector}'s choice between
 * the answer and {@code application/octet-stream}.
 * <p>
 * If Tika's default detector is not the plain {@code MimeTypes} registry (another {@code Detector} on the class path)
 * or its internals are not the ones read here (another Tika version), {@link #load} falls back to the façade.
 */
final class TikaMagic {

	/** {@code MimeTypes.getMinLength()}: how much of the input Tika reads. */
	static final int MIN_LENGTH = 64 * 1024;

	private static final String XML = "application/xml";

	private static final String HTML = "text/html";

	private final MimeTypes types;

	private final MediaTypeRegistry registry;

	private final Entry[] magics;

	private final Entry[] htmlMagics;

	private final List<MimeType> xmls;

	private final Method matchesXml;

	private final MimeType html;

	private final MimeType text;

	/** The largest offset + window any clause can read: every byte a magic can look at is before it. */
	private final int reach;

	/** One magic of the sorted table: its clause tree and the detector's answer when it is the first to match. */
	private record Entry(Node clause, MimeType type, String answer) {
	}

	private TikaMagic(MimeTypes types) throws ReflectiveOperationException {
		this.types = types;
		this.registry = types.getMediaTypeRegistry();
		List<?> sorted = (List<?>) field(MimeTypes.class, "magics").get(types);
		this.html = (MimeType) field(MimeTypes.class, "htmlMimeType").get(types);
		this.text = (MimeType) field(MimeTypes.class, "textMimeType").get(types);
		@SuppressWarnings("unchecked")
		List<MimeType> xmlTypes = List.copyOf((List<MimeType>) field(MimeTypes.class, "xmls").get(types));
		this.xmls = xmlTypes;
		this.matchesXml = MimeType.class.getDeclaredMethod("matchesXML", String.class, String.class);
		this.matchesXml.setAccessible(true);
		List<Entry> entries = new ArrayList<>();
		List<Entry> htmlEntries = new ArrayList<>();
		int maxReach = 0;
		for (Object magic : sorted) {
			Class<?> magicClass = magic.getClass();
			MimeType type = (MimeType) field(magicClass, "type").get(magic);
			Node clause = node(field(magicClass, "clause").get(magic));
			Entry entry = new Entry(clause, type, answer(type.getType()));
			entries.add(entry);
			if (type.equals(this.html)) {
				htmlEntries.add(entry);
			}
			maxReach = Math.max(maxReach, clause.reach());
		}
		this.magics = entries.toArray(Entry[]::new);
		this.htmlMagics = htmlEntries.toArray(Entry[]::new);
		this.reach = maxReach;
	}

	/**
	 * The table behind {@code tika}'s detector, or {@code null} when that detector is anything but a composite of the
	 * one {@code MimeTypes} registry, or when Tika's internals differ from the ones this class reads.
	 */
	static TikaMagic load(Tika tika) {
		Detector detector = tika.getDetector();
		if (!(detector instanceof CompositeDetector composite)) {
			return null;
		}
		List<Detector> detectors = composite.getDetectors();
		if (detectors.size() != 1 || !(detectors.get(0) instanceof MimeTypes types)) {
			return null;
		}
		synchronized (TikaMagic.class) {
			if (last == null || last.types != types) {
				try {
					last = new TikaMagic(types);
				}
				catch (ReflectiveOperationException | RuntimeException e) {
					return null;
				}
			}
			return last;
		}
	}

	/** The table last read; Tika's default registry is one object for the whole JVM, so this is read once. */
	private static TikaMagic last;

	/** The largest number of bytes from the start that any magic reads. */
	int reach() {
		return this.reach;
	}

	/** What {@code new Tika().detect(data)} answers, for the first {@link #MIN_LENGTH} bytes of {@code data}. */
	String detect(byte[] data) {
		int length = Math.min(data.length, MIN_LENGTH);
		if (length == 0) {
			return answer(MediaType.OCTET_STREAM);
		}
		Window window = new Window(data, length, this.reach);
		for (Entry magic : this.magics) {
			if (magic.clause.eval(window)) {
				String name = magic.type.getName();
				if (XML.equals(name) || HTML.equals(name)) {
					return xmlOrHtml(magic.type, data, length, window);
				}
				return magic.answer;
			}
		}
		return plainText(data, length);
	}

	/** {@code getMimeType}'s treatment of a first match of {@code application/xml} or {@code text/html}. */
	private String xmlOrHtml(MimeType matched, byte[] data, int length, Window window) {
		byte[] exact = length == data.length ? data : Arrays.copyOf(data, length);
		QName root = new XmlRootExtractor().extractRootElement(exact);
		if (root != null) {
			for (MimeType type : this.xmls) {
				if (matchesXml(type, root.getNamespaceURI(), root.getLocalPart())) {
					return answer(type.getType());
				}
			}
			return answer(matched.getType());
		}
		if (!XML.equals(matched.getName())) {
			return answer(matched.getType());
		}
		for (Entry magic : this.htmlMagics) {
			if (magic.clause.eval(window)) {
				return answer(this.html.getType());
			}
		}
		return answer(this.text.getType());
	}

	private boolean matchesXml(MimeType type, String namespace, String local) {
		try {
			return (Boolean) this.matchesXml.invoke(type, namespace, local);
		}
		catch (ReflectiveOperationException e) {
			throw new IllegalStateException(e);
		}
	}

	/** {@code getMimeType}'s last resort: {@link TextDetector} over the whole input. */
	private String plainText(byte[] data, int length) {
		try {
			MediaType type = new TextDetector(MIN_LENGTH).detect(new ByteArrayInputStream(data, 0, length),
					new Metadata());
			return answer(this.types.forName(type.toString()).getType());
		}
		catch (Exception e) {
			return answer(MediaType.OCTET_STREAM);
		}
	}

	/** {@code CompositeDetector.detect} over the one registry: the type if it specialises octet-stream, else that. */
	private String answer(MediaType type) {
		return this.registry.isSpecializationOf(type, MediaType.OCTET_STREAM) ? type.toString()
				: MediaType.OCTET_STREAM.toString();
	}

	private static final Map<String, Field> FIELDS = new HashMap<>();

	private static Field field(Class<?> type, String name) throws NoSuchFieldException {
		synchronized (FIELDS) {
			Field field = FIELDS.get(type.getName() + "#" + name);
			if (field == null) {
				field = type.getDeclaredField(name);
				field.setAccessible(true);
				FIELDS.put(type.getName() + "#" + name, field);
			}
			return field;
		}
	}

	/** Our copy of one of Tika's clauses; throws for a clause class this version of the code does not know. */
	private static Node node(Object clause) throws ReflectiveOperationException {
		Class<?> type = clause.getClass();
		switch (type.getName()) {
			case "org.apache.tika.mime.AndClause" -> {
				Object[] parts = (Object[]) field(type, "clauses").get(clause);
				Node[] nodes = new Node[parts.length];
				for (int i = 0; i < parts.length; i++) {
					nodes[i] = node(parts[i]);
				}
				return new And(nodes);
			}
			case "org.apache.tika.mime.OrClause" -> {
				return new AtLeast(1, nodes((List<?>) field(type, "clauses").get(clause)));
			}
			case "org.apache.tika.mime.MinShouldMatchClause" -> {
				return new AtLeast(field(type, "min").getInt(clause),
						nodes((List<?>) field(type, "clauses").get(clause)));
			}
			case "org.apache.tika.mime.MagicMatch" -> {
				Method getDetector = type.getDeclaredMethod("getDetector");
				getDetector.setAccessible(true);
				return match(getDetector.invoke(clause));
			}
			default -> throw new IllegalStateException("unknown Tika clause " + type.getName());
		}
	}

	private static Node[] nodes(List<?> clauses) throws ReflectiveOperationException {
		Node[] nodes = new Node[clauses.size()];
		for (int i = 0; i < nodes.length; i++) {
			nodes[i] = node(clauses.get(i));
		}
		return nodes;
	}

	private static Node match(Object detector) throws ReflectiveOperationException {
		Class<?> type = detector.getClass();
		int length = field(type, "length").getInt(detector);
		byte[] pattern = (byte[]) field(type, "pattern").get(detector);
		byte[] mask = (byte[]) field(type, "mask").get(detector);
		boolean regex = field(type, "isRegex").getBoolean(detector);
		boolean ignoreCase = field(type, "isStringIgnoreCase").getBoolean(detector);
		int begin = field(type, "offsetRangeBegin").getInt(detector);
		int end = field(type, "offsetRangeEnd").getInt(detector);
		if (regex) {
			Pattern compiled = Pattern.compile(new String(pattern, StandardCharsets.UTF_8),
					ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
			return new RegexMatch(compiled, length, begin, end);
		}
		if (pattern.length != length || mask.length != length) {
			throw new IllegalStateException("unexpected MagicDetector layout");
		}
		return new BytesMatch(pattern.clone(), mask.clone(), ignoreCase, begin, end);
	}

	/** The input as {@code MagicDetector} sees it: the bytes, then zeros to the end of each window. */
	static final class Window {

		final byte[] data;

		final int length;

		/** How many bytes {@link #latin1} holds: the input's, up to the table's reach. */
		private final int reach;

		private String latin1;

		Window(byte[] data, int length, int reach) {
			this.data = data;
			this.length = length;
			this.reach = Math.min(length, reach);
		}

		/** The input's bytes up to the table's reach as ISO-8859-1 characters, made on first use. */
		String latin1() {
			if (this.latin1 == null) {
				this.latin1 = new String(this.data, 0, this.reach, StandardCharsets.ISO_8859_1);
			}
			return this.latin1;
		}
	}

	private interface Node {

		boolean eval(Window window);

		/** How far from the start this clause may read. */
		int reach();
	}

	private record And(Node[] parts) implements Node {

		@Override
		public boolean eval(Window window) {
			for (Node part : this.parts) {
				if (!part.eval(window)) {
					return false;
				}
			}
			return true;
		}

		@Override
		public int reach() {
			return Arrays.stream(this.parts).mapToInt(Node::reach).max().orElse(0);
		}
	}

	/** {@code OrClause} (at least 1) and {@code MinShouldMatchClause}. */
	private record AtLeast(int min, Node[] parts) implements Node {

		@Override
		public boolean eval(Window window) {
			int matches = 0;
			for (Node part : this.parts) {
				if (part.eval(window) && ++matches >= this.min) {
					return true;
				}
			}
			return false;
		}

		@Override
		public int reach() {
			return Arrays.stream(this.parts).mapToInt(Node::reach).max().orElse(0);
		}
	}

	/**
	 * A non-regex {@code MagicDetector}: false unless the input holds a whole first window; then each start in the
	 * offset range, comparing masked (and, for stringignorecase, lower-cased) bytes, with zeros past the input's end.
	 * <p>
	 * {@code accepts[j][b]} is that comparison, {@code MagicDetector}'s own expression, worked out once for each of the
	 * 256 values {@code b} the byte at {@code start + j} can take, so a test is a table look-up. Across a range, the
	 * starts are found from one anchor position of the pattern: by {@code String.indexOf} over the input's Latin-1
	 * view when only one byte value passes there, else by the table.
	 */
	private static final class BytesMatch implements Node {

		private static final Map<Integer, Row> ROWS = new HashMap<>();

		private final int n;

		private final boolean[][] accepts;

		private final int begin;

		private final int end;

		/** Whether an all-zero window matches (the window of a start at or past the input's end). */
		private final boolean zeros;

		private final int anchor;

		/** The one byte value the anchor accepts, or -1. */
		private final int anchorValue;

		BytesMatch(byte[] pattern, byte[] mask, boolean ignoreCase, int begin, int end) {
			this.n = pattern.length;
			this.begin = begin;
			this.end = end;
			this.accepts = new boolean[this.n][];
			boolean allZeros = true;
			int bestAnchor = 0;
			int bestCost = Integer.MAX_VALUE;
			int bestValue = -1;
			for (int j = 0; j < this.n; j++) {
				Row row = row(pattern[j], mask[j], ignoreCase);
				this.accepts[j] = row.accepts;
				int count = row.count;
				int value = row.value;
				allZeros &= this.accepts[j][0];
				int cost = count * 8 + (count == 1 ? commonness(value) : 4);
				if (cost < bestCost) {
					bestCost = cost;
					bestAnchor = j;
					bestValue = count == 1 ? value : -1;
				}
			}
			this.zeros = allZeros;
			this.anchor = bestAnchor;
			this.anchorValue = bestValue;
		}

		/**
		 * Which byte values pass {@code MagicDetector}'s test against one pattern byte with its mask; one copy per
		 * distinct (pattern byte, mask byte, case) triple, of which Tika's table has a few hundred.
		 */
		private static Row row(byte pattern, byte mask, boolean ignoreCase) {
			int key = (pattern & 0xFF) | (mask & 0xFF) << 8 | (ignoreCase ? 1 << 16 : 0);
			synchronized (ROWS) {
				return ROWS.computeIfAbsent(key, k -> {
					boolean[] accepts = new boolean[256];
					int count = 0;
					int value = -1;
					for (int b = 0; b < 256; b++) {
						int masked = ((byte) b) & mask;
						if (ignoreCase) {
							masked = Character.toLowerCase(masked);
						}
						if (masked == pattern) {
							accepts[b] = true;
							count++;
							value = b;
						}
					}
					return new Row(accepts, count, value);
				});
			}
		}

		/** The byte values one pattern byte accepts; how many; the last of them. */
		private record Row(boolean[] accepts, int count, int value) {
		}

		/** A guess at how often a byte value occurs in samples (only the speed depends on it). */
		private static int commonness(int value) {
			if (value == 0 || value == ' ' || value == '\n' || value == 0xFF) {
				return 4;
			}
			return value >= 'a' && value <= 'z' ? 2 : 0;
		}

		@Override
		public boolean eval(Window window) {
			int length = window.length;
			if (length < this.begin || length - this.begin < this.n) {
				return false;
			}
			if (this.n == 0) {
				return true;
			}
			byte[] data = window.data;
			// starts whose window lies inside the input
			int lastInside = Math.min(this.end, length - this.n);
			if (this.begin == lastInside) {
				if (inside(data, this.begin)) {
					return true;
				}
			}
			else if (this.begin < lastInside) {
				if (this.anchorValue >= 0) {
					String text = window.latin1();
					char value = (char) this.anchorValue;
					int at = text.indexOf(value, this.begin + this.anchor);
					while (at >= 0 && at - this.anchor <= lastInside) {
						if (inside(data, at - this.anchor)) {
							return true;
						}
						at = text.indexOf(value, at + 1);
					}
				}
				else {
					boolean[] anchorAccepts = this.accepts[this.anchor];
					for (int start = this.begin; start <= lastInside; start++) {
						if (anchorAccepts[data[start + this.anchor] & 0xFF] && inside(data, start)) {
							return true;
						}
					}
				}
			}
			// starts whose window runs past the input's end, where MagicDetector's buffer holds zeros
			int lastPartial = Math.min(this.end, length - 1);
			for (int start = Math.max(this.begin, lastInside + 1); start <= lastPartial; start++) {
				boolean match = true;
				for (int j = 0; match && j < this.n; j++) {
					int at = start + j;
					match = this.accepts[j][at < length ? data[at] & 0xFF : 0];
				}
				if (match) {
					return true;
				}
			}
			// starts at or past the end: all-zero windows
			return this.end >= length && this.zeros;
		}

		private boolean inside(byte[] data, int start) {
			for (int j = 0; j < this.n; j++) {
				if (!this.accepts[j][data[start + j] & 0xFF]) {
					return false;
				}
			}
			return true;
		}

		@Override
		public int reach() {
			return this.end + this.n;
		}
	}

	/**
	 * A regex {@code MagicDetector}: false if the input ends before the range begins; otherwise a window of
	 * {@code length + (end - begin)} characters from {@code begin} (bytes as ISO-8859-1, zeros past the input's end),
	 * and {@code lookingAt} on the region {@code [i, i + length)} for each start {@code i} of the range.
	 * <p>
	 * When the pattern is a concatenation (no {@code |}) that begins with elements of one character each, a match at
	 * {@code i} needs characters {@code i, i + 1, ...} to match those elements ({@link #leadingCharacters}); across a
	 * range, the other starts are skipped without running the matcher. The region is at least 16 characters long
	 * (8 KB for every regex), so those characters lie inside it.
	 */
	private static final class RegexMatch implements Node {

		private final Pattern pattern;

		private final int length;

		private final int begin;

		private final int end;

		/** {@code leading[j][c]}: whether character {@code c} at {@code i + j} can be part of a match at {@code i}. */
		private final boolean[][] leading;

		/** The one or two characters the first of {@link #leading} accepts, found with {@code String.indexOf}. */
		private final char[] firstValues;

		RegexMatch(Pattern pattern, int length, int begin, int end) {
			this.pattern = pattern;
			this.length = length;
			this.begin = begin;
			this.end = end;
			this.leading = end > begin && length >= 16 ? leadingCharacters(pattern) : null;
			this.firstValues = this.leading == null ? null : values(this.leading[0]);
		}

		/** The characters {@code accepts} holds, if there are one or two; else null. */
		private static char[] values(boolean[] accepts) {
			StringBuilder values = new StringBuilder();
			for (char c = 0; c < 256; c++) {
				if (accepts[c]) {
					values.append(c);
				}
			}
			return values.length() >= 1 && values.length() <= 2 ? values.toString().toCharArray() : null;
		}

		@Override
		public boolean eval(Window window) {
			if (window.length < this.begin) {
				return false;
			}
			Latin1 text = new Latin1(window, this.begin, this.length + this.end - this.begin);
			Matcher matcher = this.pattern.matcher(text);
			int last = this.end - this.begin;
			if (this.leading == null) {
				for (int i = 0; i <= last; i++) {
					if (lookingAt(matcher, i)) {
						return true;
					}
				}
				return false;
			}
			// the starts whose first character is in the input
			int lastInside = Math.min(last, window.length - this.begin - 1);
			if (this.firstValues != null) {
				String latin1 = window.latin1();
				int[] next = new int[this.firstValues.length];
				for (int v = 0; v < next.length; v++) {
					next[v] = latin1.indexOf(this.firstValues[v], this.begin);
				}
				while (true) {
					int at = -1;
					for (int v = 0; v < next.length; v++) {
						if (next[v] >= 0 && (at < 0 || next[v] < at)) {
							at = next[v];
						}
					}
					int i = at - this.begin;
					if (at < 0 || i > lastInside) {
						break;
					}
					if (canStart(text, i) && lookingAt(matcher, i)) {
						return true;
					}
					for (int v = 0; v < next.length; v++) {
						if (next[v] == at) {
							next[v] = latin1.indexOf(this.firstValues[v], at + 1);
						}
					}
				}
			}
			else {
				byte[] data = window.data;
				for (int i = 0; i <= lastInside; i++) {
					if (this.leading[0][data[this.begin + i] & 0xFF] && canStart(text, i) && lookingAt(matcher, i)) {
						return true;
					}
				}
			}
			// past the input every character is a zero
			if (this.leading[0][0]) {
				for (int i = Math.max(0, lastInside + 1); i <= last; i++) {
					if (canStart(text, i) && lookingAt(matcher, i)) {
						return true;
					}
				}
			}
			return false;
		}

		private boolean lookingAt(Matcher matcher, int i) {
			matcher.region(i, this.length + i);
			return matcher.lookingAt();
		}

		private boolean canStart(Latin1 text, int i) {
			for (int j = 0; j < this.leading.length; j++) {
				if (!this.leading[j][text.charAt(i + j)]) {
					return false;
				}
			}
			return true;
		}

		@Override
		public int reach() {
			return this.end + this.length;
		}

		/**
		 * For the pattern's leading run of one-character elements (literals, escapes such as {@code \xHH},
		 * {@code \n} or {@code \d}, {@code .}, and {@code [...]} classes without nesting), none but the last
		 * followed by a quantifier and that one only by {@code +}: which of the 256 characters each element accepts,
		 * tested by compiling the element alone with the pattern's flags. Null when the pattern has a {@code |} or
		 * flags that change what an element means, or starts with anything else.
		 */
		static boolean[][] leadingCharacters(Pattern pattern) {
			String source = pattern.pattern();
			if ((pattern.flags() & (Pattern.COMMENTS | Pattern.LITERAL)) != 0 || source.indexOf('|') >= 0
					|| source.contains("\\Q")) {
				return null;
			}
			List<boolean[]> elements = new ArrayList<>();
			int at = 0;
			while (at < source.length() && elements.size() < 16) {
				int next = element(source, at);
				if (next < 0) {
					break;
				}
				char after = next < source.length() ? source.charAt(next) : 0;
				if (after == '?' || after == '*' || after == '{') {
					break;
				}
				Pattern alone;
				try {
					alone = Pattern.compile(source.substring(at, next), pattern.flags());
				}
				catch (RuntimeException e) {
					break;
				}
				boolean[] accepts = new boolean[256];
				for (char c = 0; c < 256; c++) {
					accepts[c] = alone.matcher(String.valueOf(c)).matches();
				}
				elements.add(accepts);
				if (after == '+') {
					break;
				}
				at = next;
			}
			return elements.isEmpty() ? null : elements.toArray(boolean[][]::new);
		}

		/** The end of the one-character element at {@code at}, or -1 if there is none there. */
		private static int element(String source, int at) {
			char first = source.charAt(at);
			if (first == '[') {
				if (source.startsWith("[^]", at)) {
					return -1;
				}
				for (int i = at + 1; i < source.length(); i++) {
					char c = source.charAt(i);
					if (c == '\\') {
						i++;
					}
					else if (c == '[' || c == '&') {
						return -1;
					}
					else if (c == ']') {
						return i == at + 1 ? -1 : i + 1;
					}
				}
				return -1;
			}
			if (first == '\\') {
				if (at + 1 >= source.length()) {
					return -1;
				}
				char escaped = source.charAt(at + 1);
				if (escaped == 'x') {
					return at + 3 < source.length() && isHex(source.charAt(at + 2)) && isHex(source.charAt(at + 3))
							? at + 4 : -1;
				}
				if ("dDsSwWhHvVtnrfae".indexOf(escaped) >= 0) {
					return at + 2;
				}
				return Character.isLetterOrDigit(escaped) || escaped >= 0x80 ? -1 : at + 2;
			}
			return "\\[](){}*+?^$|".indexOf(first) >= 0 || Character.isSurrogate(first) ? -1 : at + 1;
		}

		private static boolean isHex(char c) {
			return Character.digit(c, 16) >= 0;
		}
	}

	/** Characters {@code [from, from + size)} of the window, each byte as its ISO-8859-1 character. */
	private record Latin1(Window window, int from, int size) implements CharSequence {

		@Override
		public int length() {
			return this.size;
		}

		@Override
		public char charAt(int index) {
			if (index < 0 || index >= this.size) {
				throw new IndexOutOfBoundsException(index);
			}
			int at = this.from + index;
			return at < this.window.length ? (char) (this.window.data[at] & 0xFF) : 0;
		}

		@Override
		public CharSequence subSequence(int start, int end) {
			return toString().substring(start, end);
		}

		@Override
		public String toString() {
			char[] chars = new char[this.size];
			for (int i = 0; i < this.size; i++) {
				chars[i] = charAt(i);
			}
			return new String(chars);
		}
	}
}
