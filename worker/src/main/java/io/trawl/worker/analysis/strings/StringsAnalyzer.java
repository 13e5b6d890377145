package io.trawl.worker.analysis.strings;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.trawl.worker.analysis.Deadline;
import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.bytes.SampleBytes;
import io.trawl.worker.source.Sample;

/**
 * Printable ASCII and UTF-16LE strings, found in one pass over the bytes, and the indicators in them: URLs, domains,
 * IPv4 and IPv6 addresses, email addresses, Windows registry keys and file paths. Everything is deduplicated and
 * capped, with the total counts kept, so a file full of strings costs bounded memory.
 */
public final class StringsAnalyzer extends AbstractAnalyzer {

	/**
	 * @param minLength shortest string reported, in characters
	 * @param maxUnique distinct strings remembered for deduplication (later ones are still counted and scanned)
	 * @param sampleSize distinct strings reported in {@code sample}
	 * @param maxIocsPerType distinct indicators kept per type
	 * @param maxStringLength longer strings are cut to this many characters
	 */
	public record Settings(int minLength, int maxUnique, int sampleSize, int maxIocsPerType, int maxStringLength) {

		public static Settings defaults() {
			return new Settings(6, 1000, 100, 200, 4096);
		}
	}

	static final String TLDS = "com|net|org|info|biz|io|co|ru|cn|de|uk|fr|jp|br|in|it|nl|pl|su|tk|top|xyz"
			+ "|online|site|club|me|tv|cc|ws|pw|onion|gov|edu|mil|int|eu|us|ca|au|kr|ir|kp|ua|by|kz|ro|es|se|ch|at|be"
			+ "|cz|hu|tr|vn|id|th|tw|hk|sg|my|ph|mx|ar|cl|za|ng|ke|eg|sa|ae|il|gr|pt|dk|no|fi|ie|nz|lt|lv|ee|bg|rs"
			+ "|hr|si|sk|md|ge|am|az|uz|pk|bd|lk|np|ly|cf|ga|ml|gq|icu|live|shop|app|dev|cloud|link|win|bid|loan"
			+ "|work|space|store|tech|website|fun|today|world|email|zip|mobi|name|pro|asia|local|lan|internal|corp";

	private static final Pattern URL = Pattern.compile(
			"(?i)\\b(?:https?|hxxps?|ftp|sftp|wss?)://[^\\s\"'<>(){}\\[\\]|\\\\^`]{3,2048}");
	private static final Pattern EMAIL = Pattern.compile(
			"(?i)\\b[a-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){1,8}(?:" + trie(TLDS) + ")\\b");
	private static final Pattern DOMAIN = Pattern.compile(
			"(?i)(?<![a-z0-9@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){1,8}(?:" + trie(TLDS) + ")(?![a-z0-9-])");
	private static final Pattern IPV4 = Pattern.compile(
			"(?<![0-9.])(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}(?![0-9]|\\.\\d)");
	private static final Pattern IPV6 = Pattern.compile("(?i)(?<![0-9a-f:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![0-9a-f:])");
	private static final Pattern REGISTRY = Pattern.compile("(?i)\\b(?:HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|"
			+ "HKEY_CLASSES_ROOT|HKEY_USERS|HKEY_CURRENT_CONFIG|HKLM|HKCU|HKCR|HKU|HKCC)(?::)?(?:\\\\[^\\\\\\s\"'<>|*?]{1,255}){1,32}");
	private static final Pattern WINDOWS_PATH = Pattern.compile(
			"(?i)(?<![a-z0-9])(?:[a-z]:|%[a-z_]{2,32}%|\\\\\\\\[a-z0-9._$-]{1,64})\\\\[^\\s\"'<>|*?:\\x00-\\x1f]{1,512}");
	private static final Pattern UNIX_PATH = Pattern.compile("(?<![\\w/.:~-])/(?:tmp|etc|bin|usr|var|home|dev|proc"
			+ "|root|opt|lib|lib64|sbin|boot|run|srv|mnt|media|sys|Library|Users|System|Applications)(?:/[\\w.+@-]{1,255}){1,32}");

