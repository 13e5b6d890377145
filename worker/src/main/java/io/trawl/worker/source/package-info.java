/**
 * Where samples come from: the {@link io.trawl.worker.source.SampleSource} port, the {@link
 * io.trawl.worker.source.Sample} it yields, and the folder adapter. Other adapters (S3) live in subpackages that
 * depend on this one, never the reverse.
 */
package io.trawl.worker.source;
