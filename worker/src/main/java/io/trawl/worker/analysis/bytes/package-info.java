/**
 * Byte-level helpers several analyzers share: a sample's bytes as one buffer, bounded header reads, and byte
 * histograms with their entropy. No analyzer's own logic lives here.
 */
package io.trawl.worker.analysis.bytes;
