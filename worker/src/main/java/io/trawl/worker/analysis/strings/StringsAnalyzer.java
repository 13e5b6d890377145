package io.trawl.worker.analysis.strings;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.trawl.worker.analysis.Deadline;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.pe.SampleBytes;
import io.trawl.worker.source.Sample;

/**
 * Printable ASCII and UTF-16LE strings, found in one pass over the bytes, and the indicators in them: URLs, domains,
 * IPv4 and IPv6 addresses, email addresses, Windows registry keys and file paths. Everything is deduplicated and
 * capped, with the total counts kept, so a file full of strings costs bounded memory.
 */
public final class StringsAnalyzer implements Analyzer {

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

	private static final String TLDS = "com|net|org|info|biz|io|co|ru|cn|de|uk|fr|jp|br|in|it|nl|pl|su|tk|top|xyz"
			+ "|online|site|club|me|tv|cc|ws|pw|onion|gov|edu|mil|int|eu|us|ca|au|kr|ir|kp|ua|by|kz|ro|es|se|ch|at|be"
			+ "|cz|hu|tr|vn|id|th|tw|hk|sg|my|ph|mx|ar|cl|za|ng|ke|eg|sa|ae|il|gr|pt|dk|no|fi|ie|nz|lt|lv|ee|bg|rs"
			+ "|hr|si|sk|md|ge|am|az|uz|pk|bd|lk|np|ly|cf|ga|ml|gq|icu|live|shop|app|dev|cloud|link|win|bid|loan"
			+ "|work|space|store|tech|website|fun|today|world|email|zip|mobi|name|pro|asia|local|lan|internal|corp";

	private static final Pattern URL = Pattern.compile(
			"(?i)\\b(?:https?|hxxps?|ftp|sftp|wss?)://[^\\s\"'<>(){}\\[\\]|\\\\^`]{3,2048}");
	private static final Pattern EMAIL = Pattern.compile(
			"(?i)\\b[a-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){1,8}(?:" + TLDS + ")\\b");
	private static final Pattern DOMAIN = Pattern.compile(
			"(?i)(?<![a-z0-9@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){1,8}(?:" + TLDS + ")(?![a-z0-9-])");
	private static final Pattern IPV4 = Pattern.compile(
			"(?<![0-9.])(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}(?![0-9]|\\.\\d)");
	private static final Pattern IPV6 = Pattern.compile("(?i)(?<![0-9a-f:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![0-9a-f:])");
	private static final Pattern REGISTRY = Pattern.compile("(?i)\\b(?:HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|"
			+ "HKEY_CLASSES_ROOT|HKEY_USERS|HKEY_CURRENT_CONFIG|HKLM|HKCU|HKCR|HKU|HKCC)(?::)?(?:\\\\[^\\\\\\s\"'<>|*?]{1,255}){1,32}");
	private static final Pattern WINDOWS_PATH = Pattern.compile(
			"(?i)(?<![a-z0-9])(?:[a-z]:|%[a-z_]{2,32}%|\\\\\\\\[a-z0-9._$-]{1,64})\\\\[^\\s\"'<>|*?:\\x00-\\x1f]{1,512}");
	private static final Pattern UNIX_PATH = Pattern.compile("(?<![\\w/.:~-])/(?:tmp|etc|bin|usr|var|home|dev|proc"
			+ "|root|opt|lib|lib64|sbin|boot|run|srv|mnt|media|sys|Library|Users|System|Applications)(?:/[\\w.+@-]{1,255}){1,32}");

	private final Settings settings;

	public StringsAnalyzer() {
		this(Settings.defaults());
	}

	public StringsAnalyzer(Settings settings) {
		this.settings = settings;
	}