	/**
	 * The words of an alternation such as {@link #TLDS} as a trie, {@code "c(?:o(?:m|rp)?|n|...)|..."}: the same set
	 * of strings, but tried letter by letter instead of word by word (about 150 of them), which was most of the time
	 * the domain and email patterns took. The order of the words does not matter there: a TLD must be followed by a
	 * character that could not continue it, so at most one TLD matches at a place.
	 */
	static String trie(String alternation) {
		return trie(List.of(alternation.split("\\|")));
	}

	private static String trie(List<String> words) {
		Map<Character, List<String>> byFirst = new TreeMap<>();
		boolean complete = false; // a word ends here
		for (String word : words) {
			if (word.isEmpty()) {
				complete = true;
			}
			else {
				byFirst.computeIfAbsent(word.charAt(0), first -> new ArrayList<>()).add(word.substring(1));
			}
		}
		List<String> branches = new ArrayList<>();
		byFirst.forEach((first, rests) -> branches.add(first + trie(rests)));
		if (branches.isEmpty()) {
			return "";
		}
		if (complete) {
			return "(?:" + String.join("|", branches) + ")?";
		}
		return branches.size() == 1 ? branches.get(0) : "(?:" + String.join("|", branches) + ")";
	}

	private final Settings settings;

	public StringsAnalyzer() {
		this(Settings.defaults());
	}

	public StringsAnalyzer(Settings settings) {
		super("strings", "1");
		this.settings = settings;
	}

