package io.trawl.jobs.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.FileSystemUtils;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;
import io.trawl.jobs.security.TestApiKeys;
import io.trawl.jobs.web.GatedAnalyzerControl;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.SampleView;
import io.trawl.worker.analysis.hash.HashAnalyzer;

/**
 * The dashboard in Debian's Chromium against a real running service with a rescanned corpus: log in and watch a
 * job's progress advance, open a job, filter by a rule, open a sample, follow an archive member to its archive,
 * export CSV, and a viewer without the launch form. Screenshots go to target/screenshots/.
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:dashboard;DB_CLOSE_DELAY=-1",
				"trawl.data-dir=target/test-data-dashboard", "trawl.rules=../config/rules",
				"trawl.sources.allowed=${java.io.tmpdir}",
				"trawl.analysis.extra-analyzers=io.trawl.jobs.web.GatedAnalyzer", "trawl.analysis.grid-size=4",
				"trawl.analysis.threads=2", "trawl.analysis.chunk-size=2" })
class DashboardBrowserTests {

	static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
	private static final Path CORPUS = Path.of(System.getProperty("java.io.tmpdir"),
			"trawl-dashboard-" + UUID.randomUUID());
	private static long corpusJob;

	@LocalServerPort
	int port;

	@Autowired
	ApiKeys keys;

	@Autowired
	RescanLauncher launcher;

	@Autowired
	JobRepository jobs;

	@Autowired
	QueryTables tables;

	@TempDir
	Path downloads;

	@BeforeEach
	void rescannedCorpus() throws Exception {
		if (corpusJob == 0) {
			writeCorpus(CORPUS);
			JobExecution done = launcher.run(new RescanLauncher.Request(CORPUS.toString(), null,
					"dashboard-" + UUID.randomUUID(), null));
			assertThat(done.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			corpusJob = done.getId();
		}
	}

	@AfterAll
	static void removeCorpus() throws Exception {
		FileSystemUtils.deleteRecursively(CORPUS);
		GatedAnalyzerControl.open();
	}

	@Test
	void anOperatorLogsInLaunchesAJobAndWatchesItsProgressAdvanceWithoutAReload() throws Exception {
		Path gated = Files.createTempDirectory("trawl-dashboard-gated-");
		// half the files pass, half are held at the gate: the job stops half-way until the gate opens
		for (int i = 0; i < 12; i++) {
			Files.writeString(gated.resolve(String.format("a-passes-%02d.txt", i)), "sample that passes " + i);
			Files.writeString(gated.resolve(String.format("b-held-%02d.txt", i)), GatedAnalyzerControl.MARKER + " " + i);
		}
		GatedAnalyzerControl.close();
		try (Browser browser = browser()) {
			browser.logIn(TestApiKeys.create(keys, Role.OPERATOR));
			browser.driver.executeScript("window.sameDocument = 'yes';");

			browser.driver.findElement(By.id("source")).sendKeys(gated.toString());
			browser.clickAndLoad(browser.driver.findElement(By.cssSelector("#launch button[type=submit]")));
			String started = browser.until(d -> d.findElement(By.cssSelector(".message")).getText());
			assertThat(started).startsWith("Started job ");
			long id = Long.parseLong(started.replaceAll("^Started job (\\d+) .*$", "$1"));
			browser.driver.executeScript("window.sameDocument = 'yes';");
			By row = By.cssSelector("tr[data-job='" + id + "']");

			// the table refreshes itself: samples done go from none to some while the job runs
			String before = browser.until(d -> {
				String done = d.findElement(row).findElement(By.cssSelector(".done")).getText();
				return d.findElement(row).getText().contains("STARTED") && done.matches("([1-9]|1[0-9]|2[0-3]) / 24")
						? done : null;
			});
			assertThat(GatedAnalyzerControl.held()).isPositive();
			List<WebElement> stop = browser.until(d -> d.findElement(row).findElements(By.cssSelector("button.danger")));
			assertThat(stop).hasSize(1);
			browser.screenshot("jobs-running");

			GatedAnalyzerControl.open();
			browser.until(d -> d.findElement(row).getText().contains("COMPLETED"));
			String after = browser.until(d -> d.findElement(row).findElement(By.cssSelector(".done")).getText());
			assertThat(after).isEqualTo("24 / 24").isNotEqualTo(before);
			// the table was refreshed in place: the page the script marked is still the one shown
			assertThat(browser.driver.executeScript("return window.sameDocument;")).isEqualTo("yes");
			String text = browser.until(d -> d.findElement(row).getText());
			assertThat(text).contains(gated.toString()).contains("test-operator");
			browser.screenshot("jobs");
		}
		finally {
			GatedAnalyzerControl.open();
			FileSystemUtils.deleteRecursively(gated);
		}
	}

	@Test
	void aViewerSeesTheJobsButNoLaunchFormNorStopButtonAndCannotPostOne() throws Exception {
		try (Browser browser = browser()) {
			browser.logIn(TestApiKeys.create(keys, Role.VIEWER));
			assertThat(browser.driver.findElements(By.cssSelector("tr[data-job='" + corpusJob + "']"))).hasSize(1);
			assertThat(browser.driver.findElements(By.id("launch"))).isEmpty();
			assertThat(browser.driver.findElements(By.cssSelector("form[action$='/stop']"))).isEmpty();
			browser.screenshot("jobs-viewer");

			// the form's POST, made by hand with the session and its CSRF token, is refused as on the API
			Object status = browser.driver.executeAsyncScript("""
					const done = arguments[arguments.length - 1];
					fetch('/ui/jobs', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
					  body: 'source=/tmp'}).then(r => done(r.status));""");
			assertThat(status).isEqualTo(403L);
		}
	}

	@Test
	void aWrongKeyIsRefusedWithOneSentenceAndNoSession() throws Exception {
		try (Browser browser = browser()) {
			browser.open("/login");
			browser.driver.findElement(By.id("apiKey")).sendKeys("trawl_" + "B".repeat(43));
			browser.clickAndLoad(browser.driver.findElement(By.cssSelector("form button[type=submit]")));
			String error = browser.until(d -> d.findElement(By.cssSelector(".error")).getText());
			assertThat(error).isEqualTo("The API key is unknown or has been revoked; ask an admin for a valid key.");
			browser.screenshot("login");
			browser.open("/ui/jobs");
			assertThat(browser.driver.getCurrentUrl()).endsWith("/login");
		}
	}

	@Test
	void aJobFilteredByARuleLeadsToASampleAndItsArchive() throws Exception {
		try (Browser browser = browser()) {
			browser.logIn(TestApiKeys.create(keys, Role.VIEWER));
			browser.clickAndLoad(browser.driver.findElement(By.linkText(String.valueOf(corpusJob))));
			browser.until(d -> d.getCurrentUrl().endsWith("/ui/jobs/" + corpusJob));
			assertThat(browser.driver.findElement(By.id("samples")).getText()).isEqualTo("6");
			assertThat(rows(browser)).hasSize(6);
			assertThat(browser.driver.findElement(By.id("rule-hits")).getText()).contains("EICAR_Test_File");
			browser.until(d -> !d.findElement(By.id("errors")).getText().contains("Counting"));
			browser.screenshot("job");

			new Select(browser.driver.findElement(By.id("f-rule"))).selectByValue("EICAR_Test_File");
			browser.clickAndLoad(browser.driver.findElement(By.cssSelector(".filters button")));
			browser.until(d -> d.getCurrentUrl().contains("rule=EICAR_Test_File"));
			List<WebElement> hits = rows(browser);
			// eicar.com, its copy and the zip's eicar.txt are one content
			assertThat(hits).hasSize(1);
			assertThat(hits.get(0).getText()).contains("EICAR_Test_File").contains("malicious");
			browser.screenshot("job-filtered");

			browser.clickAndLoad(hits.get(0).findElement(By.cssSelector("td.hash a")));
			browser.until(d -> d.getCurrentUrl().contains("/ui/samples/"));
			String eicarSha = HashAnalyzer.sha256Hex(EICAR.getBytes(StandardCharsets.US_ASCII));
			assertThat(browser.driver.getCurrentUrl()).endsWith("/ui/samples/" + eicarSha);
			assertThat(browser.driver.findElement(By.id("hashes-title")).findElement(By.xpath(".."))
				.getText()).contains(eicarSha).contains("MD5");
			assertThat(browser.driver.findElements(By.cssSelector("button.copy"))).hasSizeGreaterThanOrEqualTo(4);
			assertThat(browser.driver.findElement(By.id("yara-title")).findElement(By.xpath("..")).getText())
				.contains("EICAR_Test_File").contains("trawl-default");
			assertThat(browser.driver.findElement(By.id("history")).getText()).contains(String.valueOf(corpusJob))
				.contains("malicious");
			browser.screenshot("sample");

			// the member of bundle.zip: its page links to the archive, whose page lists it
			browser.open("/ui/jobs/" + corpusJob + "?sha256=" + memberSha().substring(0, 10));
			browser.clickAndLoad(rows(browser).get(0).findElement(By.cssSelector("td.hash a")));
			browser.until(d -> d.getCurrentUrl().endsWith("/ui/samples/" + memberSha()));
			WebElement parent = browser.driver.findElement(By.cssSelector("#parents a"));
			assertThat(browser.driver.findElement(By.id("parents")).getText()).contains("notes/readme.txt");
			String zipSha = HashAnalyzer.sha256Hex(Files.readAllBytes(CORPUS.resolve("bundle.zip")));
			assertThat(parent.getText()).isEqualTo(zipSha);
			browser.screenshot("archive-member");
			browser.clickAndLoad(parent);
			browser.until(d -> d.getCurrentUrl().endsWith("/ui/samples/" + zipSha));
			assertThat(browser.driver.findElement(By.id("members")).getText()).contains("notes/readme.txt")
				.contains("eicar.txt");
			browser.screenshot("archive");
		}
	}

	@Test
	void aFilteredPageExportsAsCsv() throws Exception {
		try (Browser browser = browser()) {
			browser.logIn(TestApiKeys.create(keys, Role.VIEWER));
			browser.open("/ui/jobs/" + corpusJob + "?verdict=clean");
			int shown = rows(browser).size();
			assertThat(shown).isBetween(1, 5);
			WebElement export = browser.driver.findElement(By.id("export-csv"));
			assertThat(export.getAttribute("download")).isNotNull();
			export.click();
			Path csv = browser.until(d -> {
				Path file = browser.downloads.resolve("job-" + corpusJob + "-results.csv");
				return Files.isRegularFile(file) ? file : null;
			}, () -> "the download folder holds " + java.util.Arrays.toString(browser.downloads.toFile().list()));
			List<String> lines = Files.readAllLines(csv);
			assertThat(lines.get(0)).isEqualTo("sample_key,sha256,verdict,size,mime_type,entropy,yara,sources,location,"
					+ "analysed_at");
			assertThat(lines).hasSize(shown + 1);
			assertThat(lines.subList(1, lines.size())).allSatisfy(line -> assertThat(line).contains(",clean,"));
			browser.screenshot("export");
		}
	}

	@Test
	void theRulesPageShowsEachRulesHistory() throws Exception {
		try (Browser browser = browser()) {
			browser.logIn(TestApiKeys.create(keys, Role.VIEWER));
			browser.clickAndLoad(browser.driver.findElement(By.linkText("Rules")));
			browser.until(d -> d.getCurrentUrl().endsWith("/ui/rules"));
			String eicar = browser.driver.findElement(By.xpath("//table[@id='rules']//tr[th='EICAR_Test_File']"))
				.getText();
			assertThat(eicar).contains("job ");
			browser.screenshot("rules");
		}
	}

	@Test
	void aNarrowScreenStillShowsTheJobsAndTheirProgress() throws Exception {
		try (Browser browser = new Browser("http://127.0.0.1:" + port, downloads, 390, 844)) {
			browser.logIn(TestApiKeys.create(keys, Role.OPERATOR));
			WebElement row = browser.driver.findElement(By.cssSelector("tr[data-job='" + corpusJob + "']"));
			assertThat(row.findElement(By.cssSelector("progress")).isDisplayed()).isTrue();
			assertThat(browser.driver.findElement(By.id("source")).isDisplayed()).isTrue();
			Long overflow = (Long) browser.driver.executeScript(
					"return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
			assertThat(overflow).isLessThanOrEqualTo(0L);
			browser.screenshot("jobs-narrow");
		}
	}

	@Test
	void theResultsOfA100000SampleJobOpenInUnderASecond() throws Exception {
		long id = syntheticJob(100_000);
		try (Browser browser = browser()) {
			browser.logIn(TestApiKeys.create(keys, Role.VIEWER));
			browser.open("/ui/jobs/" + id); // warm: the first page of a context compiles its templates
			// per filter, the median of three loads: the whole page in the browser (request to load event), and the
			// server's part (request to first byte)
			Map<String, Double> times = new LinkedHashMap<>();
			Map<String, Double> server = new LinkedHashMap<>();
			for (String query : List.of("", "?verdict=malicious", "?rule=Synthetic_Rule", "?sha256=ab")) {
				List<Double> loads = new ArrayList<>();
				List<Double> firstBytes = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					browser.open("/ui/jobs/" + id + query);
					browser.until(d -> ((Number) browser.driver.executeScript(
							"return performance.getEntriesByType('navigation')[0].loadEventEnd;")).doubleValue() > 0);
					@SuppressWarnings("unchecked")
					List<Number> timing = (List<Number>) browser.driver.executeScript("""
							const n = performance.getEntriesByType('navigation')[0];
							return [n.loadEventEnd - n.startTime, n.responseStart - n.requestStart];""");
					loads.add(timing.get(0).doubleValue());
					firstBytes.add(timing.get(1).doubleValue());
					assertThat(rows(browser)).as(query).hasSize(JobPage.PAGE);
				}
				times.put(query, median(loads));
				server.put(query, median(firstBytes));
			}
			System.out.printf("DASHBOARD 100k-sample job page, median of 3 loads in ms: %s; server part: %s; load average"
					+ " %.2f%n", times, server, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
						.getSystemLoadAverage());
			assertThat(browser.driver.findElement(By.id("samples")).getText()).isEqualTo("100000");
			browser.open("/ui/jobs/" + id);
			browser.clickAndLoad(browser.driver.findElement(By.id("next-page")));
			assertThat(rows(browser)).hasSize(JobPage.PAGE);
			browser.screenshot("job-100k");
			assertThat(times.values()).allSatisfy(ms -> assertThat(ms).isLessThan(1000.0));
		}
	}

	private static double median(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		return sorted.get(sorted.size() / 2);
	}

	private Browser browser() {
		return new Browser("http://127.0.0.1:" + port, downloads);
	}

	private static List<WebElement> rows(Browser browser) {
		return browser.driver.findElements(By.cssSelector("#results-table tbody tr")).stream()
			.filter(row -> !row.getText().equals("No results match."))
			.toList();
	}

	private static String memberSha() {
		return HashAnalyzer.sha256Hex("hello from inside the zip\n".getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Six contents: EICAR under three names (two files and a zip member), the zip, the other member (a text), a
	 * text, a script and random bytes.
	 */
	static void writeCorpus(Path dir) throws Exception {
		Files.createDirectories(dir);
		Files.writeString(dir.resolve("eicar.com"), EICAR);
		Files.writeString(dir.resolve("copy-of-eicar.com"), EICAR);
		ByteArrayOutputStream zip = new ByteArrayOutputStream();
		try (ZipOutputStream out = new ZipOutputStream(zip)) {
			out.putNextEntry(new ZipEntry("notes/readme.txt"));
			out.write("hello from inside the zip\n".getBytes(StandardCharsets.UTF_8));
			out.closeEntry();
			out.putNextEntry(new ZipEntry("eicar.txt"));
			out.write(EICAR.getBytes(StandardCharsets.US_ASCII));
			out.closeEntry();
		}
		Files.write(dir.resolve("bundle.zip"), zip.toByteArray());
		Files.writeString(dir.resolve("notes.txt"), "Meeting notes: nothing to see here.\n");
		Files.writeString(dir.resolve("install.sh"), "#!/bin/sh\necho installing\n");
		byte[] noise = new byte[4096];
		new java.util.Random(16).nextBytes(noise);
		Files.write(dir.resolve("noise.bin"), noise);
	}

	/**
	 * A COMPLETED rescan of {@code count} samples written straight into the query tables (the projection's rows,
	 * without analysing anything): a tenth malicious and hit by Synthetic_Rule.
	 */
	private long syntheticJob(int count) {
		JobParameters parameters = new JobParametersBuilder().addString("requestId", "big-" + UUID.randomUUID())
			.addString("source", "/srv/synthetic")
			.toJobParameters();
		JobInstance instance = jobs.createJobInstance("rescanJob", parameters);
		JobExecution execution = jobs.createJobExecution(instance, parameters, new ExecutionContext());
		Instant at = Instant.now();
		List<SampleView> batch = new ArrayList<>();
		List<String> hits = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String sha = HashAnalyzer.sha256Hex(("synthetic-" + i).getBytes(StandardCharsets.UTF_8));
			boolean bad = i % 10 == 0;
			String verdict = bad ? "malicious" : "clean";
			batch.add(new SampleView(instance.getInstanceId(), sha, sha, verdict, at, "{\"sha256\":\"" + sha
					+ "\",\"size\":" + (1000 + i) + ",\"mimeType\":\"application/octet-stream\",\"verdict\":\""
					+ verdict + "\",\"yara\":" + (bad ? "[\"Synthetic_Rule\"]" : "[]") + ",\"sources\":[\"/srv/synthetic/"
					+ i + ".bin\"],\"errors\":[]}"));
			if (bad) {
				hits.add(sha);
			}
			if (batch.size() == 1000) {
				tables.putSamples(batch);
				batch.clear();
			}
		}
		tables.putSamples(batch);
		tables.putRuleHits(instance.getInstanceId(), "Synthetic_Rule", hits);
		Map<String, Long> verdicts = new LinkedHashMap<>();
		verdicts.put("clean", (long) count - hits.size());
		verdicts.put("malicious", (long) hits.size());
		tables.putSummary(new JobSummary(instance.getInstanceId(), count, count, count, 0, verdicts,
				Map.of("Synthetic_Rule", (long) hits.size()), at));
		execution.setStatus(BatchStatus.COMPLETED);
		execution.setExitStatus(ExitStatus.COMPLETED);
		execution.setStartTime(java.time.LocalDateTime.now().minusMinutes(5));
		execution.setEndTime(java.time.LocalDateTime.now());
		jobs.update(execution);
		return execution.getId();
	}
}
