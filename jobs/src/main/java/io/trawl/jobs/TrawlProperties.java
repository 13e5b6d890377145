package io.trawl.jobs;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * Trawl's settings, under {@code trawl.*} (see config/application.yml).
 *
 * @param executionIdFile where a one-shot command writes the id of the job execution it starts, as soon as it
 * starts; the {@code trawl} launcher sets it ({@code TRAWL_EXECUTION_ID_FILE}) to restart that execution if the JVM
 * crashes. Blank: not written
 * @param sources how local sample folders are read, and where REST and SQS launches may read
 * @param launch how many launched jobs run at once
 */
@Validated
@ConfigurationProperties("trawl")
public record TrawlProperties(@NotBlank @DefaultValue("./data") String dataDir,
		@NotBlank @DefaultValue("config/rules") String rules, @Valid @DefaultValue Analysis analysis,
		@Valid @DefaultValue Restart restart, @DefaultValue("") String executionIdFile,
		@Valid @DefaultValue Sources sources, @Valid @DefaultValue Launch launch) {

	/**
	 * @param gridSize partitions of the analyse step; 0 means four per thread, so a partition that happens to hold
	 * the slow samples does not leave the other cores idle at the end
	 * @param threads partitions analysed at once; 0 means one per available core
	 * @param chunkSize samples per transaction
	 * @param incrementalChunkSize samples per transaction in an incremental job (never fewer than {@code chunkSize}):
	 * most of its samples are reused, so a chunk costs its bookkeeping, not analysis
	 * @param inMemoryLimit samples up to this size are read once into memory; larger ones are streamed
	 * @param maxSampleSize larger samples go only through {@code oversizedAnalyzers}, and their result names the
	 * others under {@code skipped}: a 5 GB disk image must not hold a partition for an hour
	 * @param oversizedAnalyzers what samples above {@code maxSampleSize} still get, by analyzer name: by default the
	 * analyzers that take one bounded pass over the bytes (hashes, MIME and file type, entropy, ssdeep, TLSH and
	 * YARA, from the file), so every sample has the fields that are compared with the reference tools
	 * @param lookUpContentsFrom samples at least this large are looked up by content after hashing: one whose content
	 * this job has already analysed under another name is not analysed again (it gets its SOURCE event only)
	 * @param yaraTimeoutSeconds libyara's own timeout for one scan
	 * @param analyzerTimeout the time each analyzer has for one sample; an archive's members share its time
	 * @param archive bomb limits for archive members
	 * @param skip analyzers to leave out, by name (for example {@code strings,tlsh} for a faster, thinner rescan)
	 * @param extraAnalyzers more analyzers, by class name: each implements {@code io.trawl.worker.analysis.Analyzer}
	 * and has a public no-argument constructor, and its jar is on the classpath ({@code TRAWL_CLASSPATH} for the
	 * launcher). They run after the built-in ones, before YARA, in the order given; no job changes
	 */
	public record Analysis(@Min(0) @DefaultValue("0") int gridSize, @Min(0) @DefaultValue("0") int threads,
			@Min(1) @DefaultValue("20") int chunkSize, @Min(1) @DefaultValue("500") int incrementalChunkSize,
			@DefaultValue("64MB") DataSize inMemoryLimit,
			@DefaultValue("512MB") DataSize maxSampleSize, @Min(1) @DefaultValue("60") int yaraTimeoutSeconds,
			@DefaultValue("120s") Duration analyzerTimeout, @Valid @DefaultValue Archive archive,
			@DefaultValue({}) List<String> skip, @DefaultValue({}) List<String> extraAnalyzers,
			@DefaultValue({ "hashes", "mimeType", "fileType", "entropy", "ssdeep", "tlsh",
					"yara" }) List<String> oversizedAnalyzers,
			@DefaultValue("1MB") DataSize lookUpContentsFrom, @DefaultValue("true") boolean isolateNativeCode,
			@DefaultValue("2GB") DataSize nativeMemoryLimit) {

		public int effectiveThreads() {
			return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
		}

		public int effectiveGridSize() {
			return gridSize > 0 ? gridSize : 4 * effectiveThreads();
		}
	}

	/** Bomb limits for archive expansion, per top-level sample; a limit that is hit is recorded, not a failure. */
	public record Archive(@Min(0) @DefaultValue("5") int maxDepth, @Min(0) @DefaultValue("1000") int maxChildren,
			@DefaultValue("256MB") DataSize maxExpandedBytes, @Min(1) @DefaultValue("100") long maxRatio,
			@DefaultValue("64MB") DataSize maxMemberBytes) {

		public io.trawl.worker.analysis.archive.ArchiveLimits limits() {
			return new io.trawl.worker.analysis.archive.ArchiveLimits(maxDepth, maxChildren,
					maxExpandedBytes.toBytes(), maxRatio, maxMemberBytes.toBytes());
		}
	}

	/**
	 * @param maxDepth levels of folders walked below a sample folder; a deeper folder becomes one FAILED result
	 * naming it. Each level holds an open folder while the walk passes through it
	 * @param allowed the local roots and {@code s3://bucket/prefix} entries that REST and SQS launches may name as
	 * source or rules; empty allows none of them (the CLI is not held to it)
	 */
	public record Sources(@Min(0) @Max(1000) @DefaultValue("64") int maxDepth,
			@DefaultValue({}) List<String> allowed) {
	}

	/**
	 * @param maxRunning background jobs (REST, SQS, schedule) at once in this process; more are refused (429)
	 * @param retryAfter what a refused caller is told to wait
	 */
	public record Launch(@Min(1) @DefaultValue("2") int maxRunning, @DefaultValue("30s") Duration retryAfter) {
	}

	/** @param staleAfter a STARTED execution owned by another host, with no progress for this long, is dead */
	public record Restart(@DefaultValue("5m") Duration staleAfter) {
	}
}
