package io.trawl.jobs;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** Trawl's settings, under {@code trawl.*} (see config/application.yml). */
@Validated
@ConfigurationProperties("trawl")
public record TrawlProperties(@NotBlank @DefaultValue("./data") String dataDir,
		@NotBlank @DefaultValue("config/rules") String rules, @Valid @DefaultValue Analysis analysis,
		@Valid @DefaultValue Restart restart) {

	/**
	 * @param gridSize partitions of the analyse step; 0 means one per available core
	 * @param chunkSize samples per transaction
	 * @param inMemoryLimit samples up to this size are read once into memory; larger ones are streamed
	 */
	public record Analysis(@Min(0) @DefaultValue("0") int gridSize, @Min(1) @DefaultValue("20") int chunkSize,
			@DefaultValue("64MB") DataSize inMemoryLimit, @Min(1) @DefaultValue("60") int yaraTimeoutSeconds) {

		public int effectiveGridSize() {
			return gridSize > 0 ? gridSize : Runtime.getRuntime().availableProcessors();
		}
	}

	/** @param staleAfter a STARTED execution owned by another host, with no progress for this long, is dead */
	public record Restart(@DefaultValue("5m") Duration staleAfter) {
	}
}