	@Override
	public String name() {
		return "strings";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws IOException {
		Collector collector = new Collector(settings);
		scan(SampleBytes.of(sample), settings, collector);
		findings.put("strings", collector.report());
	}

	private static final int CHUNK = 64 * 1024; // even, so a byte's parity in the chunk is its parity in the sample

	/** 1 for the bytes a string may hold (printable ASCII and tab), else 0. */
	private static final byte[] PRINTABLE = new byte[256];

	static {
		for (int c = 0x20; c < 0x7f; c++) {
			PRINTABLE[c] = 1;
		}
		PRINTABLE['\t'] = 1;
	}

	/**
	 * The single pass over a heap copy of each chunk: one ASCII run, and one UTF-16LE run per byte parity (a wide
	 * character is a printable byte followed by a zero). Runs are tracked as lengths without branching on each byte;
	 * only a run that ends long enough costs a call.
	 */
	static void scan(ByteBuffer bytes, Settings settings, Collector collector) {
		int total = bytes.limit();
		int min = settings.minLength();
		byte[] chunk = new byte[CHUNK + 1];
		byte[] printable = PRINTABLE;
		int ascii = 0;
		int wideEven = 0;
		int wideOdd = 0;
		for (int base = 0; base < total; base += CHUNK) {
			Deadline.check();
			int n = Math.min(CHUNK + 1, total - base);
			bytes.get(base, chunk, 0, n);
			int end = Math.min(CHUNK, n);
			if (n <= CHUNK) {
				chunk[n] = 1; // the sample's last byte has no zero after it
			}
			int i = 0;
			for (; i + 1 < end; i += 2) {
				// a run that just ended has its length in the "ended" value, else that is 0: one rare branch a byte
				int p = printable[chunk[i] & 0xff];
				int w = p & (chunk[i + 1] == 0 ? 1 : 0);
				int endedAscii = ascii & (p - 1);
				int endedWide = wideEven & (w - 1);
				ascii = (ascii + 1) & -p;
				wideEven = (wideEven + 1) & -w;
				if ((endedAscii | endedWide) >= min) {
					ended(bytes, chunk, base, collector, min, base + i, endedAscii, endedWide);
				}
				p = printable[chunk[i + 1] & 0xff];
				w = p & (chunk[i + 2] == 0 ? 1 : 0);
				endedAscii = ascii & (p - 1);
				endedWide = wideOdd & (w - 1);
				ascii = (ascii + 1) & -p;
				wideOdd = (wideOdd + 1) & -w;
				if ((endedAscii | endedWide) >= min) {
					ended(bytes, chunk, base, collector, min, base + i + 1, endedAscii, endedWide);
				}
			}
			if (i < end) { // the last byte of a sample of odd length
				int p = printable[chunk[i] & 0xff];
				int w = p & (chunk[i + 1] == 0 ? 1 : 0);
				int endedAscii = ascii & (p - 1);
				int endedWide = wideEven & (w - 1);
				ascii = (ascii + 1) & -p;
				wideEven = (wideEven + 1) & -w;
				if ((endedAscii | endedWide) >= min) {
					ended(bytes, chunk, base, collector, min, base + i, endedAscii, endedWide);
				}
			}
		}
		if (ascii >= min) {
			collector.ascii(bytes, total - ascii, ascii);
		}
		// a run still open ended at the last position of its parity, total - 1 or total - 2
		int lastEven = (total - 1 & 1) == 0 ? total - 1 : total - 2;
		int lastOdd = (total - 1 & 1) == 1 ? total - 1 : total - 2;
		if (wideEven >= min) {
			collector.wide(bytes, lastEven - 2 * (wideEven - 1), wideEven);
		}
		if (wideOdd >= min) {
			collector.wide(bytes, lastOdd - 2 * (wideOdd - 1), wideOdd);
		}
	}

	/**
	 * Reports the runs that ended at {@code at}: the ASCII one first, as the byte order has it. A run that started in
	 * this chunk is copied from the chunk; only one that crossed into it from the last is read from the buffer.
	 */
	private static void ended(ByteBuffer bytes, byte[] chunk, int base, Collector collector, int min, int at,
			int ascii, int wide) {
		if (ascii >= min) {
			int start = at - ascii;
			if (start >= base) {
				collector.ascii(chunk, start - base, ascii);
			}
			else {
				collector.ascii(bytes, start, ascii);
			}
		}
		if (wide >= min) {
			int start = at - 2 * wide;
			if (start >= base) {
				collector.wide(chunk, start - base, wide);
			}
			else {
				collector.wide(bytes, start, wide);
			}
		}
	}

	/** Deduplicates, samples and scans the strings for indicators, within the settings' caps. */
	static final class Collector {

		private static final String[] NONE = {};
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

		Collector(Settings settings) {
			this.settings = settings;
			for (String type : List.of("urls", "domains", "ipv4", "ipv6", "emails", "registryKeys", "filePaths")) {
				iocs.put(type, new LinkedHashSet<>());
				iocCounts.put(type, 0);
			}
		}

		void ascii(ByteBuffer bytes, int start, int length) {
			asciiCount++;
			int n = Math.min(length, settings.maxStringLength());
			byte[] text = scratch(n);
			bytes.get(start, text, 0, n);
			add(new String(text, 0, n, StandardCharsets.ISO_8859_1));
		}

		void wide(ByteBuffer bytes, int start, int characters) {
			wideCount++;
			int n = Math.min(characters, settings.maxStringLength());
			byte[] text = scratch(2 * n);
			bytes.get(start, text, 0, 2 * n - 1);
			for (int i = 0; i < n; i++) {
				text[i] = text[2 * i];
			}
			add(new String(text, 0, n, StandardCharsets.ISO_8859_1));
		}

		void ascii(byte[] chunk, int offset, int length) {
			asciiCount++;
			add(new String(chunk, offset, Math.min(length, settings.maxStringLength()), StandardCharsets.ISO_8859_1));
		}

		void wide(byte[] chunk, int offset, int characters) {
			wideCount++;
			int n = Math.min(characters, settings.maxStringLength());
			byte[] text = scratch(n);
			for (int i = 0; i < n; i++) {
				text[i] = chunk[offset + 2 * i];
			}
			add(new String(text, 0, n, StandardCharsets.ISO_8859_1));
		}

		private byte[] scratch(int n) {
			if (scratch.length < n) {
				scratch = new byte[Math.max(n, 2 * scratch.length)];
			}
			return scratch;
		}

		private void add(String text) {
			count++;
			if (unique.contains(text)) {
				return;
			}
			boolean kept = unique.size() < settings.maxUnique();
			if (kept) {
				unique.add(text);
				if (sample.size() < settings.sampleSize()) {
					sample.add(text);
				}
			}
			// past maxUnique a repeated string is scanned again; what it yields is remembered instead
			String[] found = kept ? null : memo.get(text);
			if (found == null) {
				pending.clear();
				indicators(text);
				found = pending.isEmpty() ? NONE : pending.toArray(NONE);
				if (!kept && memo.size() < MEMO_ENTRIES && text.length() <= MEMO_LENGTH) {
					memo.put(text, found);
				}
			}
			for (int i = 0; i < found.length; i += 2) {
				record(found[i], found[i + 1]);
			}
		}

		/**
		 * Runs each indicator pattern only over strings that hold what every match of it must hold, checked in one
		 * pass over the characters; most strings in a binary hold none of it, and so cost no regex at all.
		 */
		private void indicators(String text) {
			Clues clues = Clues.of(text);
			if (clues.url) {
				Matcher m = URL.matcher(text);
				while (m.find()) {
					String url = trimTrailing(m.group());
					put("urls", url);
					host(url);
				}
			}
			if (clues.email) {
				Matcher m = EMAIL.matcher(text);
				while (m.find()) {
					String email = m.group().toLowerCase(Locale.ROOT);
					put("emails", email);
					put("domains", email.substring(email.indexOf('@') + 1));
				}
			}
			if (clues.domain) {
				Matcher m = DOMAIN.matcher(text);
				while (m.find()) {
					put("domains", m.group().toLowerCase(Locale.ROOT));
				}
			}
			if (clues.ipv4) {
				find(IPV4, text, "ipv4");
			}
			if (clues.ipv6) {
				Matcher m = IPV6.matcher(text);
				while (m.find()) {
					if (isIpv6(m.group())) {
						put("ipv6", m.group().toLowerCase(Locale.ROOT));
					}
				}
			}
			if (clues.registryKey) {
				find(REGISTRY, text, "registryKeys");
			}
			if (clues.windowsPath) {
				find(WINDOWS_PATH, text, "filePaths");
			}
			if (clues.unixPath) {
				find(UNIX_PATH, text, "filePaths");
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
			if (IPV4.matcher(host).matches()) {
				put("ipv4", host);
			}
			else if (DOMAIN.matcher(host).matches()) {
				put("domains", host);
			}
		}

		private void find(Pattern pattern, String text, String type) {
			Matcher m = pattern.matcher(text);
			while (m.find()) {
				put(type, trimTrailing(m.group()));
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

	/**
	 * What a string holds that each indicator pattern needs, as necessary conditions of a match: a URL has
	 * {@code ://}; a domain ends in a dot and a TLD that is the whole run of {@code [a-z0-9-]} after that dot, an email
	 * in a dot and a TLD that is the whole run of word characters after it, and an {@code @}; an IPv4 address has a dot
	 * between digits; an IPv6 address two colons with at most four hex digits between them; a registry key a backslash
	 * and {@code HK}; a Windows path a backslash after a colon, a percent sign or a backslash; a Unix path a slash, one
	 * of the listed top folders and a slash.
	 */
	record Clues(boolean url, boolean email, boolean domain, boolean ipv4, boolean ipv6, boolean registryKey,
			boolean windowsPath, boolean unixPath) {

		private static final Set<String> TLD_SET = Set.of(TLDS.split("\\|"));
		private static final Set<String> UNIX_TOP = Set.of("tmp", "etc", "bin", "usr", "var", "home", "dev", "proc",
				"root", "opt", "lib", "lib64", "sbin", "boot", "run", "srv", "mnt", "media", "sys", "Library", "Users",
				"System", "Applications");

		/** The characters that start a check; every other character is passed over with one table look-up. */
		private static final boolean[] SPECIAL = new boolean[128];

		static {
			for (char c : ".@\\:/%".toCharArray()) {
				SPECIAL[c] = true;
			}
		}

		static Clues of(String text) {
			int length = text.length();
			boolean url = false, domainTld = false, emailTld = false, at = false, ipv4 = false, ipv6 = false;
			boolean backslash = false, hk = false, windowsPath = false, unixPath = false;
			int lastColon = -1;
			for (int i = 0; i < length; i++) {
				char c = text.charAt(i);
				if (c >= 128 || !SPECIAL[c]) {
					continue;
				}
				switch (c) {
					case '.' -> {
						if (!ipv4 && i > 0 && i + 1 < length && isDigit(text.charAt(i - 1)) && isDigit(text.charAt(i + 1))) {
							ipv4 = true;
						}
						// every TLD is 2 to 8 letters
						if (i + 2 < length && isLetter(text.charAt(i + 1)) && isLetter(text.charAt(i + 2))) {
							if (!domainTld) {
								domainTld = isTld(text, i + 1, runEnd(text, i + 1, '-'));
							}
							if (!emailTld) {
								emailTld = isTld(text, i + 1, runEnd(text, i + 1, '_'));
							}
						}
					}
					case '@' -> at = true;
					case '\\' -> {
						backslash = true;
						// a Windows path has "X:\", "%VAR%\" or "\\\\host"
						if (!windowsPath && i > 0) {
							char before = text.charAt(i - 1);
							windowsPath = before == ':' || before == '%' || before == '\\';
						}
					}
					case ':' -> {
						if (!url && i + 2 < length && text.charAt(i + 1) == '/' && text.charAt(i + 2) == '/') {
							url = true;
						}
						if (!ipv6 && lastColon >= 0 && i - lastColon - 1 <= 4 && allHex(text, lastColon + 1, i)) {
							ipv6 = true;
						}
						lastColon = i;
					}
					case '/' -> {
						if (!unixPath) {
							int end = i + 1;
							while (end < length && isAlnum(text.charAt(end))) {
								end++;
							}
							unixPath = end < length && text.charAt(end) == '/' && UNIX_TOP.contains(text.substring(i + 1, end));
						}
					}
					default -> {
					}
				}
			}
			if (backslash) {
				hk = text.regionMatches(true, 0, "hk", 0, 2) || containsHk(text);
			}
			return new Clues(url, at && emailTld, domainTld, ipv4, ipv6, backslash && hk, backslash && windowsPath,
					unixPath);
		}

		private static boolean containsHk(String text) {
			for (int i = 0; i + 1 < text.length(); i++) {
				char c = text.charAt(i);
				if ((c == 'h' || c == 'H') && (text.charAt(i + 1) == 'k' || text.charAt(i + 1) == 'K')) {
					return true;
				}
			}
			return false;
		}

		private static boolean allHex(String text, int from, int to) {
			for (int i = from; i < to; i++) {
				if (!isHex(text.charAt(i))) {
					return false;
				}
			}
			return true;
		}

		/** The end of the run of letters, digits and {@code extra} from {@code from}, looked at up to 9 characters. */
		private static int runEnd(String text, int from, char extra) {
			int end = from;
			int limit = Math.min(text.length(), from + 9);
			while (end < limit && (isAlnum(text.charAt(end)) || text.charAt(end) == extra)) {
				end++;
			}
			return end;
		}

		private static boolean isLetter(char c) {
			return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
		}

		private static boolean isTld(String text, int from, int to) {
			return to - from >= 2 && to - from <= 8 && TLD_SET.contains(text.substring(from, to).toLowerCase(Locale.ROOT));
		}

		private static boolean isDigit(char c) {
			return c >= '0' && c <= '9';
		}

		private static boolean isAlnum(char c) {
			return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
		}

		private static boolean isHex(char c) {
			return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
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
