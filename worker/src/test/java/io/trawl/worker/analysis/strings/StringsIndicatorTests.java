package io.trawl.worker.analysis.strings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * The indicators found in one string, each expectation written by hand from what the string holds: indicators, and
 * near misses that must yield nothing (a TLD that is not one, a fifth octet, a label too many).
 */
class StringsIndicatorTests {

	static Stream<Arguments> strings() {
		return Stream.of(
				found("http://a.example.com/x", "urls", List.of("http://a.example.com/x"), "domains",
						List.of("a.example.com")),
				found("hxxps://10.0.0.1:8080/p?q=1", "urls", List.of("hxxps://10.0.0.1:8080/p?q=1"), "ipv4",
						List.of("10.0.0.1")),
				// the path's file name ends in a TLD too
				found("ftp://files.example.org/a.zip", "urls", List.of("ftp://files.example.org/a.zip"), "domains",
						List.of("files.example.org", "a.zip")),
				found("wss://h.example.io/s", "urls", List.of("wss://h.example.io/s"), "domains",
						List.of("h.example.io")),
				found("see http://x.example.net/a).", "urls", List.of("http://x.example.net/a"), "domains",
						List.of("x.example.net")),
				found("user@mail.evil.ru", "emails", List.of("user@mail.evil.ru"), "domains", List.of("mail.evil.ru")),
				found("Admin@Evil.Example.ORG", "emails", List.of("admin@evil.example.org"), "domains",
						List.of("evil.example.org")),
				found("bad.top", "domains", List.of("bad.top")),
				found("EXAMPLE.COM", "domains", List.of("example.com")),
				found("a.Internal", "domains", List.of("a.internal")),
				found("x.ORG.", "domains", List.of("x.org")),
				found("host.com_x", "domains", List.of("host.com")),
				found("1.2.3.4", "ipv4", List.of("1.2.3.4")),
				found("at 192.0.2.44, then", "ipv4", List.of("192.0.2.44")),
				found("fe80::1", "ipv6", List.of("fe80::1")),
				found("1:2:3:4:5:6:7:8", "ipv6", List.of("1:2:3:4:5:6:7:8")),
				// an IPv4-mapped address: the dotted part is an IPv4 address, the head before it reads as IPv6
				found("::ffff:1.2.3.4", "ipv6", List.of("::ffff:1"), "ipv4", List.of("1.2.3.4")),
				found("HKLM\\Software\\Run\\x", "registryKeys", List.of("HKLM\\Software\\Run\\x")),
				found("HKEY_USERS\\S-1-5\\y", "registryKeys", List.of("HKEY_USERS\\S-1-5\\y")),
				found("C:\\Windows\\x.exe", "filePaths", List.of("C:\\Windows\\x.exe")),
				found("%APPDATA%\\evil\\a.dll", "filePaths", List.of("%APPDATA%\\evil\\a.dll")),
				found("\\\\server\\share\\f.txt", "filePaths", List.of("\\\\server\\share\\f.txt")),
				found("/tmp/.x/y", "filePaths", List.of("/tmp/.x/y")),
				found("/lib64/ld.so", "filePaths", List.of("/lib64/ld.so")),
				found("/usr/bin/env", "filePaths", List.of("/usr/bin/env")),
				nothing("x@y.z"), // z is no TLD
				nothing("not.a.tld"),
				nothing("lib.so.6"),
				nothing("GLIBC_2.2.5"),
				nothing("256.1.1.1"), // an octet above 255
				nothing("300.2.3.4.5"), // five parts
				nothing("12:30:45"), // a time, three groups without ::
				nothing("a::b::c"), // two ::
				nothing("/libx/a"), // not a system folder
				nothing("/etc"), // a folder alone
				nothing("name@host.co_uk"), // no word boundary after the TLD, and the domain follows an @
				nothing("host.com-x"), // the label goes on
				nothing("mail@a.b.c.d.e.f.g.h.i.com")); // nine labels, at most eight
	}

	@ParameterizedTest
	@MethodSource("strings")
	void givenAString_thenExactlyTheHandCheckedIndicatorsAreFound(String text, Map<String, List<String>> expected)
			throws Exception {
		Findings findings = new Findings();
		new StringsAnalyzer(new StringsAnalyzer.Settings(1, 1000, 100, 200, 4096))
			.analyse(Sample.ofBytes("sample", text.getBytes(StandardCharsets.ISO_8859_1)), findings);

		Map<?, ?> iocs = (Map<?, ?>) ((Map<?, ?>) findings.get("strings")).get("iocs");
		Map<Object, Object> nonEmpty = new LinkedHashMap<>();
		iocs.forEach((type, values) -> {
			if (!((List<?>) values).isEmpty()) {
				nonEmpty.put(type, values);
			}
		});
		assertThat(nonEmpty).isEqualTo(expected);
	}

	@Test
	void givenTheSameStringAsUtf16_thenTheSameIndicators() throws Exception {
		String text = "GET http://wide.example.com/a from 192.0.2.7 into C:\\Temp\\w.exe";
		Findings ascii = new Findings();
		Findings wide = new Findings();
		StringsAnalyzer analyzer = new StringsAnalyzer();

		analyzer.analyse(Sample.ofBytes("ascii", text.getBytes(StandardCharsets.US_ASCII)), ascii);
		analyzer.analyse(Sample.ofBytes("wide", text.getBytes(StandardCharsets.UTF_16LE)), wide);

		Map<?, ?> iocs = (Map<?, ?>) ((Map<?, ?>) wide.get("strings")).get("iocs");
		assertThat(iocs.get("urls")).isEqualTo(List.of("http://wide.example.com/a"));
		assertThat(iocs.get("domains")).isEqualTo(List.of("wide.example.com"));
		assertThat(iocs.get("ipv4")).isEqualTo(List.of("192.0.2.7"));
		assertThat(iocs.get("filePaths")).isEqualTo(List.of("C:\\Temp\\w.exe"));
		assertThat(iocs).isEqualTo(((Map<?, ?>) ascii.get("strings")).get("iocs"));
	}

	/** The TLD trie in the domain and email patterns matches exactly the words of the list it is built from. */
	@Test
	void givenTheTldTrie_thenItMatchesExactlyTheTlds() {
		Set<String> tlds = Set.of(StringsAnalyzer.TLDS.split("\\|"));
		Pattern trie = Pattern.compile("(?:" + StringsAnalyzer.trie(StringsAnalyzer.TLDS) + ")");
		Set<String> candidates = new TreeSet<>(tlds);
		for (String tld : tlds) {
			for (int n = 0; n < tld.length(); n++) {
				candidates.add(tld.substring(0, n)); // every prefix, and every TLD with a letter more
			}
			for (char c = 'a'; c <= 'z'; c++) {
				candidates.add(tld + c);
			}
		}
		for (String candidate : candidates) {
			assertThat(trie.matcher(candidate).matches()).as(candidate).isEqualTo(tlds.contains(candidate));
		}
	}

	private static Arguments found(String text, Object... typesAndValues) {
		Map<String, List<String>> expected = new LinkedHashMap<>();
		for (int i = 0; i < typesAndValues.length; i += 2) {
			@SuppressWarnings("unchecked")
			List<String> values = (List<String>) typesAndValues[i + 1];
			expected.put((String) typesAndValues[i], values);
		}
		return Arguments.of(text, expected);
	}

	private static Arguments nothing(String text) {
		return Arguments.of(text, Map.of());
	}
}
