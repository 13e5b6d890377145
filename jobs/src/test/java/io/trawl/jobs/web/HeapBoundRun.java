package io.trawl.jobs.web;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.SampleView;
import io.trawl.worker.analysis.hash.HashAnalyzer;

/**
 * The child JVM of {@link ResultsHeapBoundTests}, started with a small -Xmx: puts COUNT result documents of
 * DOC_BYTES each straight into the query tables of a file database, then pages through them over the API and exports
 * them as JSONL and CSV, reading every response as a stream. Prints one {@code RESULT ...} line; any shortfall or
 * OutOfMemoryError makes it exit non-zero.
 */
public final class HeapBoundRun {

	public static void main(String[] args) throws Exception {
		int count = Integer.parseInt(args[0]);
		int docBytes = Integer.parseInt(args[1]);
		Path dir = Path.of(args[2]).toAbsolutePath();
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TrawlApplication.class)
			.web(WebApplicationType.SERVLET)
			.run("--server.port=0", "--server.address=127.0.0.1", "--trawl.data-dir=" + dir,
					"--spring.datasource.url=jdbc:h2:file:" + dir.resolve("db") + ";CACHE_SIZE=4096",
					"--trawl.rules=../config/rules", "--logging.file.name=" + dir.resolve("trawl.log"))) {
			int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			progress("started");
			long execution = writeResults(context, count, docBytes);
			progress("written");
			String key = context.getBean(ApiKeys.class).create("heap-bound", Role.VIEWER).secret();
			String base = "http://127.0.0.1:" + port + "/api/jobs/" + execution;
			HttpClient http = HttpClient.newHttpClient();
			long pageRows = 0;
			int pages = 0;
			String previous = "";
			String next = base + "/results?limit=200";
			while (next != null) {
				HttpResponse<InputStream> page = http.send(
						HttpRequest.newBuilder(URI.create(next)).header("X-API-Key", key).build(),
						HttpResponse.BodyHandlers.ofInputStream());
				if (page.statusCode() != 200) {
					throw new IllegalStateException("page " + pages + " answered " + page.statusCode());
				}
				for (String sha : shas(page.body())) {
					if (sha.compareTo(previous) <= 0) {
						throw new IllegalStateException("out of order: " + sha + " after " + previous);
					}
					previous = sha;
					pageRows++;
				}
				pages++;
				next = page.headers().firstValue("Link").map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>')))
					.map(u -> u.startsWith("http") ? u : "http://127.0.0.1:" + port + u).orElse(null);
			}
			progress("paged");
			long jsonl = 0;
			HttpResponse<InputStream> lines = http.send(HttpRequest.newBuilder(URI.create(base + "/results.jsonl"))
				.header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofInputStream());
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(lines.body(), StandardCharsets.UTF_8))) {
				for (String line = reader.readLine(); line != null; line = reader.readLine()) {
					if (!line.startsWith("{\"sha256\":\"") || line.length() < docBytes) {
						throw new IllegalStateException("line " + jsonl + " is not a whole document");
					}
					jsonl++;
				}
			}
			progress("exported JSONL");
			HttpResponse<String> csv = http.send(HttpRequest.newBuilder(URI.create(base + "/results.csv"))
				.header("X-API-Key", key).build(),
					HttpResponse.BodyHandlers.ofString());
			int csvRows = Csv.parse(csv.body()).size() - 1;
			long peak = 0;
			for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
				// the old generation's peak: what stayed alive (the young pools' peaks are garbage waiting)
				if (pool.getType() == MemoryType.HEAP && pool.getName().contains("Old")
						&& pool.getPeakUsage() != null) {
					peak = Math.max(peak, pool.getPeakUsage().getUsed());
				}
			}
			System.out.printf("RESULT pages=%d pageRows=%d jsonl=%d csv=%d maxHeap=%d peakHeap=%d documentBytes=%d%n",
					pages, pageRows, jsonl, csvRows, Runtime.getRuntime().maxMemory(), peak, (long) count * docBytes);
		}
		System.exit(0);
	}

	private static void progress(String step) {
		Runtime runtime = Runtime.getRuntime();
		System.out.printf("STEP %s, heap used %d MB of %d MB%n", step,
				(runtime.totalMemory() - runtime.freeMemory()) >> 20, runtime.maxMemory() >> 20);
	}

	/** The sha256 of each document in a page, read token by token: the page is never a tree in memory. */
	private static List<String> shas(InputStream body) throws Exception {
		List<String> shas = new ArrayList<>();
		try (JsonParser parser = JsonMapper.builder().build().createParser(body)) {
			int depth = 0;
			for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
				if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
					depth++;
				}
				else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
					depth--;
				}
				else if (token == JsonToken.PROPERTY_NAME && depth == 2 && parser.currentName().equals("sha256")) {
					parser.nextToken();
					shas.add(parser.getString());
				}
			}
		}
		return shas;
	}

	private static long writeResults(ConfigurableApplicationContext context, int count, int docBytes) {
		JobRepository jobs = context.getBean(JobRepository.class);
		JobParameters parameters = new JobParametersBuilder().addString("requestId", "heap-" + System.nanoTime())
			.toJobParameters();
		JobInstance instance = jobs.createJobInstance("rescanJob", parameters);
		JobExecution execution = jobs.createJobExecution(instance, parameters, new ExecutionContext());
		QueryTables tables = context.getBean(QueryTables.class);
		String padding = "x".repeat(docBytes);
		Instant at = Instant.parse("2026-12-04T00:00:00Z");
		List<SampleView> batch = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String sha = HashAnalyzer.sha256Hex(("heap-sample-" + i).getBytes(StandardCharsets.UTF_8));
			String document = "{\"sha256\":\"" + sha + "\",\"verdict\":\"clean\",\"size\":" + docBytes
					+ ",\"sources\":[\"heap/" + i + ".bin\"],\"strings\":[\"" + padding + "\"]}";
			batch.add(new SampleView(instance.getInstanceId(), sha, sha, "clean", at, document));
			if (batch.size() == 50 || i == count - 1) {
				tables.putSamples(batch);
				batch.clear();
			}
			if (i % 2000 == 0) {
				progress("wrote " + i);
			}
		}
		return execution.getId();
	}
}
