package io.trawl.worker.analysis.strings;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.bytes.SampleBytes;
import io.trawl.worker.source.Sample;

/**
 * The strings analyzer as first written (commit 9fece44): simple and slow. It is the oracle that
 * {@link StringsEquivalenceTest} holds the faster {@link StringsAnalyzer} to, field for field.
 */
final class StringsReference implements Analyzer {

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

	StringsReference() {
		this(Settings.defaults());
	}

	StringsReference(Settings settings) {
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

	/** The single pass: tracks one ASCII run and one UTF-16LE run per byte parity. */
	static void scan(ByteBuffer bytes, Settings settings, Collector collector) {
		int total = bytes.limit();
		int min = settings.minLength();
		byte[] chunk = new byte[64 * 1024 + 1];
		int asciiStart = -1;
		int[] wideStart = { -1, -1 };
		int[] wideChars = { 0, 0 };
		for (int base = 0; base < total; base += chunk.length - 1) {
			int n = Math.min(chunk.length, total - base);
			bytes.get(base, chunk, 0, n);
			int end = Math.min(chunk.length - 1, n);
			for (int i = 0; i < end; i++) {
				int c = chunk[i] & 0xff;
				boolean printable = c >= 0x20 && c < 0x7f || c == '\t';
				int at = base + i;
				if (printable) {
					if (asciiStart < 0) {
						asciiStart = at;
					}
				}
				else if (asciiStart >= 0) {
					if (at - asciiStart >= min) {
						collector.ascii(bytes, asciiStart, at - asciiStart);
					}
					asciiStart = -1;
				}
				int parity = at & 1;
				boolean wide = printable && i + 1 < n && chunk[i + 1] == 0;
				if (wide) {
					if (wideStart[parity] < 0) {
						wideStart[parity] = at;
						wideChars[parity] = 0;
					}
					wideChars[parity]++;
				}
				else if (wideStart[parity] >= 0) {
					if (wideChars[parity] >= min) {
						collector.wide(bytes, wideStart[parity], wideChars[parity]);
					}
					wideStart[parity] = -1;
				}
			}
		}
		if (asciiStart >= 0 && total - asciiStart >= min) {
			collector.ascii(bytes, asciiStart, total - asciiStart);
		}
		for (int parity = 0; parity < 2; parity++) {
			if (wideStart[parity] >= 0 && wideChars[parity] >= min) {
				collector.wide(bytes, wideStart[parity], wideChars[parity]);
			}
		}
	}

	/** Deduplicates, samples and scans the strings for indicators, within the settings' caps. */
	static final class Collector {

		private final Settings settings;
		private final Set<String> unique = new HashSet<>();
		private final List<String> sample = new ArrayList<>();
		private final Map<String, Set<String>> iocs = new LinkedHashMap<>();
		private final Map<String, Integer> iocCounts = new LinkedHashMap<>();
		private long count;
		private long asciiCount;
		private long wideCount;

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
			char[] chars = new char[n];
			for (int i = 0; i < n; i++) {
				chars[i] = (char) (bytes.get(start + i) & 0xff);
			}
			add(new String(chars));
		}

		void wide(ByteBuffer bytes, int start, int characters) {
			wideCount++;
			int n = Math.min(characters, settings.maxStringLength());
			char[] chars = new char[n];
			for (int i = 0; i < n; i++) {
				chars[i] = (char) (bytes.get(start + 2 * i) & 0xff);
			}
			add(new String(chars));
		}

		private void add(String text) {
			count++;
			if (unique.contains(text)) {
				return;
			}
			if (unique.size() < settings.maxUnique()) {
				unique.add(text);
				if (sample.size() < settings.sampleSize()) {
					sample.add(text);
				}
			}
			indicators(text);
		}

		private void indicators(String text) {
			boolean dot = text.indexOf('.') >= 0;
			boolean colon = text.indexOf(':') >= 0;
			boolean backslash = text.indexOf('\\') >= 0;
			if (colon && text.contains("://")) {
				Matcher m = URL.matcher(text);
				while (m.find()) {
					String url = trimTrailing(m.group());
					put("urls", url);
					host(url);
				}
			}
			if (dot && text.indexOf('@') >= 0) {
				Matcher m = EMAIL.matcher(text);
				while (m.find()) {
					String email = m.group().toLowerCase(Locale.ROOT);
					put("emails", email);
					put("domains", email.substring(email.indexOf('@') + 1));
				}
			}
			if (dot) {
				Matcher m = DOMAIN.matcher(text);
				while (m.find()) {
					put("domains", m.group().toLowerCase(Locale.ROOT));
				}
				find(IPV4, text, "ipv4");
			}
			if (colon) {
				Matcher m = IPV6.matcher(text);
				while (m.find()) {
					if (isIpv6(m.group())) {
						put("ipv6", m.group().toLowerCase(Locale.ROOT));
					}
				}
			}
			if (backslash) {
				find(REGISTRY, text, "registryKeys");
				find(WINDOWS_PATH, text, "filePaths");
			}
			if (text.indexOf('/') >= 0) {
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

		private void put(String type, String value) {
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