	@Override
	public Set<String> fields() {
		return Set.of("strings");
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws IOException {
		Collector collector = new Collector(settings);
		scan(SampleBytes.of(sample), settings, collector);
		findings.put("strings", collector.report());
	}

	private static final int CHUNK = 64 * 1024; // even, so a byte's parity in the chunk is its parity in the sample

	/**
	 * The single pass over a heap copy of each chunk: {@link Runs} finds the runs long enough to report, then the
	 * collector takes them, each chunk in turn. A run that started in this chunk is read from the chunk; only one that
	 * crossed into it from the last is read from the buffer.
	 */
	static void scan(ByteBuffer bytes, Settings settings, Collector collector) {
		int total = bytes.limit();
		byte[] chunk = new byte[CHUNK + 1];
		Runs runs = new Runs(settings.minLength());
		for (int base = 0; base < total; base += CHUNK) {
			Deadline.check();
			int n = Math.min(CHUNK + 1, total - base);
			bytes.get(base, chunk, 0, n);
			if (n <= CHUNK) {
				chunk[n] = 1; // the sample's last byte has no zero after it
			}
			runs.find(chunk, base, Math.min(CHUNK, n));
			collector.take(runs, bytes, chunk, base);
		}
		runs.finish(total);
		collector.take(runs, bytes, chunk, total);
	}

	private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	private static final String DIGITS = "0123456789";

	/** The characters every match of a pattern is made of, and the one every match holds. */
	private record Confined(boolean[] chars, char mark) {

		Confined(String chars, char mark) {
			this(new boolean[256], mark);
			for (char c : chars.toCharArray()) {
				this.chars[c] = true;
			}
		}
	}

	/** Deduplicates, samples and scans the strings for indicators, within the settings' caps. */
	static final class Collector {

		private static final String[] NONE = {};

		/** The pattern for each clue bit of {@link Clues}, in bit order, which is the order the report lists them. */
		private static final Pattern[] MATCHERS = { URL, EMAIL, DOMAIN, IPV4, IPV6, REGISTRY, WINDOWS_PATH, UNIX_PATH };
		/** For each pattern of {@link #MATCHERS} whose matches hold only some characters, those; else null. */
		private static final Confined[] CONFINED = { null, new Confined(LETTERS + DIGITS + "._%+-@", '@'),
				new Confined(LETTERS + DIGITS + ".-", '.'), new Confined(DIGITS + ".", '.'),
				new Confined(DIGITS + "abcdefABCDEF:", ':'), null, null, null };
		private static final int MEMO_ENTRIES = 4096;
		private static final int MEMO_LENGTH = 256;

		private final Settings settings;
		private final Set<String> unique = new HashSet<>();
		private final List<String> sample = new ArrayList<>();
		private final Map<String, Set<String>> iocs = new LinkedHashMap<>();
		private final Map<String, Integer> iocCounts = new LinkedHashMap<>();
		private long count;
		private long asciiCount;
		private long wideCount;
		private byte[] scratch = new byte[256];
		private final Map<String, String[]> memo = new HashMap<>();
		private final List<String> pending = new ArrayList<>();
		private final Matcher[] matchers = new Matcher[MATCHERS.length];
		/** For a URL's host, apart from {@link #matchers}, which are in the middle of a search when a URL is found. */
		private final Matcher hostIpv4 = IPV4.matcher("");
		private final Matcher hostDomain = DOMAIN.matcher("");
		private int[] tokens = new int[48];

		/** Every string searched whole by every pattern, with no clues, tokens or stretches: the tests' reference. */
		private final boolean plain;

		Collector(Settings settings) {
			this(settings, false);
		}

		/** {@code plain}: see {@link #plain}; it needs maxUnique above the number of strings. */
		Collector(Settings settings, boolean plain) {
			this.settings = settings;
			this.plain = plain;
			for (int type = 0; type < MATCHERS.length; type++) {
				matchers[type] = MATCHERS[type].matcher("").useTransparentBounds(true);
			}
			for (String type : List.of("urls", "domains", "ipv4", "ipv6", "emails", "registryKeys", "filePaths")) {
				iocs.put(type, new LinkedHashSet<>());
				iocCounts.put(type, 0);
			}
		}

		/** The runs recorded in {@code runs}, in order; those that start at or after {@code base} are in the chunk. */
		void take(Runs runs, ByteBuffer bytes, byte[] chunk, int base) {
			for (int k = 0, n = runs.count(); k < n; k++) {
				int start = runs.start(k);
				int length = runs.length(k);
				if (length > 0) {
					ascii(bytes, chunk, base, start, length);
				}
				else {
					wide(bytes, chunk, base, start, -length);
				}
			}
		}

		private void ascii(ByteBuffer bytes, byte[] chunk, int base, int start, int length) {
			asciiCount++;
			int n = Math.min(length, settings.maxStringLength());
			if (start >= base) {
				add(chunk, start - base, n);
			}
			else {
				byte[] text = scratch(n);
				bytes.get(start, text, 0, n);
				add(text, 0, n);
			}
		}

		private void wide(ByteBuffer bytes, byte[] chunk, int base, int start, int characters) {
			wideCount++;
			int n = Math.min(characters, settings.maxStringLength());
			byte[] text = scratch(2 * n);
			if (start >= base) {
				for (int i = 0, at = start - base; i < n; i++, at += 2) {
					text[i] = chunk[at];
				}
			}
			else {
				bytes.get(start, text, 0, 2 * n - 1);
				for (int i = 0; i < n; i++) {
					text[i] = text[2 * i];
				}
			}
			add(text, 0, n);
		}

		private byte[] scratch(int n) {
			if (scratch.length < n) {
				scratch = new byte[Math.max(n, 2 * scratch.length)];
			}
			return scratch;
		}

		/**
		 * One string, as the bytes {@code text[offset, offset + n)}. Once {@code maxUnique} distinct strings are kept, a
		 * string matters only for its indicators: one without clues is only counted, and never becomes a String.
		 */
		private void add(byte[] text, int offset, int n) {
			count++;
			if (unique.size() < settings.maxUnique()) {
				String string = new String(text, offset, n, StandardCharsets.ISO_8859_1);
				if (unique.add(string)) {
					if (sample.size() < settings.sampleSize()) {
						sample.add(string);
					}
					record(indicators(string, tokens(text, offset, offset + n)));
				}
				return;
			}
			if (Clues.any(text, offset, offset + n)) {
				int tokens = tokens(text, offset, offset + n);
				if (tokens > 0) {
					scanned(new String(text, offset, n, StandardCharsets.ISO_8859_1), tokens);
				}
			}
		}

		/** A string with clues, past maxUnique: a repeated one is scanned again, unless what it yields is remembered. */
		private void scanned(String text, int tokens) {
			if (unique.contains(text)) {
				return;
			}
			String[] found = memo.get(text);
			if (found == null) {
				found = indicators(text, tokens);
				if (memo.size() < MEMO_ENTRIES && text.length() <= MEMO_LENGTH) {
					memo.put(text, found);
				}
			}
			record(found);
		}

		private void record(String[] found) {
			for (int i = 0; i < found.length; i += 2) {
				record(found[i], found[i + 1]);
			}
		}

		/**
		 * Splits {@code text[from, to)} at spaces and tabs, and keeps in {@link #tokens} the tokens that have
		 * {@link Clues}, with their clues; returns how many. No indicator pattern matches whitespace, so every match
		 * lies in one token, and only a token with its clue needs to be searched.
		 */
		private int tokens(byte[] text, int from, int to) {
			int count = 0;
			int start = from;
			int special = -1; // the token's first character that starts a clue check, found in the same pass
			for (int i = from; i <= to; i++) {
				if (i < to && text[i] != ' ' && text[i] != '\t') {
					if (special < 0 && Clues.special(text[i])) {
						special = i;
					}
				}
				else {
					int clues = special >= 0 ? Clues.from(text, start, i, special) : 0;
					special = -1;
					if (clues != 0) {
						if (3 * count + 3 > tokens.length) {
							tokens = Arrays.copyOf(tokens, 2 * tokens.length);
						}
						tokens[3 * count] = start - from;
						tokens[3 * count + 1] = i - from;
						tokens[3 * count + 2] = clues;
						count++;
					}
					start = i + 1;
				}
			}
			return count;
		}

		/**
		 * Runs each indicator pattern only over the tokens that hold what every match of it must hold, checked in one
		 * pass over the characters; most strings in a binary hold none of it, and so cost no regex at all. A token is
		 * searched as a region of the whole string with transparent bounds, so that look-arounds and word boundaries
		 * see the same characters as on the whole string, and the matches come in the same order: pattern by pattern,
		 * from left to right.
		 */
		private String[] indicators(String text, int tokenCount) {
			if (plain) {
				pending.clear();
				for (int type = 0; type < MATCHERS.length; type++) {
					find(type, matchers[type].reset(text), 0, text.length());
				}
				return pending.toArray(NONE);
			}
			int clues = 0;
			for (int k = 0; k < tokenCount; k++) {
				clues |= tokens[3 * k + 2];
			}
			if (clues == 0) {
				return NONE;
			}
			pending.clear();
			for (int type = 0; type < MATCHERS.length; type++) {
				if ((clues & 1 << type) == 0) {
					continue;
				}
				Matcher m = matchers[type].reset(text);
				for (int k = 0; k < tokenCount; k++) {
					if ((tokens[3 * k + 2] & 1 << type) != 0) {
						search(type, m, text, tokens[3 * k], tokens[3 * k + 1]);
					}
				}
			}
			return pending.isEmpty() ? NONE : pending.toArray(NONE);
		}

		/**
		 * Searches {@code text[from, to)} with the pattern for clue bit {@code type}. A pattern whose matches hold
		 * only the characters of a {@link Confined} set is run only on the stretches of those characters that hold its
		 * mark: every match lies inside one, and the stretches come in order, so the matches are the same.
		 */
		private void search(int type, Matcher m, String text, int from, int to) {
			Confined confined = CONFINED[type];
			if (confined == null) {
				find(type, m, from, to);
				return;
			}
			for (int start = from; start < to;) {
				int end = start;
				boolean marked = false;
				while (end < to && confined.chars[text.charAt(end)]) {
					marked |= text.charAt(end) == confined.mark;
					end++;
				}
				if (marked) {
					find(type, m, start, end);
				}
				start = end + 1;
			}
		}

		private void find(int type, Matcher m, int from, int to) {
			m.region(from, to);
			while (m.find()) {
				found(type, m.group());
			}
		}

		/** What a match of the pattern for clue bit {@code type} yields. */
		private void found(int type, String match) {
			switch (1 << type) {
				case Clues.URL -> {
					String url = trimTrailing(match);
					put("urls", url);
					host(url);
				}
				case Clues.EMAIL -> {
					String email = match.toLowerCase(Locale.ROOT);
					put("emails", email);
					put("domains", email.substring(email.indexOf('@') + 1));
				}
				case Clues.DOMAIN -> put("domains", match.toLowerCase(Locale.ROOT));
				case Clues.IPV4 -> put("ipv4", trimTrailing(match));
				case Clues.IPV6 -> {
					if (isIpv6(match)) {
						put("ipv6", match.toLowerCase(Locale.ROOT));
					}
				}
				case Clues.REGISTRY_KEY -> put("registryKeys", trimTrailing(match));
				default -> put("filePaths", trimTrailing(match)); // Windows and Unix paths
			}
		}

		private void host(String url) {
			int start = url.indexOf("://") + 3;
			int end = start;
			while (end < url.length() && "/:?#".indexOf(url.charAt(end)) < 0) {
				end++;
			}
			String host = url.substring(start, end);
			int at = host.lastIndexOf('@');
			host = host.substring(at + 1).toLowerCase(Locale.ROOT);
			if (hostIpv4.reset(host).matches()) {
				put("ipv4", host);
			}
			else if (hostDomain.reset(host).matches()) {
				put("domains", host);
			}
		}

		/** An indicator found, in the order found: type, then value. */
		private void put(String type, String value) {
			pending.add(type);
			pending.add(value);
		}

		private void record(String type, String value) {
			Set<String> values = iocs.get(type);
			if (values.contains(value)) {
				return;
			}
			iocCounts.merge(type, 1, Integer::sum);
			if (values.size() < settings.maxIocsPerType()) {
				values.add(value);
			}
		}

		private static String trimTrailing(String value) {
			int end = value.length();
			while (end > 0 && ".,;:!?)]}'\"".indexOf(value.charAt(end - 1)) >= 0) {
				end--;
			}
			return value.substring(0, end);
		}

		Map<String, Object> report() {
			Map<String, Object> report = new LinkedHashMap<>();
			report.put("count", count);
			report.put("asciiCount", asciiCount);
			report.put("utf16Count", wideCount);
			report.put("uniqueKept", unique.size());
			report.put("sample", List.copyOf(sample));
			Map<String, Object> found = new LinkedHashMap<>();
			iocs.forEach((type, values) -> found.put(type, List.copyOf(values)));
			report.put("iocs", found);
			report.put("iocCounts", new LinkedHashMap<>(iocCounts));
			return report;
		}
	}

	/** A strict IPv6 check: eight groups of 1-4 hex digits, or fewer with exactly one {@code ::}. */
	static boolean isIpv6(String candidate) {
		int doubleColon = candidate.indexOf("::");
		if (doubleColon != candidate.lastIndexOf("::")) {
			return false;
		}
		if (doubleColon < 0) {
			return groups(candidate) == 8;
		}
		String left = candidate.substring(0, doubleColon);
		String right = candidate.substring(doubleColon + 2);
		int l = left.isEmpty() ? 0 : groups(left);
		int r = right.isEmpty() ? 0 : groups(right);
		return l >= 0 && r >= 0 && l + r <= 7 && l + r >= 1;
	}

	private static int groups(String part) {
		String[] groups = part.split(":", -1);
		for (String group : groups) {
			if (group.isEmpty() || group.length() > 4) {
				return -100;
			}
		}
		return groups.length;
	}
}
