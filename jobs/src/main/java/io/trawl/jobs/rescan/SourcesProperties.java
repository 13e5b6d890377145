package io.trawl.jobs.rescan;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code trawl.sources.*}.
 * @param allowed the local roots and {@code s3://bucket/prefix} entries that REST and SQS launches may name as
 *     source or rules; empty allows none of them (the CLI is not held to it)
 */
@ConfigurationProperties("trawl.sources")
public record SourcesProperties(@DefaultValue({}) List<String> allowed) {
}
