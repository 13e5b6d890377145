package io.trawl.worker.analysis.strings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

class StringsAnalyzerTests {

	private final StringsAnalyzer analyzer = new StringsAnalyzer();

	@Test
	void givenAShellScript_thenUrlsDomainsAddressesEmailsAndPathsAreExtracted() throws Exception {
		Map<String, List<String>> iocs = iocs(TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8));

		assertThat(iocs.get("urls")).contains("http://malware-test.example.com/payload/stage2.bin",
				"https://198.51.100.23:8443/drop.sh");
		assertThat(iocs.get("domains")).contains("malware-test.example.com", "evil-test.example.org",
				"update.badhost-test.net");
		assertThat(iocs.get("ipv4")).contains("198.51.100.23", "203.0.113.5");
		assertThat(iocs.get("ipv6")).containsExactly("2001:db8::7");
		assertThat(iocs.get("emails")).containsExactly("admin@evil-test.example.org");
		assertThat(iocs.get("filePaths")).contains("/tmp/.cache/stage2", "/bin/sh", "/dev/null");
	}

	@Test
	void givenAPowerShellScript_thenRegistryKeysAndWindowsPathsAreExtracted() throws Exception {
		Map<String, List<String>> iocs = iocs(TestCorpus.powershellScript().getBytes(StandardCharsets.UTF_8));

		assertThat(iocs.get("registryKeys")).containsExactly(
				"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
				"HKEY_CURRENT_USER\\Software\\TrawlTest\\Config");
		assertThat(iocs.get("filePaths")).contains("C:\\Users\\Public\\updater.exe");
		assertThat(iocs.get("ipv4")).containsExactly("192.0.2.44");
		assertThat(iocs.get("urls")).contains("https://cdn.fake-updates.example.net/update/kb5011.ps1",
				"http://192.0.2.44/c2/checkin");
	}

	@Test
	void givenUtf16Strings_thenTheyAreFoundAndScanned() throws Exception {
		Findings findings = analyse(TestCorpus.utf16Strings());
		Map<String, Object> strings = map(findings.get("strings"));

		assertThat((long) strings.get("utf16Count")).isGreaterThanOrEqualTo(3);
		Map<String, List<String>> iocs = map(strings.get("iocs"));
		assertThat(iocs.get("urls")).contains("http://wide-test.example.com/wide/path");
		assertThat(iocs.get("registryKeys"))
				.contains("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\TrawlSvc");
		assertThat(iocs.get("filePaths")).contains("C:\\Windows\\System32\\drivers\\trawl.sys");
	}

	@Test
	void givenShortRunsOnly_thenNothingIsReported() throws Exception {
		Map<String, Object> strings = map(analyse("abc\0de\0fghij\0".getBytes(StandardCharsets.US_ASCII))
				.get("strings"));

		assertThat(strings).containsEntry("count", 0L).containsEntry("sample", List.of());
	}

	@Test
	void givenManyRepeatedAndDistinctStrings_thenTheyAreDeduplicatedAndCapped() throws Exception {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < 5000; i++) {
			text.append("repeated-string\n").append("host").append(i).append(".example.com\n");
		}
		Map<String, Object> strings = map(analyse(text.toString().getBytes(StandardCharsets.US_ASCII)).get("strings"));

		assertThat(strings.get("count")).isEqualTo(10_000L);
		assertThat((List<?>) strings.get("sample")).hasSize(100);
		assertThat(strings.get("uniqueKept")).isEqualTo(1000);
		Map<String, List<String>> iocs = map(strings.get("iocs"));
		assertThat(iocs.get("domains")).hasSize(200);
		assertThat(map(strings.get("iocCounts"))).containsEntry("domains", 5000);
	}

	@Test
	void givenNonAddresses_thenNoFalseIpv6OrIpv4() {
		assertThat(StringsAnalyzer.isIpv6("12:30:45")).isFalse();
		assertThat(StringsAnalyzer.isIpv6("fe80::1")).isTrue();
		assertThat(StringsAnalyzer.isIpv6("1:2:3:4:5:6:7:8")).isTrue();
		assertThat(StringsAnalyzer.isIpv6("1::2::3")).isFalse();
	}

	@Test
	void givenRandomBytes_thenTheScanCompletes() throws Exception {
		Map<String, Object> strings = map(analyse(TestCorpus.randomBytes(4 << 20, 3)).get("strings"));
		assertThat((long) strings.get("count")).isGreaterThan(0);
	}

	private Findings analyse(byte[] content) throws Exception {
		Findings findings = new Findings();
		analyzer.analyse(Sample.ofBytes("sample", content), findings);
		return findings;
	}

	private Map<String, List<String>> iocs(byte[] content) throws Exception {
		Map<String, Object> strings = map(analyse(content).get("strings"));
		return map(strings.get("iocs"));
	}

	@SuppressWarnings("unchecked")
	private static <T> Map<String, T> map(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, T>) value;
	}
}
